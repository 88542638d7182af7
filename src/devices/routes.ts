import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import {
  actorOf,
  body,
  defineRoute,
  input,
  json,
  mount,
  reply,
  type AppEnv,
  type ServerDeps,
} from '../server/index.js';
import type { DevicesService } from './devices-service.js';
import { DevicesError } from './errors.js';

const Params = z.object({ org: z.string().min(1), integration: z.string().min(1) });
const OrgOnly = z.object({ org: z.string().min(1) });
const Plan = z.object({
  active: z.number(),
  added: z.number(),
  removed: z.number(),
  unchanged: z.number(),
  exact: z.boolean(),
});
const SyncBody = z.object({
  /** The export's text (CSV or JSON). */
  content: z.string().min(1),
  format: z.enum(['auto', 'csv', 'json', 'intune', 'jamf']).optional(),
  deviceIdColumn: z.string().min(1).optional(),
  os: z.enum(['windows', 'macos', 'linux']).optional(),
  skipInvalid: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  uploadDryRun: z.boolean().optional(),
  force: z.boolean().optional(),
  deletePending: z.boolean().optional(),
  filename: z.string().max(200).optional(),
});
const SyncReply = z.object({
  runId: z.string(),
  outcome: z.enum(['synced', 'planned', 'shrink_refused', 'failed']),
  plan: Plan,
  uploaded: z.number(),
  activated: z.boolean(),
  device_count: z.number().nullable(),
  removedSample: z.array(z.string()),
  durationMs: z.number(),
  notes: z.array(z.string()),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      duoCode: z.number().optional(),
      duoDetail: z.string().optional(),
    })
    .optional(),
  input: z.object({
    records: z.number(),
    ids: z.number(),
    duplicates: z.number(),
    rejected: z.array(z.object({ line: z.number(), value: z.string(), reason: z.string() })),
    column: z.string(),
  }),
});
const Run = z.object({
  id: z.string(),
  integrationId: z.string(),
  trigger: z.string(),
  source: z.string(),
  dryRun: z.boolean(),
  startedAt: z.string(),
  durationMs: z.number(),
  outcome: z.string(),
  plan: Plan,
  uploaded: z.number(),
  activated: z.boolean(),
  deviceCount: z.number().nullable(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
});
const Progress = z.object({
  progress: z
    .object({
      running: z.boolean(),
      phase: z.enum(['starting', 'reading', 'uploading', 'verifying', 'activating', 'cleaning', 'done']),
      done: z.number(),
      total: z.number(),
      trigger: z.string(),
      dryRun: z.boolean(),
      startedAt: z.string(),
      updatedAt: z.string(),
      outcome: z.enum(['synced', 'planned', 'shrink_refused', 'failed']).nullable(),
    })
    .nullable(),
});
const Status = z.object({
  integrationId: z.string(),
  label: z.string(),
  os: z.string().nullable(),
  active: z.object({ cache_key: z.string(), device_count: z.number() }).nullable(),
  pending: z.array(
    z.object({ cache_key: z.string(), device_count: z.number(), createdByDuowatch: z.boolean() }),
  ),
  lastSuccessAt: z.string().nullable(),
  stale: z.boolean(),
});

/**
 * REST face of the same service the CLI uses. The sync route carries the export in its body, so it gets its
 * own body limit (devices.maxInputMiB), larger than the API's default.
 */
export function mountDevicesRoutes(
  app: OpenAPIHono<AppEnv>,
  deps: ServerDeps,
  /** Read per request, so the service can be built after the server (it needs the same store). */
  service: () => DevicesService,
  maxBytes: number,
): void {
  const tags = ['devices'];
  const slug = (c: Parameters<typeof actorOf>[0]) => c.get('org').slug;
  app.use(
    '/api/v1/orgs/:org/devices/integrations/:integration/sync',
    bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw new DevicesError('input_too_large', `the export is larger than ${String(maxBytes)} bytes`, {
          status: 413,
        });
      },
    }),
  );
  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'post',
      path: '/api/v1/orgs/{org}/devices/integrations/{integration}/sync',
      tags,
      summary: 'Sync (or plan) a trusted-endpoint cache from an uploaded export',
      request: { params: Params, ...body(SyncBody) },
      responses: {
        200: json(SyncReply, 'The run: synced, planned, refused by the shrink guard, or failed.'),
      },
    }),
    async (c) => {
      const { integration } = input(c, 'param', Params);
      const b = input(c, 'json', SyncBody);
      const report = await service().sync(
        slug(c),
        integration,
        { bytes: Buffer.from(b.content, 'utf8'), source: b.filename ?? 'upload' },
        {
          ...(b.format === undefined ? {} : { format: b.format }),
          ...(b.deviceIdColumn === undefined ? {} : { idColumn: b.deviceIdColumn }),
          ...(b.os === undefined ? {} : { os: b.os }),
          skipInvalid: b.skipInvalid === true,
          dryRun: b.dryRun === true ? (b.uploadDryRun === true ? 'upload' : 'plan') : false,
          force: b.force === true,
          deleteForeignPending: b.deletePending === true,
          trigger: 'api',
          actor: actorOf(c, deps).id,
        },
      );
      return reply(c, SyncReply, {
        ...report,
        input: { ...report.input, rejected: [...report.input.rejected] },
      });
    },
  );
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/devices/integrations/{integration}/status',
      tags,
      summary: "A Device API integration's active and pending caches, last sync and staleness",
      request: { params: Params },
      responses: { 200: json(Status, 'Status.') },
    }),
    async (c) => {
      const { integration } = input(c, 'param', Params);
      return reply(c, Status, await service().status(slug(c), integration));
    },
  );
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/devices/integrations/{integration}/progress',
      tags,
      summary:
        "How far the integration's running sync is (phase, done of total), or how its last one ended; polled by the dashboard",
      request: { params: Params },
      responses: {
        200: json(
          Progress,
          'Progress, or null when no sync of the integration was seen lately (by any process on this database).',
        ),
      },
    }),
    async (c) => {
      const { integration } = input(c, 'param', Params);
      const p = await service().progress(slug(c), integration);
      return reply(c, Progress, {
        progress:
          p === null
            ? null
            : { ...p, startedAt: p.startedAt.toISOString(), updatedAt: p.updatedAt.toISOString() },
      });
    },
  );
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/devices/runs',
      tags,
      summary: 'Recent device-cache sync runs of the organization',
      request: { params: OrgOnly },
      responses: { 200: json(z.object({ runs: z.array(Run) }), 'Newest first.') },
    }),
    async (c) => {
      const runs = await service().runs(slug(c));
      return reply(c, z.object({ runs: z.array(Run) }), {
        runs: runs.map((r) => ({ ...r, startedAt: r.startedAt.toISOString() })),
      });
    },
  );
}
