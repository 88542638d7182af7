import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { actorOf, audit } from '../auth.js';
import type { AppEnv, ServerDeps } from '../context.js';
import { defineRoute, input, json, mount, reply } from '../define-route.js';
import { ApiError } from '../errors.js';
import {
  Evidence,
  ExportQuery,
  History,
  LimitQuery,
  OrgParam,
  OrgSignalParam,
  Queued,
  RangeQuery,
  RunList,
} from '../schemas.js';

const DAY = 86_400_000;
/** A year of history plus slack; wider ranges are refused rather than answered slowly. */
const MAX_RANGE_DAYS = 400;

export function parseRange(
  deps: ServerDeps,
  q: { from?: string | undefined; to?: string | undefined },
  defaultDays: number,
): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : deps.clock();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - defaultDays * DAY);
  if (from > to) throw new ApiError(400, 'bad_range', '`from` must be before `to`.');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY)
    throw new ApiError(400, 'bad_range', `A range may span at most ${MAX_RANGE_DAYS} days.`);
  return { from, to };
}

export function mountEvidence(app: OpenAPIHono<AppEnv>, deps: ServerDeps): void {
  const tags = ['evidence'];
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/evidence',
      tags,
      summary: 'The latest record of every signal',
      request: { params: OrgParam },
      responses: { 200: json(Evidence, 'Latest evidence.') },
    }),
    async (c) => reply(c, Evidence, await deps.services.evidence.latest(c.get('org').id)),
  );

  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/evidence/{signal}/history',
      tags,
      summary: 'One signal over time (default: 30 days)',
      request: { params: OrgSignalParam, query: RangeQuery },
      responses: { 200: json(History, 'Records, oldest first.') },
    }),
    async (c) => {
      const { signal } = input(c, 'param', OrgSignalParam);
      const range = parseRange(deps, input(c, 'query', RangeQuery), 30);
      const records = await deps.services.evidence.history(c.get('org').id, signal, range);
      return reply(c, History, { signal, records });
    },
  );

  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/evidence/export',
      tags,
      summary: 'Download evidence as JSON, CSV or a printable HTML report',
      request: { params: OrgParam, query: ExportQuery },
      responses: {
        200: {
          description: 'The export file (Content-Disposition: attachment).',
          content: {
            'application/json': { schema: z.unknown() },
            'text/csv': { schema: z.string() },
            'text/html': { schema: z.string() },
          },
        },
      },
    }),
    async (c) => {
      const q = input(c, 'query', ExportQuery);
      const range = parseRange(deps, q, 90);
      const org = c.get('org');
      const file = await deps.services.evidence.export(org.id, { ...range, format: q.format });
      await audit(c, deps, {
        action: 'evidence.export',
        orgId: org.id,
        target: file.filename,
        outcome: 'success',
        details: { format: q.format, from: range.from.toISOString(), to: range.to.toISOString() },
      });
      const filename = file.filename.replace(/[^A-Za-z0-9._-]/g, '_');
      return c.body(file.body, 200, {
        'content-type': file.contentType,
        'content-disposition': `attachment; filename="${filename}"`,
      });
    },
  );

  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'post',
      path: '/api/v1/orgs/{org}/sync',
      tags,
      summary: 'Sync now: queue an identity sync',
      request: { params: OrgParam },
      responses: { 202: json(Queued, 'Queued.') },
    }),
    async (c) => {
      const queued = await deps.services.evidence.queueSync(c.get('org').id, actorOf(c, deps));
      return c.json(Queued.parse(queued), 202);
    },
  );

  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/runs',
      tags: ['runs'],
      summary: 'Recent job runs, errors explained',
      request: { params: OrgParam, query: LimitQuery },
      responses: { 200: json(RunList, 'Runs, newest first.') },
    }),
    async (c) => {
      const { limit } = input(c, 'query', LimitQuery);
      return reply(c, RunList, { runs: await deps.services.runs.list(c.get('org').id, { limit }) });
    },
  );
}
