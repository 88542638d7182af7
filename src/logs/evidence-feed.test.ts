import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator, type TenantCredentials } from '../emulator/index.js';
import { createServices, DuoClients } from '../services/index.js';
import { openStore, type Store } from '../store/index.js';
import { logsConfigSchema } from './config-schema.js';
import { normaliseLogsConfig } from './logs-config.js';
import { logsMigrations } from './migrations.js';
import { openLogsService, type LogsService } from './service.js';

// The auth-log evidence signal with log collection on reads the collected stream (no second auth-log request
// to Duo), and with collection off polls Duo as before. Real parts: the emulator over TLS, the guarded
// client, SQLite, the collector and the evidence poll through createServices.
let emulator: Emulator;
let listening: Awaited<ReturnType<Emulator['listen']>>;
let creds: TenantCredentials;
let dir: string;
const opened: { store: Store; clients: DuoClients; logs?: LogsService }[] = [];
// The evidence polls' clock: frozen when set, so two polls plan the very same window.
let evidenceAt: number | null = null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duowatch-evidence-feed-'));
  emulator = await createEmulator({ seed: 'evidence-feed', users: 80, rateLimit: false });
  listening = await emulator.listen({ tlsDir: join(dir, 'tls') });
  creds = emulator.credentials()[0]!;
});

afterAll(async () => {
  for (const o of opened) {
    await o.logs?.close();
    await o.clients.close();
    await o.store.close();
  }
  await listening.close();
  rmSync(dir, { recursive: true, force: true });
});

async function world(name: string, routes: unknown[], collectorLagMs = 0) {
  const store = await openStore({ dataDir: join(dir, name), env: {}, migrations: logsMigrations });
  const clients = new DuoClients({
    transport: {
      resolve: { [creds.hostname]: { address: listening.address, port: listening.port } },
      extraCaPem: [readFileSync(listening.caFile, 'utf8')],
      allowPrivateAddresses: true,
    },
    ratesPerMinute: { auth_log: 6000, log: 6000 },
  });
  const now = () => emulator.world.clock.now();
  const services = createServices({ store, clients, clock: { now: () => evidenceAt ?? now() } });
  await services.orgs.create({ slug: 'acme', name: 'Acme' }, { id: 'test' });
  const added = await services.integrations.add(
    'acme',
    { kind: 'admin', apiHost: creds.hostname, ikey: creds.admin.ikey, skey: creds.admin.skey },
    {},
    { id: 'test' },
  );
  const integrationId = added.integration!.id;
  const org = (await store.organizations.findBySlug('acme'))!;
  const issues: { path: string; message: string }[] = [];
  const config = await normaliseLogsConfig(
    logsConfigSchema.parse({ sinks: { f: { type: 'file', path: 'duo.ndjson' } }, routes }),
    { env: {}, dataDir: join(dir, name) },
    issues,
  );
  expect(issues).toEqual([]);
  const logs = await openLogsService({
    config,
    dataDir: join(dir, name),
    env: {},
    store,
    clientFor: (o, i) => clients.forIntegration(store, o, i),
    demo: false,
    now: () => now() - collectorLagMs,
  });
  services.useCollectedAuthLog?.(logs.collectedAuthLog);
  opened.push({ store, clients, logs });
  return { services, logs, org, integrationId };
}

const authLogRequests = () =>
  emulator.control
    .requests({ host: creds.hostname })
    .filter((r) => r.path === '/admin/v2/logs/authentication');

describe('auth_log_aggregate and log collection', () => {
  it('with collection on, reads the collected stream: the same aggregate, no auth-log request to Duo', async () => {
    const on = await world('on', [{ org: 'acme', streams: ['auth'], sinks: ['f'] }]);
    const off = await world('off', [{ org: 'other', sinks: ['f'] }]);
    const reports = await on.logs.poll(on.org.id, on.integrationId, { respectBackoff: false });
    expect(reports.map((r) => [r.key.stream, r.outcome])).toEqual([['auth', 'ok']]);
    const collected = reports[0]!.result!.events;
    expect(collected).toBeGreaterThan(0);

    evidenceAt = emulator.world.clock.now();
    emulator.control.clearRequests();
    const fromCollected = await on.services.runEvidenceForIntegration(
      'auth_log_poll',
      on.org.id,
      on.integrationId,
      {
        manual: true,
      },
    );
    expect(fromCollected.outcome).toBe('ok');
    expect(authLogRequests()).toHaveLength(0);

    // The organization without a route: the evidence poll asks Duo, as it always did.
    const fromDuo = await off.services.runEvidenceForIntegration(
      'auth_log_poll',
      off.org.id,
      off.integrationId,
      {
        manual: true,
      },
    );
    expect(fromDuo.outcome).toBe('ok');
    expect(authLogRequests().length).toBeGreaterThan(0);

    // The same counts from either source; only the window's end differs (the polls ran a moment apart).
    const metrics = (r: typeof fromDuo) => {
      const m = { ...r.signals.find((s) => s.id === 'auth_log_aggregate')?.metrics } as Record<
        string,
        unknown
      >;
      delete m['windowEnd'];
      return m;
    };
    expect(metrics(fromCollected)).toEqual(metrics(fromDuo));
    // The collector's first window began a moment earlier than the evidence window: at most those extra.
    expect(metrics(fromCollected)['total']).toBeGreaterThan(0);
    expect(metrics(fromCollected)['total']).toBeLessThanOrEqual(collected);
  });

  it('asks Duo when the collected stream does not cover the window (collector behind)', async () => {
    // A collector whose last window ended 12 minutes ago (its clock ten minutes behind the evidence poll's).
    const w = await world('behind', [{ org: 'acme', streams: ['auth'], sinks: ['f'] }], 10 * 60_000);
    await w.logs.poll(w.org.id, w.integrationId, { respectBackoff: false });
    emulator.control.clearRequests();
    const r = await w.services.runEvidenceForIntegration('auth_log_poll', w.org.id, w.integrationId, {
      manual: true,
    });
    expect(r.outcome).toBe('ok');
    expect(authLogRequests().length).toBeGreaterThan(0);
  });
});
