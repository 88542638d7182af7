import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilityMigrations, createLogEventHub, type NewAlert, raiserOf } from '../../app/index.js';
import { createDuoClient, LimiterRegistry, systemClock } from '../../duo/index.js';
import { appDispatcher } from '../../duo/test-support/app-dispatcher.test-helpers.js';
import { createEmulator, type Emulator, type TenantCredentials } from '../../emulator/index.js';
import { createClock } from '../../emulator/world/index.js';
import { checkpointRepository, collectOrg } from '../../logs/index.js';
import { openStore, type Organization, type Store } from '../../store/index.js';
import { HEALTH_DEFAULTS } from '../config-schema.js';
import { HealthMonitor } from '../monitor/monitor.js';
import { subjectsOf } from '../probe/probe-targets.js';
import { FactorHealth } from './factor-health.js';

// End to end, each part real: the emulator's telephony fault → Auth API calls that fail → the auth log
// collected by the logs capability's collector → the log event hub → per-factor health → the monitor's probe
// over TLS turns the Auth integration DEGRADED and raises `health.degraded`. The alert raiser is the leaf:
// it records what it was asked to raise.
const CALLS = 12;
let emulator: Emulator;
let listening: Awaited<ReturnType<Emulator['listen']>>;
let creds: TenantCredentials;
let dir: string;
let store: Store;
let org: Organization;
const alerts: NewAlert[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duowatch-telephony-'));
  // Emulated time starts four minutes behind the wall clock and catches up when the calls time out and the
  // auth log's two-minute visibility delay has passed, so the probe afterwards sees no clock skew.
  const clock = createClock({ offsetMs: -240_000 });
  emulator = await createEmulator({
    seed: 'telephony-e2e',
    users: 40,
    clock,
    rateLimit: false,
    signAgainstWallClock: true,
  });
  listening = await emulator.listen({ tlsDir: join(dir, 'tls') });
  creds =
    emulator.credentials()[0] ??
    (() => {
      throw new Error('no tenant');
    })();
  store = await openStore({ dataDir: join(dir, 'data'), env: {}, migrations: capabilityMigrations });
  org = await store.organizations.create({ slug: 'acme', name: 'Acme' });
  await store.integrations.create(org.id, {
    kind: 'admin',
    apiHost: creds.hostname,
    ikey: creds.admin.ikey,
    skey: creds.admin.skey,
    label: 'Admin',
  });
  await store.integrations.create(org.id, {
    kind: 'auth',
    apiHost: creds.hostname,
    ikey: creds.auth.ikey,
    skey: creds.auth.skey,
    label: 'Auth',
  });
});

afterAll(async () => {
  await store.close();
  await listening.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('telephony failing alone', () => {
  it('is seen in the collected auth log as a degraded phone_call factor, and the integration alerts DEGRADED', async () => {
    const emuNow = (): number => emulator.world.clock.now();
    const auth = createDuoClient({
      ...creds.auth,
      host: creds.hostname,
      dispatcher: appDispatcher(emulator.app),
      limiter: new LimiterRegistry({ clock: systemClock }),
    });
    const tenant = emulator.world.tenant(creds.hostname);
    const callers = tenant
      .users()
      .filter((u) => u.status === 'active' && u.phones.some((p) => p.capabilities.includes('phone')));
    const pushers = tenant
      .users()
      .filter((u) => u.status === 'active' && u.phones.some((p) => p.capabilities.includes('push')));
    expect(callers.length).toBeGreaterThan(0);
    expect(pushers.length).toBeGreaterThan(0);

    emulator.control.addFault({ kind: 'telephony' });
    const calls = Array.from({ length: CALLS }, (_, i) => {
      const user = callers[i % callers.length];
      emulator.control.setUserBehaviour(creds.hostname, user?.username ?? '', { kind: 'approve', afterS: 2 });
      return auth.request({
        method: 'POST',
        path: '/auth/v2/auth',
        params: {
          username: user?.username ?? '',
          factor: 'phone',
          device: 'auto',
          async: '1',
        },
      });
    });
    const pushes = Array.from({ length: CALLS }, (_, i) => {
      const user = pushers[i % pushers.length];
      return auth.request({
        method: 'POST',
        path: '/auth/v2/auth',
        params: {
          username: user?.username ?? '',
          factor: 'push',
          device: 'auto',
          async: '1',
        },
      });
    });
    await Promise.all([...calls, ...pushes]);
    // Pushes are approved after 2 s; nobody answers the calls, which time out after 60 s.
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));
    emulator.world.clock.advance(60_000);
    await settle();
    emulator.world.clock.advance(180_000);
    await settle();
    const logged = tenant.authLog({
      mintime: emuNow() - 600_000,
      maxtime: emuNow(),
      limit: 1000,
      sort: 'ts:asc',
    });
    const timedOut = logged.events.filter((e) => e.factor === 'phone_call' && e.reason === 'call_timed_out');
    expect(timedOut.length).toBe(CALLS);

    const factors = new FactorHealth({
      windowMs: 15 * 60_000,
      baselineMs: 6 * 3_600_000,
      minAttempts: 10,
      errorShare: 0.2,
      baselineFactor: 3,
    });
    const hub = createLogEventHub((error) => {
      throw error;
    });
    hub.subscribe((events) => factors.ingest(events, emuNow()));
    const admin = createDuoClient({
      ...creds.admin,
      host: creds.hostname,
      dispatcher: appDispatcher(emulator.app),
      limiter: new LimiterRegistry({ clock: systemClock, ratesPerMinute: { log: 0, auth_log: 0 } }),
    });
    const [report] = await collectOrg(
      {
        store,
        repo: checkpointRepository(store),
        clientFor: () => Promise.resolve(admin),
        sinks: [],
        lock: { run: (fn) => fn() },
        hub,
        now: emuNow,
        owner: `test:${String(process.pid)}`,
      },
      org,
      { streams: ['auth'], firstFrom: emuNow() - 6 * 3_600_000 },
    );
    expect(report?.error ?? null).toBeNull();

    const readings = factors.read(org.id, emuNow());
    const phone = readings.find((r) => r.factor === 'phone_call');
    const push = readings.find((r) => r.factor === 'push');
    expect(phone?.degraded).toBe(true);
    expect(phone?.failures).toBeGreaterThanOrEqual(CALLS);
    expect(push?.degraded).toBe(false);
    expect(push?.attempts).toBeGreaterThanOrEqual(CALLS);

    const monitor = new HealthMonitor({
      store,
      config: HEALTH_DEFAULTS,
      transport: {
        resolve: { [creds.hostname]: { address: listening.address, port: listening.port } },
        extraCaPem: [readFileSync(listening.caFile, 'utf8')],
        allowPrivateAddresses: true,
      },
      alerts: raiserOf((a) => Promise.resolve(void alerts.push(a))),
      factorIssues: (orgId) => factors.issues(orgId, emuNow()),
    });
    try {
      const subject = (await subjectsOf(store, org)).find((s) => s.kind === 'auth');
      if (subject === undefined) throw new Error('no auth integration');
      const outcome = await monitor.probe(subject);
      // The tenant itself answers: ping and the signed check pass; only the factor is failing.
      expect(outcome?.healthy).toBe(true);
      const state = await monitor.repo.state(subject.integrationId);
      expect(state?.state).toBe('DEGRADED');
      expect(state?.machine.reason ?? '').toMatch(/factor phone_call failing: \d+ of \d+ attempts/);
      const degraded = alerts.filter((a) => a.rule === 'health.degraded');
      expect(degraded).toHaveLength(1);
      expect(degraded[0]).toMatchObject({ orgId: org.id, source: 'health', entity: subject.integrationId });
      expect(String(degraded[0]?.fields?.['reason'])).toMatch(/factor phone_call failing/);
      expect(alerts.some((a) => a.rule === 'health.clock_skew')).toBe(false);
    } finally {
      monitor.close();
    }
  });
});
