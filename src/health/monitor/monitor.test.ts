import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiserOf, type NewAlert } from '../../app/index.js';
import { createEmulator, type Emulator, type TenantCredentials } from '../../emulator/index.js';
import { openStore, type Store } from '../../store/index.js';
import { HEALTH_DEFAULTS } from '../config-schema.js';
import { subjectsOf, type ProbeSubject } from '../probe/probe-targets.js';
import { healthMigrations } from '../store/migrations.js';
import { HealthMonitor } from './monitor.js';
import { healthStatus } from './status.js';

// The monitor over a real SQLite store and the emulator over TLS: states, transitions, buckets and alerts.
let emulator: Emulator;
let listening: Awaited<ReturnType<Emulator['listen']>>;
let creds: TenantCredentials;
let dir: string;
let store: Store;
let subject: ProbeSubject;
const alerts: NewAlert[] = [];
let monitor: HealthMonitor;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duowatch-monitor-'));
  emulator = await createEmulator({ seed: 'monitor-test', users: 10, rateLimit: false });
  listening = await emulator.listen({ tlsDir: join(dir, 'tls') });
  creds =
    emulator.credentials()[0] ??
    (() => {
      throw new Error('no tenant');
    })();
  store = await openStore({ dataDir: join(dir, 'data'), env: {}, migrations: healthMigrations });
  const org = await store.organizations.create({ slug: 'acme', name: 'Acme' });
  await store.integrations.create(org.id, {
    kind: 'admin',
    apiHost: creds.hostname,
    ikey: creds.admin.ikey,
    skey: creds.admin.skey,
    label: 'Admin',
  });
  subject =
    (await subjectsOf(store, org))[0] ??
    (() => {
      throw new Error('no integration');
    })();
  monitor = new HealthMonitor({
    store,
    config: { ...HEALTH_DEFAULTS, retries: 3, recoveries: 2 },
    transport: {
      resolve: { [creds.hostname]: { address: listening.address, port: listening.port } },
      extraCaPem: [readFileSync(listening.caFile, 'utf8')],
      allowPrivateAddresses: true,
    },
    alerts: raiserOf((a) => Promise.resolve(void alerts.push(a))),
  });
});

afterAll(async () => {
  monitor.close();
  await store.close();
  await listening.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HealthMonitor', () => {
  it('walks UP → PENDING → DOWN on Duo 503s and back to UP after two good probes, alerting twice', async () => {
    await monitor.probe(subject);
    expect((await monitor.repo.state(subject.integrationId))?.state).toBe('UP');
    const fault = emulator.control.addFault({ kind: 'error', path: '/admin/v1/settings', status: 503 });
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      await monitor.probe(subject);
      seen.push((await monitor.repo.state(subject.integrationId))?.state ?? '?');
    }
    expect(seen).toEqual(['PENDING', 'PENDING', 'DOWN']);
    expect(alerts.map((a) => a.rule)).toEqual(['health.down']);
    expect(alerts[0]).toMatchObject({
      source: 'health',
      severity: 'critical',
      entity: subject.integrationId,
    });
    expect(String(alerts[0]?.fields?.['reason'])).toMatch(
      /ping answers but the signed GET \/admin\/v1\/settings failed.*503/,
    );
    emulator.control.removeFault(fault.id);
    await monitor.probe(subject);
    expect((await monitor.repo.state(subject.integrationId))?.state).toBe('DOWN');
    await monitor.probe(subject);
    expect((await monitor.repo.state(subject.integrationId))?.state).toBe('UP');
    expect(alerts.map((a) => a.rule)).toEqual(['health.down', 'health.recovered']);

    const transitions = (await monitor.repo.transitions(null)).map((t) => `${t.from}->${t.to}`).reverse();
    expect(transitions).toEqual(['PENDING->UP', 'UP->PENDING', 'PENDING->DOWN', 'DOWN->UP']);

    // Six probes: PENDING counts as up (as Uptime Kuma), DOWN and "recovering" probes as down.
    const [row] = await healthStatus(store, monitor.repo, monitor.config, Date.now());
    expect(row).toMatchObject({ state: 'UP', kind: 'admin' });
    expect(row?.uptime['24h']).toBeCloseTo((4 / 6) * 100, 2);
    expect(row?.latency_ms['24h'].samples).toBe(3);
    expect(row?.slo).toEqual({ target: 99.9, met_30d: false });
    const minute = await monitor.repo.totals(subject.integrationId, 'minute', 0, Date.now() + 1);
    const day = await monitor.repo.totals(subject.integrationId, 'day', 0, Date.now() + 1);
    expect(minute.up + minute.down).toBe(6);
    expect(day).toMatchObject({ up: minute.up, down: minute.down, latCount: 3 });
  });

  it('a maintenance window covers the probe: no alert, counted apart from uptime', async () => {
    const before = alerts.length;
    const inMaintenance = new HealthMonitor({
      store,
      config: {
        ...HEALTH_DEFAULTS,
        retries: 1,
        maintenance: [
          {
            org: 'acme',
            start: new Date(Date.now() - 60_000).toISOString(),
            end: new Date(Date.now() + 600_000).toISOString(),
            reason: 'upgrade',
          },
        ],
      },
      transport: { resolve: {}, resolver: () => Promise.reject(new Error('getaddrinfo ENOTFOUND')) },
      alerts: raiserOf((a) => Promise.resolve(void alerts.push(a))),
    });
    try {
      await inMaintenance.probe(subject);
      const s = await inMaintenance.repo.state(subject.integrationId);
      expect(s?.state).toBe('MAINTENANCE');
      expect(s?.machine.base).toBe('DOWN');
      expect(alerts.length).toBe(before);
      const minute = await inMaintenance.repo.totals(subject.integrationId, 'minute', 0, Date.now() + 1);
      expect(minute.maintenance).toBe(1);
    } finally {
      inMaintenance.close();
    }
  });

  it('a window scheduled through the API (stored) covers the probe exactly like a config window', async () => {
    const before = alerts.length;
    const scheduled = new HealthMonitor({
      store,
      config: { ...HEALTH_DEFAULTS, retries: 1 },
      transport: { resolve: {}, resolver: () => Promise.reject(new Error('getaddrinfo ENOTFOUND')) },
      alerts: raiserOf((a) => Promise.resolve(void alerts.push(a))),
    });
    try {
      const window = await scheduled.maintenance.add({
        orgId: subject.orgId,
        integrationId: subject.integrationId,
        start: Date.now() - 60_000,
        end: Date.now() + 600_000,
        reason: 'scheduled upgrade',
        createdBy: 'admin',
        createdAt: Date.now(),
      });
      const counted = (await scheduled.repo.totals(subject.integrationId, 'minute', 0, Date.now() + 1))
        .maintenance;
      await scheduled.probe(subject);
      const s = await scheduled.repo.state(subject.integrationId);
      expect(s?.state).toBe('MAINTENANCE');
      expect(s?.machine.base).toBe('DOWN');
      expect(alerts.length).toBe(before);
      const minute = await scheduled.repo.totals(subject.integrationId, 'minute', 0, Date.now() + 1);
      expect(minute.maintenance).toBe(counted + 1);
      // Deleted, the window no longer covers the next probe.
      expect(await scheduled.maintenance.remove(subject.orgId, window.id)).toMatchObject({ id: window.id });
      await scheduled.probe(subject);
      expect((await scheduled.repo.state(subject.integrationId))?.state).not.toBe('MAINTENANCE');
    } finally {
      scheduled.close();
    }
  });
});
