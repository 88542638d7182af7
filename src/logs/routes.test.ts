import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../server/harness.test-helpers.js';
import { logsConfigSchema } from './config-schema.js';
import { normaliseLogsConfig } from './logs-config.js';
import { inventoryStore } from './inventory.js';
import { logsMigrations } from './migrations.js';
import { mountLogsRoutes } from './routes.js';
import { openLogsService, type LogsService } from './service.js';

// The logs routes through the real server (sessions, roles, CSRF, error shape) over the real store.
let h: Harness;
let dir: string;
let service: LogsService;
let queued: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duowatch-logs-routes-'));
  queued = [];
  const late: { service?: LogsService } = {};
  const need = (): LogsService => {
    if (late.service === undefined) throw new Error('logs service not ready');
    return late.service;
  };
  h = await harness({
    options: {
      routes: [
        (app, deps) =>
          mountLogsRoutes(
            app,
            deps,
            {
              collects: (o) => need().collects(o),
              streams: (o) => need().streams(o),
              sinkViews: () => need().sinkViews(),
              snapshots: (o) => need().snapshots(o),
            } as LogsService,
            (orgId) => {
              queued.push(orgId);
              return Promise.resolve(2);
            },
          ),
      ],
    },
  });
  const migrations = logsMigrations(h.store.dialect);
  await migrations['100-log-checkpoints']?.up(h.store.db as never);
  await migrations['102-log-inventory']?.up(h.store.db as never);
  await migrations['103-log-shared-state']?.up(h.store.db as never);
  const issues: { path: string; message: string }[] = [];
  const config = await normaliseLogsConfig(
    logsConfigSchema.parse({
      sinks: { archive: { type: 'file', path: 'archive.ndjson' } },
      routes: [{ org: 'acme', sinks: ['archive'] }],
    }),
    { env: {}, dataDir: dir },
    issues,
  );
  expect(issues).toEqual([]);
  service = await openLogsService({
    config,
    dataDir: dir,
    env: {},
    store: h.store,
    clientFor: () => Promise.reject(new Error('no Duo in this test')),
    demo: false,
    now: () => h.now.t,
  });
  late.service = service;
});

afterEach(async () => {
  await service.close();
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /api/v1/orgs/{org}/logs', () => {
  it("shows the organization's streams with lag and the sinks, to auditors", async () => {
    const key = { orgId: h.orgs.a.id, integrationId: 'int-1', accountId: '', stream: 'auth' as const };
    const newest = h.now.t - 300_000;
    await service.repo.ensure(key, { from: 0, boundary: [], newestTs: null, pending: null }, h.now.t);
    await service.repo.commit(
      key,
      { from: newest, boundary: ['x'], newestTs: newest, pending: null },
      42,
      {},
      h.now.t,
    );
    const c = await h.login('auditor-a');
    const res = await h.call(c, 'GET', '/api/v1/orgs/acme/logs');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      collected: true,
      streams: [
        {
          stream: 'auth',
          integration: 'int-1',
          account: '',
          status: 'ok',
          needs_grant: false,
          events_total: 42,
          newest_delivered: new Date(newest).toISOString(),
          lag_seconds: 300,
          // The commit's 42 events over the ten-minute rate window (shared through the database), and that
          // rate over the 180 s between the newest event and now − 2 min.
          events_per_second: 0.07,
          backlog_estimate: 13,
          last_error: null,
        },
      ],
      sinks: [
        { name: 'archive', type: 'file', guarantee: 'exactly_once', queue_events: 0, queue_full: false },
      ],
    });
    // Not a member of globex: the organization is not even confirmed to exist.
    expect((await h.call(c, 'GET', '/api/v1/orgs/globex/logs')).status).toBe(404);
  });
});

describe('GET /api/v1/orgs/{org}/logs/inventory', () => {
  it("lists the organization's newest snapshots, counts without records, to auditors only of that org", async () => {
    const inv = inventoryStore(h.store);
    const taken = h.now.t - 3_600_000;
    await inv.save(
      { orgId: h.orgs.a.id, integrationId: 'int-1', accountId: '' },
      {
        kind: 'users',
        accountId: '',
        count: 2,
        truncated: false,
        error: null,
        takenMs: taken,
        items: [{ username: 'jdoe', email: 'jane@example.com' }, { username: 'bob' }],
      },
    );
    await inv.save(
      { orgId: h.orgs.a.id, integrationId: 'int-1', accountId: '' },
      {
        kind: 'endpoints',
        accountId: '',
        count: 0,
        truncated: false,
        error: 'Duo refused: 40301',
        takenMs: taken,
        items: [],
      },
    );
    await inv.save(
      { orgId: h.orgs.b.id, integrationId: 'int-2', accountId: '' },
      { kind: 'users', accountId: '', count: 0, truncated: false, error: null, takenMs: taken, items: [] },
    );
    const c = await h.login('auditor-a');
    const res = await h.call(c, 'GET', '/api/v1/orgs/acme/logs/inventory');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('jane@example.com');
    expect(JSON.parse(text)).toEqual({
      snapshots: [
        {
          integration: 'int-1',
          account: '',
          kind: 'endpoints',
          taken: new Date(taken).toISOString(),
          count: 0,
          truncated: false,
          error: 'Duo refused: 40301',
        },
        {
          integration: 'int-1',
          account: '',
          kind: 'users',
          taken: new Date(taken).toISOString(),
          count: 2,
          truncated: false,
          error: null,
        },
      ],
    });
    expect((await h.call(c, 'GET', '/api/v1/orgs/globex/logs/inventory')).status).toBe(404);
  });
});

describe('POST /api/v1/orgs/{org}/logs/collect', () => {
  it('queues a poll for admins, refuses auditors, and names an organization no route collects', async () => {
    const auditor = await h.login('auditor-a');
    expect((await h.call(auditor, 'POST', '/api/v1/orgs/acme/logs/collect')).status).toBe(403);
    expect(queued).toEqual([]);
    const admin = await h.login('admin-a');
    const ok = await h.call(admin, 'POST', '/api/v1/orgs/acme/logs/collect');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ queued: 2 });
    expect(queued).toEqual([h.orgs.a.id]);
    expect((await h.audit()).some((e) => e.action === 'logs.collect_now' && e.orgId === h.orgs.a.id)).toBe(
      true,
    );
    const root = await h.login('root');
    const refused = await h.call(root, 'POST', '/api/v1/orgs/globex/logs/collect');
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'logs_not_collected' } });
  });
});
