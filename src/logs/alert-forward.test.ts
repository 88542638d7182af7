import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertOutbox, alertsCapability } from '../alerts/index.js';
import { alertRepository } from '../alerts/alerts.repository.js';
import { createLogEventHub, type CapabilityContext, type StartedCapability } from '../app/index.js';
import { loadConfig } from '../config/index.js';
import { openStore, type DialectAdapter, type Store } from '../store/index.js';
import { alertStreamKey } from './alert-stream.js';
import { logsCapability } from './capability.js';
import { checkpointRepository } from './checkpoint.repository.js';

// duowatch's alerts forwarded to the log sinks as their own event type, through the real alerts capability
// (stored raiser, its feed) and the real logs capability (routes, file sinks), over SQLite.
let dir: string;
let store: Store;
let alerts: StartedCapability;
let logs: StartedCapability;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duowatch-alert-forward-'));
  await writeFile(
    join(dir, 'duowatch.yaml'),
    `alerts:
  outboxRetentionDays: 3
logs:
  sinks:
    raw-alerts: { type: file, path: alerts.ndjson, format: raw }
    ecs-alerts: { type: file, path: alerts-ecs.ndjson, format: ecs }
    duo-only: { type: file, path: duo.ndjson }
  routes:
    - { org: acme, streams: [alerts], sinks: [raw-alerts] }
    - { org: '*', streams: [alerts], sinks: [ecs-alerts], where: [{ field: severity, in: [high, critical] }] }
    - { org: '*', sinks: [duo-only] }
`,
  );
  const config = await loadConfig({ file: join(dir, 'duowatch.yaml'), env: {}, cwd: dir });
  const migrations = (a: DialectAdapter) => ({
    ...alertsCapability.migrations?.(a),
    ...logsCapability.migrations?.(a),
  });
  store = await openStore({ dataDir: config.dataDir, env: {}, migrations });
  await store.organizations.create({ slug: 'acme', name: 'Acme' });
  await store.organizations.create({ slug: 'globex', name: 'Globex' });
  const logger = {
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    debug: () => undefined,
  };
  const ctx = {
    config,
    store,
    clients: {} as CapabilityContext['clients'],
    services: {} as CapabilityContext['services'],
    logger,
    env: {},
    clock: () => new Date(),
    demo: null,
    shared: {
      logEvents: createLogEventHub(() => undefined),
      alerts: { raise: () => Promise.resolve() },
    },
  } as unknown as CapabilityContext;
  alerts = await alertsCapability.start!(ctx);
  logs = await logsCapability.start!({
    ...ctx,
    shared: { ...ctx.shared, ...alerts.provides },
  });
});

afterAll(async () => {
  await logs?.close?.();
  await alerts?.close?.();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

async function lines(file: string): Promise<Record<string, unknown>[]> {
  try {
    return (await readFile(join(dir, 'data', file), 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
}

async function waitForLines(file: string, n: number): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 400; i++) {
    const got = await lines(file);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 25));
  }
  return lines(file);
}

describe('alerts on the log sinks', () => {
  it('routes each alert change by organization and filter, raw with the change and envelope, ECS as event.kind alert', async () => {
    const acme = (await store.organizations.findBySlug('acme'))!;
    const globex = (await store.organizations.findBySlug('globex'))!;
    const raiser = alerts.provides!.alerts!;
    const base = {
      source: 'detect',
      firstSeen: new Date('2026-11-30T10:00:00Z'),
      lastSeen: new Date('2026-11-30T10:05:00Z'),
    };
    await raiser.raise({
      ...base,
      orgId: acme.id,
      rule: 'duo.mfa_fatigue',
      title: 'Push fatigue for jdoe',
      severity: 'high',
      entity: 'jdoe',
      eventIds: ['e1'],
      fields: { denied: 12 },
    });
    await raiser.raise({
      ...base,
      orgId: acme.id,
      rule: 'duo.new_country',
      title: 'New country for amy',
      severity: 'low',
      entity: 'amy',
    });
    await raiser.raise({
      ...base,
      orgId: globex.id,
      rule: 'health.down',
      title: 'Duo DOWN',
      severity: 'critical',
      entity: 'int-1',
    });
    // A repeat inside the suppression window is folded into the stored alert and goes out as its own change.
    await raiser.raise({
      ...base,
      orgId: acme.id,
      rule: 'duo.mfa_fatigue',
      title: 'Push fatigue for jdoe',
      severity: 'high',
      entity: 'jdoe',
    });

    const raw = await waitForLines('alerts.ndjson', 3);
    expect(raw.map((l) => [l['rule'], (l['change'] as { action: string }).action, l['count']])).toEqual([
      ['duo.mfa_fatigue', 'created', 1],
      ['duo.new_country', 'created', 1],
      ['duo.mfa_fatigue', 'repeated', 2],
    ]);
    expect(raw[0]).toMatchObject({
      source: 'detect',
      title: 'Push fatigue for jdoe',
      severity: 'high',
      entity: 'jdoe',
      status: 'open',
      event_ids: ['e1'],
      fields: { denied: 12 },
      duowatch: { stream: 'alerts', org: 'acme' },
    });
    const seq = (raw[0]!['change'] as { seq: number }).seq;
    expect((raw[0]!['duowatch'] as { id: string }).id).toBe(`alert-${String(raw[0]!['id'])}-${String(seq)}`);
    expect(raw[2]!['id']).toBe(raw[0]!['id']);

    const ecs = await waitForLines('alerts-ecs.ndjson', 3);
    expect(
      ecs.map((d) => [(d['rule'] as { id: string }).id, (d['event'] as { action: string }).action]).sort(),
    ).toEqual([
      ['duo.mfa_fatigue', 'created'],
      ['duo.mfa_fatigue', 'repeated'],
      ['health.down', 'created'],
    ]);
    expect(ecs[0]).toMatchObject({
      event: { kind: 'alert', dataset: 'duowatch.alert' },
      data_stream: { dataset: 'duowatch.alert' },
    });
    // Routes without `alerts` (here `*` = every Duo stream) carry no alert.
    expect(await lines('duo.ndjson')).toEqual([]);
    // Each change once.
    await new Promise((r) => setTimeout(r, 200));
    expect(await lines('alerts.ndjson')).toHaveLength(3);
  });

  it('serve prunes the outbox hourly: a change older than alerts.outboxRetentionDays goes once delivered', async () => {
    const acme = (await store.organizations.findBySlug('acme'))!;
    const prune = logs.jobs?.find((j) => j.kind === 'alert-outbox-prune');
    expect(prune).toMatchObject({ schedule: '47 * * * *' });
    // No fan-out: one run per slot (on PostgreSQL, one process runs it).
    expect(prune?.targets).toBeUndefined();
    const run = () =>
      prune!.handler({
        runId: 'test',
        scheduledFor: new Date(),
        signal: new AbortController().signal,
        attempt: 1,
        payload: {},
        trigger: 'schedule',
      });
    // A change stored four days ago by another process (nothing announced it): older than the retention, but
    // acme's alerts are routed here and its stream has not delivered it, so it waits.
    const old = await alertRepository(store, { clock: () => new Date(Date.now() - 4 * 86_400_000) }).raise(
      {
        orgId: acme.id,
        source: 'detect',
        rule: 'duo.old',
        title: 'Old',
        severity: 'low',
        entity: 'old',
        firstSeen: new Date(),
        lastSeen: new Date(),
      },
      { suppressForMs: 60_000 },
    );
    const ids = async () => (await alertOutbox(store).read(acme.id, 0, 1000)).map((c) => c.alertId);
    expect(await run()).toEqual({ status: 'succeeded', counts: { deleted: 0, batches: 1, waiting: 1 } });
    expect(await ids()).toContain(old.alert.id);
    // The next announced change makes serve deliver both; then the old one goes and the recent ones stay.
    await alerts.provides!.alerts!.raise({
      orgId: acme.id,
      source: 'detect',
      rule: 'duo.new',
      title: 'New',
      severity: 'low',
      entity: 'new',
      firstSeen: new Date(),
      lastSeen: new Date(),
    });
    const raw = await waitForLines('alerts.ndjson', 5);
    expect(raw.slice(3).map((l) => l['rule'])).toEqual(['duo.old', 'duo.new']);
    // The file is written before the commit: wait for the checkpoint to pass the newest change.
    const newest = (raw[4]!['change'] as { seq: number }).seq;
    const repo = checkpointRepository(store);
    for (let i = 0; i < 400; i++) {
      if (((await repo.get(alertStreamKey(acme.id)))?.checkpoint.seq ?? 0) >= newest) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const before = (await ids()).length;
    expect(await run()).toEqual({ status: 'succeeded', counts: { deleted: 1, batches: 1, waiting: 1 } });
    expect(await ids()).not.toContain(old.alert.id);
    expect(await ids()).toHaveLength(before - 1);
  });
});
