import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRepository } from '../../../alerts/alerts.repository.js';
import { capabilityMigrations } from '../../../app/index.js';
import { runCli, startLogsCliEmulator, type CliEmulator } from '../../../cli/cli-emulator.test-helpers.js';
import { openStore, type Store } from '../../../store/index.js';

// Through the real CLI against the emulator over TLS: `logs run` and `logs once` without --sink deliver the
// alerts routes from the outbox (alert changes stored by other processes: this test's own store handle and
// `duowatch alerts ack`), and `logs backfill` without --sink goes through the routes and the auth-log evidence
// feed.
let world: CliEmulator;
let env: Record<string, string>;
let alertsFile: string;
let histFile: string;
let bothFile: string;
let store: Store;

beforeAll(async () => {
  world = await startLogsCliEmulator('duowatch-cli-logs-routed-alerts-', 'cli-logs-alerts', 30);
  alertsFile = join(world.dir, 'alerts.ndjson');
  histFile = join(world.dir, 'hist.ndjson');
  bothFile = join(world.dir, 'both.ndjson');
  const configFile = join(world.dir, 'duowatch.yaml');
  writeFileSync(
    configFile,
    `logs:
  firstRunLookback: 2h
  sinks:
    alerts: { type: file, path: ${JSON.stringify(alertsFile)}, format: raw }
    hist: { type: file, path: ${JSON.stringify(histFile)}, format: raw }
    both: { type: file, path: ${JSON.stringify(bothFile)}, format: raw }
  routes:
    - { org: acme, streams: [alerts], sinks: [alerts] }
    - { org: hist, streams: [auth, admin], sinks: [hist] }
    - { org: both, streams: [auth, alerts], sinks: [both] }
`,
  );
  env = { ...world.env, DUOWATCH_CONFIG: configFile };
});

afterAll(async () => {
  await store?.close();
  await world.close();
});

const run = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(args, { env: { ...env, ...extraEnv } });

const lines = (file: string): Array<Record<string, unknown>> =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function addOrg(slug: string): Promise<void> {
  expect((await run(['orgs', 'add', slug, '--name', slug])).code).toBe(0);
  const add = await run(
    [
      'integrations',
      'add',
      '--org',
      slug,
      '--host',
      world.creds.hostname,
      '--ikey',
      world.creds.admin.ikey,
      '--force',
    ],
    { DUOWATCH_SKEY: world.creds.admin.skey },
  );
  expect(add.code).toBe(0);
}

describe('routed alerts and backfill through the CLI', () => {
  it('logs run delivers alert changes stored by other processes; acknowledge and resolve arrive as their own events', async () => {
    await addOrg('acme');
    store = await openStore({
      dataDir: env['DUOWATCH_DATA_DIR']!,
      env: {},
      migrations: capabilityMigrations,
    });
    const acme = (await store.organizations.findBySlug('acme'))!;
    const raised = await alertRepository(store).raise(
      {
        orgId: acme.id,
        source: 'detect',
        rule: 'duo.fraud',
        title: 'User reported a Duo request as fraud',
        severity: 'high',
        entity: 'alice',
        firstSeen: new Date(),
        lastSeen: new Date(),
      },
      { suppressForMs: 3_600_000 },
    );
    const id = raised.alert.id;

    const first = await run([
      'logs',
      'run',
      '--org',
      'acme',
      '--streams',
      'alerts',
      '--rounds',
      '1',
      '--interval',
      '1',
    ]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(lines(alertsFile).map((l) => [l['id'], (l['change'] as { action: string }).action])).toEqual([
      [id, 'created'],
    ]);

    expect((await run(['alerts', 'ack', id, '--note', 'on it'])).code).toBe(0);
    expect((await run(['alerts', 'resolve', id])).code).toBe(0);
    // Without --streams the daemon runs the Duo streams of the routes (none for acme) and the alerts.
    const second = await run(['logs', 'run', '--org', 'acme', '--rounds', '1', '--interval', '1']);
    expect(second.err).toBe('');
    expect(second.code).toBe(0);
    const all = lines(alertsFile);
    expect(all.map((l) => l['change'])).toEqual([
      expect.objectContaining({ action: 'created', by: null }),
      expect.objectContaining({ action: 'acknowledged', by: 'cli', note: 'on it' }),
      expect.objectContaining({ action: 'resolved', by: 'cli' }),
    ]);
    expect(new Set(all.map((l) => (l['duowatch'] as { id: string }).id)).size).toBe(3);

    // Nothing new: a further round writes nothing; status shows the alerts stream beside Duo's.
    expect(
      (await run(['logs', 'run', '--org', 'acme', '--streams', 'alerts', '--rounds', '1', '--interval', '1']))
        .code,
    ).toBe(0);
    expect(lines(alertsFile)).toHaveLength(3);
    const status = JSON.parse((await run(['logs', 'status', '--org', 'acme', '--json'])).out) as {
      streams: Array<{ stream: string; events: number; status: string }>;
    };
    expect(status.streams).toEqual([expect.objectContaining({ stream: 'alerts', events: 3, status: 'ok' })]);
  });

  it('logs backfill without --sink goes through the routes from --since and feeds the auth-log evidence', async () => {
    await addOrg('hist');
    const since = Date.now() - 12 * 3_600_000;
    const backfill = await run([
      'logs',
      'backfill',
      '--org',
      'hist',
      '--since',
      new Date(since).toISOString(),
      '--streams',
      'auth,admin,telephony',
      '--json',
    ]);
    expect(backfill.code).toBe(0);
    expect(backfill.err).toMatch(/backfill .* events delivered/);
    const summary = JSON.parse(backfill.out) as { streams: Array<{ stream: string; events: number }> };
    // Only the routed streams of the selection (telephony is not routed for hist).
    expect(summary.streams.map((s) => s.stream)).toEqual(['auth', 'admin']);
    const got = lines(histFile);
    expect(got.length).toBe(summary.streams.reduce((n, s) => n + s.events, 0));
    const auth = got.filter((l) => (l['duowatch'] as { stream: string }).stream === 'auth');
    expect(auth.length).toBeGreaterThan(0);
    expect(auth.every((l) => Number(l['timestamp']) * 1000 >= since - 1000)).toBe(true);
    // From --since, not from the routes' first-run lookback (2h).
    const admin = got.filter((l) => (l['duowatch'] as { stream: string }).stream === 'admin');
    expect([...auth, ...admin].some((l) => Number(l['timestamp']) * 1000 < Date.now() - 2 * 3_600_000)).toBe(
      true,
    );
    // The evidence feed stored the same authentications (one row per event id).
    const hist = (await store.organizations.findBySlug('hist'))!;
    const db = store.db as unknown as Kysely<{ log_auth_evidence: { org_id: string; id: string } }>;
    const fed = await db.selectFrom('log_auth_evidence').select('id').where('org_id', '=', hist.id).execute();
    expect(new Set(fed.map((r) => r.id))).toEqual(
      new Set(auth.map((l) => (l['duowatch'] as { id: string }).id)),
    );

    // An organization no route names is a usage error, as for `logs once`.
    await addOrg('other');
    const unrouted = await run(['logs', 'backfill', '--org', 'other', '--since', '1h']);
    expect(unrouted.code).toBe(2);
    expect(unrouted.err).toMatch(/no logs\.routes entry collects organization "other".*\[logs\.no_sink\]/);
  });

  it('logs once without --sink also delivers the alerts routes: one "alerts" entry after the Duo streams', async () => {
    await addOrg('both');
    const both = (await store.organizations.findBySlug('both'))!;
    const raised = await alertRepository(store).raise(
      {
        orgId: both.id,
        source: 'detect',
        rule: 'duo.fraud',
        title: 'User reported a Duo request as fraud',
        severity: 'high',
        entity: 'bob',
        firstSeen: new Date(),
        lastSeen: new Date(),
      },
      { suppressForMs: 3_600_000 },
    );
    const id = raised.alert.id;
    type Summary = { streams: Array<{ stream: string; events: number; newest: string | null }> };
    const once = await run(['logs', 'once', '--org', 'both', '--json']);
    expect(once.err).toBe('');
    expect(once.code).toBe(0);
    const summary = JSON.parse(once.out) as Summary;
    // The routed Duo stream's entry as before, then the alerts entry with the same three fields.
    expect(summary.streams.map((s) => Object.keys(s))).toEqual([
      ['stream', 'events', 'newest'],
      ['stream', 'events', 'newest'],
    ]);
    expect(summary.streams[0]!.stream).toBe('auth');
    expect(summary.streams[1]).toEqual({
      stream: 'alerts',
      events: 1,
      newest: raised.alert.createdAt.toISOString(),
    });
    const kinds = (): string[] => lines(bothFile).map((l) => (l['duowatch'] as { stream: string }).stream);
    expect(kinds().filter((k) => k === 'auth')).toHaveLength(summary.streams[0]!.events);
    const alertLines = () =>
      lines(bothFile).filter((l) => (l['duowatch'] as { stream: string }).stream === 'alerts');
    expect(alertLines().map((l) => [l['id'], (l['change'] as { action: string }).action])).toEqual([
      [id, 'created'],
    ]);

    // --streams without alerts leaves them; naming only alerts delivers only them.
    expect((await run(['alerts', 'ack', id, '--note', 'seen'])).code).toBe(0);
    const authOnly = await run(['logs', 'once', '--org', 'both', '--streams', 'auth', '--json']);
    expect(authOnly.code).toBe(0);
    expect((JSON.parse(authOnly.out) as Summary).streams.map((s) => s.stream)).toEqual(['auth']);
    expect(alertLines()).toHaveLength(1);
    const alertsOnly = await run(['logs', 'once', '--org', 'both', '--streams', 'alerts', '--json']);
    expect(alertsOnly.err).toBe('');
    expect(alertsOnly.code).toBe(0);
    expect((JSON.parse(alertsOnly.out) as Summary).streams).toEqual([
      { stream: 'alerts', events: 1, newest: expect.any(String) as string },
    ]);
    expect(alertLines().map((l) => (l['change'] as { action: string; by: string }).action)).toEqual([
      'created',
      'acknowledged',
    ]);

    // An organization whose routes carry only its alerts (acme, delivered by `logs run` above): nothing new.
    const acmeOnce = await run(['logs', 'once', '--org', 'acme', '--json']);
    expect(acmeOnce.err).toBe('');
    expect(acmeOnce.code).toBe(0);
    expect((JSON.parse(acmeOnce.out) as Summary).streams).toEqual([
      { stream: 'alerts', events: 0, newest: expect.any(String) as string },
    ]);
    // With --sink there are only Duo's streams.
    const adHoc = await run([
      'logs',
      'once',
      '--org',
      'both',
      '--streams',
      'alerts',
      '--sink',
      `file:${join(world.dir, 'adhoc.ndjson')}`,
    ]);
    expect(adHoc.code).toBe(2);
  });
});
