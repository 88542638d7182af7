import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDuoClient } from '../src/duo/index.js';
import { appDispatcher } from '../src/duo/test-support/app-dispatcher.test-helpers.js';
import { createEmulator, type TenantCredentials } from '../src/emulator/index.js';
import { openStore } from '../src/store/index.js';
import {
  deviceApi,
  devicesMigrations,
  devicesRepository,
  readDeviceIds,
  runSync,
} from '../src/devices/index.js';
import type { BenchRow } from './run.js';

/**
 * Trusted endpoints (docs/devices.md "Numbers"): 100,000 identifiers read from a CSV, planned against the
 * active cache and uploaded to the in-process emulator (100 batches of 1,000, verify, activate, confirm),
 * then a re-sync of the same fleet with 1 % replaced (reads the 100,000 active identifiers back to plan).
 * The emulator's Duo-like rate limits stay ON (modify 300/min, page 200/min); the client's own limiter too.
 * Target from the issue: < 10 s wall for the first sync. Peak RSS is the whole bench process.
 */
const N = Number(process.env['BENCH_DEVICES'] ?? 100_000);

export default async function bench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'duowatch-devices-bench-'));
  try {
    const emu = await createEmulator({ seed: 'devices-bench', users: 1 });
    const t = emu.credentials()[0] as TenantCredentials;
    const store = await openStore({ dataDir: dir, env: {}, migrations: devicesMigrations });
    const org = await store.organizations.create({ slug: 'bench', name: 'Bench' });
    const client = createDuoClient({
      host: t.hostname,
      ikey: t.device.ikey,
      skey: t.device.skey,
      dispatcher: appDispatcher(emu.app),
    });
    const deps = { api: deviceApi(client, t.device.mkey), repo: devicesRepository(store) };
    const id = (i: number) => `${i.toString(16).padStart(8, '0')}-7921-4d8a-ae8c-1b605ad58903`;
    const csv = Buffer.from(
      `\uFEFFdevice_id\r\n${Array.from({ length: N }, (_, i) => id(i)).join('\r\n')}\r\n`,
    );

    let t0 = performance.now();
    const list = readDeviceIds(csv, { os: 'windows' });
    const readMs = performance.now() - t0;

    t0 = performance.now();
    const first = await runSync(
      { orgId: org.id, integrationId: 'bench', ids: list.ids, trigger: 'cli', source: 'bench.csv' },
      deps,
    );
    const firstMs = performance.now() - t0;
    if (first.outcome !== 'synced' || first.device_count !== N)
      throw new Error(`first sync: ${JSON.stringify(first.error)}`);

    const next = [...list.ids.slice(N / 100), ...Array.from({ length: N / 100 }, (_, i) => id(N + i))];
    t0 = performance.now();
    const second = await runSync(
      { orgId: org.id, integrationId: 'bench', ids: next, trigger: 'cli', source: 'bench.csv' },
      deps,
    );
    const secondMs = performance.now() - t0;
    if (second.outcome !== 'synced' || !second.plan.exact || second.plan.removed !== N / 100)
      throw new Error(`re-sync: ${JSON.stringify(second.plan)} ${JSON.stringify(second.error)}`);
    await store.close();
    const rssMiB = process.resourceUsage().maxRSS / 1024;
    return [
      { name: `devices: read + validate ${String(N)} ids (CSV)`, value: Math.round(readMs), unit: 'ms' },
      {
        name: `devices: first sync of ${String(N)} ids (plan + upload + verify + activate)`,
        value: Math.round(firstMs),
        unit: 'ms',
        note: 'emulator in-process, rate limits on',
        target: { op: '<', value: 10_000 },
      },
      {
        name: `devices: re-sync ${String(N)} ids, 1 % replaced (reads the active cache back)`,
        value: Math.round(secondMs),
        unit: 'ms',
        note: 'emulator in-process, rate limits on',
      },
      { name: 'devices: peak RSS of the bench process', value: Math.round(rssMiB), unit: 'MiB' },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
