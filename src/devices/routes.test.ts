import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDuoClient } from '../duo/index.js';
import { appDispatcher } from '../duo/test-support/app-dispatcher.test-helpers.js';
import { createEmulator, type Emulator, type TenantCredentials } from '../emulator/index.js';
import { harness, TEST_SCRYPT, type Harness } from '../server/harness.test-helpers.js';
import { openStore } from '../store/index.js';
import { DEVICES_UPLOAD_PATH } from './index.js';
import { raiserOf, type NewAlert } from '../app/index.js';
import { createDevicesService, type DevicesService } from './devices-service.js';
import { devicesMigrations } from './migrations.js';
import { mountDevicesRoutes } from './routes.js';

const ids = (n: number, from = 0): string[] =>
  Array.from(
    { length: n },
    (_, i) => `${(from + i).toString(16).padStart(8, '0')}-7921-4d8a-ae8c-1b605ad58903`,
  );

let h: Harness;
let emu: Emulator;
let t: TenantCredentials;
let service: DevicesService;
let integrationId: string;
const alerts: NewAlert[] = [];

beforeEach(async () => {
  emu = await createEmulator({ seed: 'devices-rest', users: 1, rateLimit: false });
  t = emu.credentials()[0] as TenantCredentials;
  h = await harness({
    realClock: true,
    // A file, so a test can sync through a second store connection as the CLI does.
    sqliteFile: true,
    options: {
      // As `serve` configures it: the upload path gets its own limit above the API's 64 KiB default.
      config: { scrypt: TEST_SCRYPT, bodyLimits: [{ path: DEVICES_UPLOAD_PATH, bytes: 150_000 }] },
      routes: [
        (app, deps) => {
          mountDevicesRoutes(app, deps, () => service, 150_000);
        },
      ],
    },
  });
  const migrations = devicesMigrations(h.store.dialect);
  await migrations['200-devices-sync']?.up(h.store.db);
  await migrations['201-devices-sync-progress']?.up(h.store.db);
  const integration = await h.store.integrations.create(h.orgs.a.id, {
    kind: 'device',
    apiHost: t.hostname,
    label: 'mac-fleet',
    mkey: t.device.mkey,
    ikey: t.device.ikey,
    skey: t.device.skey,
  });
  integrationId = integration.id;
  alerts.length = 0;
  service = createDevicesService({
    store: h.store,
    clientFor: () =>
      Promise.resolve(
        createDuoClient({
          host: t.hostname,
          ikey: t.device.ikey,
          skey: t.device.skey,
          dispatcher: appDispatcher(emu.app),
        }),
      ),
    settings: { shrinkThreshold: 0.5, staleAfterHours: 48 },
    alerts: raiserOf((a) => Promise.resolve(void alerts.push(a))),
    batchRetryDelaysMs: [0],
  });
});

afterEach(async () => {
  await h.close();
});

const path = (p: string) => `/api/v1/orgs/acme/devices${p}`;

/** The progress route as the dashboard polls it. */
const progressFor = async (client: Parameters<Harness['call']>[0]) =>
  (
    (await (await h.call(client, 'GET', path('/integrations/mac-fleet/progress'))).json()) as {
      progress: {
        running: boolean;
        phase: string;
        done: number;
        total: number;
        outcome: string | null;
      } | null;
    }
  ).progress;

describe('devices REST API', () => {
  it('an admin syncs from an upload; an auditor reads status and runs but cannot sync', async () => {
    const admin = await h.login('admin-a');
    const auditor = await h.login('auditor-a');
    const content = `device_id\n${ids(25).join('\n')}\n`;
    const res = await h.call(admin, 'POST', path(`/integrations/${integrationId}/sync`), {
      content,
      filename: 'fleet.csv',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      outcome: 'synced',
      plan: { active: 0, added: 25 },
      device_count: 25,
      input: { ids: 25, column: 'device_id' },
    });
    const denied = await h.call(auditor, 'POST', path(`/integrations/mac-fleet/sync`), { content });
    expect(denied.status).toBe(403);
    const status = await h.call(auditor, 'GET', path('/integrations/mac-fleet/status'));
    expect(await status.json()).toMatchObject({ active: { device_count: 25 }, stale: false, pending: [] });
    const runs = (await (await h.call(auditor, 'GET', path('/runs'))).json()) as { runs: unknown[] };
    expect(runs.runs).toMatchObject([{ outcome: 'synced', source: 'fleet.csv', trigger: 'api' }]);
    // Audited and kept as evidence.
    expect((await h.audit()).map((a) => a.action)).toContain('devices.sync');
    const evidence = await h.store.evidence.latest(h.orgs.a.id, ['devices.cache_sync']);
    expect(evidence[0]?.metrics).toMatchObject({ matched: true, device_count: 25 });
  });

  it('answers the shrink guard as a result, refuses a bad file with its lines, and caps the body', async () => {
    const admin = await h.login('admin-a');
    await h.call(admin, 'POST', path(`/integrations/${integrationId}/sync`), {
      content: `device_id\n${ids(10).join('\n')}`,
    });
    const refused = await h.call(admin, 'POST', path(`/integrations/${integrationId}/sync`), {
      content: `device_id\n${ids(2).join('\n')}`,
    });
    expect(await refused.json()).toMatchObject({ outcome: 'shrink_refused', plan: { removed: 8 } });
    const bad = await h.call(admin, 'POST', path(`/integrations/${integrationId}/sync`), {
      content: 'device_id\nnope\n',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/line 2/);
    // 2,000 identifiers (~94 KB) pass although the API's default limit is 64 KiB; 4,000 (~188 KB) do not.
    const fits = await h.call(admin, 'POST', path(`/integrations/${integrationId}/sync`), {
      content: `device_id\n${ids(2000).join('\n')}`,
    });
    expect(await fits.json()).toMatchObject({ outcome: 'synced', device_count: 2000 });
    const big = await h.call(admin, 'POST', path(`/integrations/${integrationId}/sync`), {
      content: `device_id\n${ids(4000).join('\n')}`,
    });
    expect(big.status).toBe(413);
  });

  it('alerts on a stale cache, and on a scheduled sync that fails or is refused', async () => {
    expect(await service.checkStale()).toBe(1);
    expect(alerts).toMatchObject([{ rule: 'devices.cache_stale', entity: integrationId, source: 'devices' }]);
    const scheduled = { trigger: 'schedule' as const, actor: 'scheduler' };
    const csv = (n: number) => ({
      bytes: Buffer.from(`device_id\n${ids(n).join('\n')}`),
      source: 'fleet.csv',
    });
    expect((await service.sync('acme', 'mac-fleet', csv(10), scheduled)).outcome).toBe('synced');
    expect(await service.checkStale()).toBe(0);
    expect((await service.sync('acme', 'mac-fleet', csv(3), scheduled)).outcome).toBe('shrink_refused');
    emu.control.addFault({ kind: 'error', status: 500, method: 'POST', path: '*/devices' });
    expect((await service.sync('acme', 'mac-fleet', csv(12), scheduled)).outcome).toBe('failed');
    expect(alerts.map((a) => a.rule)).toEqual([
      'devices.cache_stale',
      'devices.shrink_refused',
      'devices.sync_failed',
    ]);
    expect(alerts[1]?.fields).toMatchObject({ plan: { removed: 7, active: 10 } });
    // A sync from the CLI reports to the person running it; it raises nothing.
    await service.sync('acme', 'mac-fleet', csv(12), { trigger: 'cli', actor: 'cli' });
    expect(alerts).toHaveLength(3);
  });

  it("shows a running sync's progress while the upload call waits, then how it ended", async () => {
    const admin = await h.login('admin-a');
    const auditor = await h.login('auditor-a');
    const progressOf = () => progressFor(auditor);
    expect(await progressOf()).toBeNull();
    // Each add call waits 300 ms in the emulator, so the three batches leave time to look in between.
    emu.control.addFault({ kind: 'latency', latencyMs: 300, method: 'POST', path: '*/devices' });
    const pending = h.call(admin, 'POST', path(`/integrations/${integrationId}/sync`), {
      content: `device_id\n${ids(2500).join('\n')}`,
    });
    let ended = false;
    void pending.finally(() => (ended = true));
    const seen: string[] = [];
    // Polls until the call ends (bounded by the call itself and a ceiling on the count).
    for (let i = 0; i < 2000 && !ended; i++) {
      const p = await progressOf();
      if (p?.running === true && p.phase === 'uploading') seen.push(`${String(p.done)}/${String(p.total)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await (await pending).json()).toMatchObject({ outcome: 'synced', uploaded: 2500 });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((x) => /^(1000|2000|2500)\/2500$/.test(x))).toBe(true);
    expect(await progressOf()).toMatchObject({
      running: false,
      phase: 'done',
      done: 2500,
      total: 2500,
      outcome: 'synced',
    });
  });

  it('shows the progress of a sync the CLI runs with its own store connection (no shared memory)', async () => {
    const auditor = await h.login('auditor-a');
    const progressOf = () => progressFor(auditor);
    // As `duowatch devices sync` builds it (src/devices/commands/devices/run.ts): its own store connection.
    const cli = await openStore({ dataDir: h.dataDir, env: {} });
    try {
      const cliService = createDevicesService({
        store: cli,
        clientFor: () =>
          Promise.resolve(
            createDuoClient({
              host: t.hostname,
              ikey: t.device.ikey,
              skey: t.device.skey,
              dispatcher: appDispatcher(emu.app),
            }),
          ),
        settings: { shrinkThreshold: 0.5, staleAfterHours: 48 },
        batchRetryDelaysMs: [0],
      });
      expect(await progressOf()).toBeNull();
      emu.control.addFault({ kind: 'latency', latencyMs: 700, method: 'POST', path: '*/devices' });
      const pending = cliService.sync(
        'acme',
        'mac-fleet',
        { bytes: Buffer.from(`device_id\n${ids(2500).join('\n')}`), source: 'fleet.csv' },
        { trigger: 'cli', actor: 'cli' },
      );
      let ended = false;
      void pending.finally(() => (ended = true));
      const seen: string[] = [];
      for (let i = 0; i < 2000 && !ended; i++) {
        const p = await progressOf();
        if (p?.running === true) seen.push(`${p.phase} ${String(p.done)}/${String(p.total)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await pending).toMatchObject({ outcome: 'synced', uploaded: 2500 });
      // The serving process saw the other connection's run while it uploaded, batch by batch.
      expect(seen.filter((x) => /^uploading (1000|2000|2500)\/2500$/.test(x)).length).toBeGreaterThan(0);
      expect(await progressOf()).toMatchObject({
        running: false,
        phase: 'done',
        done: 2500,
        total: 2500,
        outcome: 'synced',
      });
    } finally {
      await cli.close();
    }
  });
});
