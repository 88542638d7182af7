import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDuoClient } from '../duo/index.js';
import { appDispatcher } from '../duo/test-support/app-dispatcher.test-helpers.js';
import { createEmulator, type Emulator, type TenantCredentials } from '../emulator/index.js';
import { openStore, type Store } from '../store/index.js';
import { deviceApi, type DeviceApi } from './device-api.js';
import { devicesMigrations } from './migrations.js';
import { devicesRepository, type DevicesRepository } from './devices-repository.js';
import { runSync, type SyncRequest } from './sync.js';

const ids = (n: number, from = 0): string[] =>
  Array.from(
    { length: n },
    (_, i) => `${(from + i).toString(16).padStart(8, '0')}-7921-4d8a-ae8c-1b605ad58903`,
  );

let emu: Emulator;
let t: TenantCredentials;
let store: Store;
let repo: DevicesRepository;
let api: DeviceApi;
let dir: string;
let orgId: string;
let integrationId: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duowatch-devices-'));
  emu = await createEmulator({ seed: 'devices-sync', users: 2, rateLimit: false });
  t = emu.credentials()[0] as TenantCredentials;
  store = await openStore({ dataDir: dir, env: {}, migrations: devicesMigrations });
  repo = devicesRepository(store);
  const client = createDuoClient({
    host: t.hostname,
    ikey: t.device.ikey,
    skey: t.device.skey,
    dispatcher: appDispatcher(emu.app),
  });
  api = deviceApi(client, t.device.mkey);
  const org = await store.organizations.create({ slug: 'acme', name: 'Acme' });
  orgId = org.id;
  integrationId = 'int-device-1';
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const cacheStore = () => {
  const s = emu.world.tenant(t.hostname).deviceCaches(t.device.mkey);
  if (s === undefined) throw new Error('no device caches');
  return s;
};

function req(list: readonly string[], extra: Partial<SyncRequest> = {}): SyncRequest {
  return { orgId, integrationId, ids: list, trigger: 'cli', source: 'test.csv', ...extra };
}

const deps = (extra: Partial<Parameters<typeof runSync>[1]> = {}) => ({
  api,
  repo,
  batchRetryDelaysMs: [0, 0, 0],
  ...extra,
});

describe('device cache sync on the emulated Device API', () => {
  it('first sync, batch boundaries 1 / 1,000 / 1,001, and a re-sync with adds and removals', async () => {
    for (const n of [1, 1000, 1001]) {
      const batches: number[] = [];
      const r = await runSync(
        req(ids(n)),
        deps({ onProgress: (p) => void (p.phase === 'uploading' && batches.push(p.done)) }),
      );
      expect(r.outcome).toBe('synced');
      expect(r.uploaded).toBe(n);
      expect(r.device_count).toBe(n);
      expect(batches).toEqual(n === 1001 ? [1000, 1001] : [n]);
      expect(cacheStore().list('active')).toMatchObject([{ device_count: n }]);
      expect(cacheStore().list('pending')).toEqual([]);
    }
    // 1,001 active; now 200 of them go and 300 new ones come.
    const next = [...ids(801), ...ids(300, 5000)];
    const r = await runSync(req(next), deps());
    expect(r).toMatchObject({
      outcome: 'synced',
      plan: { active: 1001, added: 300, removed: 200, unchanged: 801, exact: true },
      device_count: 1101,
      activated: true,
    });
    expect(r.removedSample[0]).toBe(ids(1, 801)[0]);
    const runs = await repo.runs(orgId, integrationId);
    expect(runs).toHaveLength(4);
    expect(runs.every((x) => x.outcome === 'synced')).toBe(true);
  });

  it('refuses a sync that removes more than half of the active devices unless forced', async () => {
    await runSync(req(ids(100)), deps());
    const active = cacheStore().list('active')[0]?.cache_key;
    const refused = await runSync(req(ids(40)), deps());
    expect(refused.outcome).toBe('shrink_refused');
    expect(refused.error?.message).toMatch(/remove 60 of 100 trusted devices/);
    expect(refused.removedSample).toHaveLength(20);
    expect(cacheStore().list('active')).toMatchObject([{ cache_key: active, device_count: 100 }]);
    expect(cacheStore().list('pending')).toEqual([]);
    // A configured threshold, and --force.
    expect((await runSync(req(ids(40)), deps())).outcome).toBe('shrink_refused');
    expect((await runSync(req(ids(40), { shrinkThreshold: 0.7 }), deps())).outcome).toBe('synced');
    expect((await runSync(req(ids(1), { force: true }), deps())).outcome).toBe('synced');
  });

  it('dry runs: a plan uploads nothing; an upload dry run proves the data in a pending cache and deletes it', async () => {
    await runSync(req(ids(10)), deps());
    const before = cacheStore().list();
    const plan = await runSync(req(ids(12), { dryRun: 'plan' }), deps());
    expect(plan).toMatchObject({
      outcome: 'planned',
      uploaded: 0,
      plan: { added: 2, removed: 0, unchanged: 10 },
    });
    const up = await runSync(req(ids(12), { dryRun: 'upload' }), deps());
    expect(up).toMatchObject({ outcome: 'planned', uploaded: 12, device_count: 12, activated: false });
    expect(cacheStore().list()).toEqual(before);
  });

  it('a 409 from a foreign pending cache is explained and left alone; its own stale one is cleaned up', async () => {
    const foreign = cacheStore().create();
    if ('error' in foreign) throw new Error('create failed');
    const r = await runSync(req(ids(5)), deps());
    expect(r.outcome).toBe('failed');
    expect(r.error?.code).toBe('pending_cache_exists');
    expect(r.error?.message).toContain(foreign.cache_key);
    expect(cacheStore().list('pending')).toMatchObject([{ cache_key: foreign.cache_key }]);
    // Told to: it deletes the foreign one and syncs.
    const forced = await runSync(req(ids(5), { deleteForeignPending: true }), deps());
    expect(forced.outcome).toBe('synced');
    // A pending cache duowatch created and left (a crash) is deleted without being told.
    const stale = cacheStore().create();
    if ('error' in stale) throw new Error('create failed');
    await repo.rememberPending(orgId, integrationId, stale.cache_key, 'old-run');
    const again = await runSync(req(ids(6)), deps());
    expect(again.outcome).toBe('synced');
    expect(again.notes.join('\n')).toMatch(/stale pending cache/);
  });

  it('a batch failing mid-way deletes the pending cache and leaves the active cache untouched', async () => {
    await runSync(req(ids(50)), deps());
    const active = cacheStore().list('active');
    let faulted = false;
    const r = await runSync(
      req(ids(2500, 100), { force: true }),
      deps({
        onProgress: (p) => {
          if (p.phase === 'uploading' && !faulted) {
            faulted = true;
            emu.control.addFault({ kind: 'error', status: 503, method: 'POST', path: '*/devices' });
          }
        },
      }),
    );
    expect(r.outcome).toBe('failed');
    expect(r.uploaded).toBe(1000);
    expect(r.error?.message).toMatch(/batch 2 \(identifiers 1001–2000\) failed/);
    expect(r.error?.httpStatus).toBe(503);
    expect(cacheStore().list('active')).toEqual(active);
    expect(cacheStore().list('pending')).toEqual([]);
    expect(r.notes.join('\n')).toMatch(/deleted the pending cache/);
  });

  it('retries a batch through transient 5xx answers', async () => {
    emu.control.addFault({ kind: 'error', status: 500, method: 'POST', path: '*/devices', count: 2 });
    const r = await runSync(req(ids(1500)), deps());
    expect(r.outcome).toBe('synced');
    expect(r.device_count).toBe(1500);
  });

  it('shows Duo’s code and detail when Duo refuses a batch', async () => {
    const r = await runSync(req(['00000000-0000-0000-0000-000000000000']), deps());
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatchObject({ duoCode: 40002 });
    expect(r.error?.message).toMatch(/40002.*invalid windows device_id/);
    expect(cacheStore().list('pending')).toEqual([]);
  });

  it('does not activate when device_count differs from what was sent', async () => {
    await runSync(req(ids(3)), deps());
    const r = await runSync(
      req(ids(10)),
      deps({
        onProgress: (p) => {
          // Someone else writes into our pending cache between the last batch and the check.
          if (p.phase === 'verifying') {
            const pending = cacheStore().list('pending')[0];
            if (pending !== undefined) cacheStore().addDevices(pending.cache_key, ids(1, 9000));
          }
        },
      }),
    );
    expect(r.outcome).toBe('failed');
    expect(r.error?.code).toBe('device_count_mismatch');
    expect(r.activated).toBe(false);
    expect(cacheStore().list('active')).toMatchObject([{ device_count: 3 }]);
    expect(cacheStore().list('pending')).toEqual([]);
  });

  it('one sync per integration: a second store connection is refused while the lease is held', async () => {
    const other = await openStore({ dataDir: dir, env: {}, migrations: devicesMigrations });
    try {
      const otherRepo = devicesRepository(other);
      let second: Awaited<ReturnType<typeof runSync>> | undefined;
      // Who reported holding the lease, in order: the service writes "starting" there (never for B).
      const leased: string[] = [];
      const first = await runSync(
        req(ids(20)),
        deps({
          holder: 'process A',
          onLeased: () => void leased.push('A'),
          onProgress: async (p) => {
            leased.push(`A ${p.phase}`);
            if (p.phase === 'uploading' && second === undefined)
              second = await runSync(req(ids(20)), {
                ...deps(),
                repo: otherRepo,
                holder: 'process B',
                onLeased: () => void leased.push('B'),
              });
          },
        }),
      );
      expect(leased[0]).toBe('A');
      expect(leased.slice(1).every((x) => x.startsWith('A '))).toBe(true);
      expect(first.outcome).toBe('synced');
      expect(second?.outcome).toBe('failed');
      expect(second?.error?.code).toBe('sync_locked');
      expect(second?.error?.message).toMatch(/process A/);
      // Released at the end: the other connection may sync now.
      expect((await runSync(req(ids(20)), { ...deps(), repo: otherRepo })).outcome).toBe('synced');
      // A crashed holder (lease never released) gives it up once the lease expires.
      expect((await repo.acquireLease(orgId, integrationId, 'crashed', 60_000)).ok).toBe(true);
      const later = devicesRepository(other, () => new Date(Date.now() + 61_000));
      expect((await later.acquireLease(orgId, integrationId, 'process C', 60_000)).ok).toBe(true);
      expect((await repo.acquireLease(orgId, integrationId, 'process D', 60_000)).ok).toBe(false);
    } finally {
      await other.close();
    }
  });
});
