import { z, type OpenAPIHono } from '@hono/zod-openapi';
import {
  audit,
  defineRoute,
  json,
  mount,
  OrgParam,
  reply,
  type AppEnv,
  type ServerDeps,
} from '../server/index.js';
import { ApiError } from '../server/index.js';
import type { LogsService, SinkView, StreamView } from './service.js';

const iso = (ms: number | null): string | null =>
  ms === null || ms <= 0 ? null : new Date(ms).toISOString();

const Stream = z
  .object({
    stream: z.string(),
    integration: z.string(),
    account: z.string().describe("'' for the integration's own tenant, else the MSP child's account id"),
    status: z.string().describe('ok, backoff, needs_grant or paused'),
    needs_grant: z.boolean(),
    events_total: z.number(),
    newest_delivered: z.string().nullable(),
    lag_seconds: z.number().nullable(),
    backlog_estimate: z.number().nullable(),
    events_per_second: z.number(),
    last_error: z.string().nullable(),
    last_poll: z.string().nullable(),
    last_success: z.string().nullable(),
    next_attempt: z.string().nullable(),
    window_in_progress: z.boolean(),
  })
  .openapi('LogStream');
const Sink = z
  .object({
    name: z.string(),
    type: z.string(),
    guarantee: z.string(),
    queue_events: z.number(),
    queue_full: z.boolean(),
    last_ack: z.string().nullable(),
    stats: z.record(z.string(), z.number()),
  })
  .openapi('LogSink');
const LogsStatus = z
  .object({
    collected: z
      .boolean()
      .describe('whether serve collects this organization (a route names it, or the demo)'),
    streams: z.array(Stream),
    sinks: z.array(Sink),
  })
  .openapi('LogsStatus');
const Snapshot = z
  .object({
    integration: z.string(),
    account: z.string().describe("'' for the integration's own tenant, else the MSP child's account id"),
    kind: z.string().describe('users, phones or endpoints'),
    taken: z.string().nullable(),
    count: z.number(),
    truncated: z.boolean(),
    error: z.string().nullable().describe('why the last snapshot of this kind failed (then it has no items)'),
  })
  .openapi('InventorySnapshot');
const Snapshots = z.object({ snapshots: z.array(Snapshot) }).openapi('InventorySnapshots');
const Collect = z.object({
  queued: z.number().describe('poll jobs queued, one per Admin or Accounts integration'),
});

export function streamOut(s: StreamView): z.input<typeof Stream> {
  return {
    stream: s.stream,
    integration: s.integration,
    account: s.account,
    status: s.status,
    needs_grant: s.needsGrant,
    events_total: s.eventsTotal,
    newest_delivered: iso(s.newest),
    lag_seconds: s.lagSeconds,
    backlog_estimate: s.backlogEstimate,
    events_per_second: s.eventsPerSecond,
    last_error: s.lastError,
    last_poll: iso(s.lastPoll),
    last_success: iso(s.lastSuccess),
    next_attempt: iso(s.nextAttempt),
    window_in_progress: s.windowInProgress,
  };
}

export function sinkOut(s: SinkView): z.input<typeof Sink> {
  return {
    name: s.name,
    type: s.type,
    guarantee: s.guarantee,
    queue_events: s.queueEvents,
    queue_full: s.queueFull,
    last_ack: iso(s.lastAck),
    stats: { ...s.stats },
  };
}

/**
 * Log collection per organization: the streams' status and the sinks' health (auditors and up), and
 * "collect now" (admins), which queues one poll per credential on the scheduler so its run is recorded.
 */
export function mountLogsRoutes(
  app: OpenAPIHono<AppEnv>,
  deps: ServerDeps,
  service: LogsService,
  collectNow: (orgId: string) => Promise<number>,
): void {
  const tags = ['logs'];
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/logs',
      tags,
      summary: "This organization's log streams (newest delivered, lag, backlog, rate, errors) and the sinks",
      request: { params: OrgParam },
      responses: { 200: json(LogsStatus, 'Streams and sinks.') },
    }),
    async (c) => {
      const org = c.get('org');
      const collected = service.collects(org);
      return reply(c, LogsStatus, {
        collected,
        streams: (await service.streams(org.id)).map(streamOut),
        sinks: service.sinkViews().map(sinkOut),
      });
    },
  );
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/logs/inventory',
      tags,
      summary:
        "The newest users, phones and endpoints snapshot of each of this organization's tenants (counts, not the records)",
      request: { params: OrgParam },
      responses: { 200: json(Snapshots, 'Snapshots used to enrich collected events.') },
    }),
    async (c) => {
      const org = c.get('org');
      return reply(c, Snapshots, {
        snapshots: (await service.snapshots(org.id)).map((s) => ({
          integration: s.integrationId ?? '',
          account: s.accountId,
          kind: s.kind,
          taken: iso(s.takenMs),
          count: s.count,
          truncated: s.truncated,
          error: s.error,
        })),
      });
    },
  );
  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'post',
      path: '/api/v1/orgs/{org}/logs/collect',
      tags,
      summary: "Collect this organization's logs now (one poll per Admin or Accounts integration)",
      request: { params: OrgParam },
      responses: { 200: json(Collect, 'Polls queued.') },
    }),
    async (c) => {
      const org = c.get('org');
      if (!service.collects(org))
        throw new ApiError(
          409,
          'logs_not_collected',
          'no logs route names this organization (see logs.routes)',
        );
      const queued = await collectNow(org.id);
      await audit(c, deps, {
        action: 'logs.collect_now',
        orgId: org.id,
        target: org.id,
        outcome: 'success',
        details: { queued },
      });
      return reply(c, Collect, { queued });
    },
  );
}
