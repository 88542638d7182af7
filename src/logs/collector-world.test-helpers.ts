import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuoClient } from '../duo/index.js';
import { createClock, createEmulator, type Emulator, type TenantCredentials } from '../emulator/index.js';
import { openStore, type Store } from '../store/index.js';
import { checkpointRepository, type CheckpointRepository } from './checkpoint.repository.js';
import { collectOrg, processOwner, type CollectOptions, type StreamReport } from './collect-org.js';
import { createDeliveryLock } from './delivery-lock.js';
import { logsMigrations } from './migrations.js';
import type { LogSink } from './sinks/types.js';

/**
 * What the collector's long service suites (chaos, outage) stand on: an emulator whose clock stands at
 * `frozen` (it signs against the wall clock), optionally over TLS on loopback, a SQLite store with the logs
 * migrations in a temporary directory, and one organization with the tenant's Admin API integration.
 */
export interface CollectorWorld {
  dir: string;
  emu: Emulator;
  /** Set when the world was asked to listen over TLS. */
  listening: Awaited<ReturnType<Emulator['listen']>> | null;
  store: Store;
  repo: CheckpointRepository;
  tenant: TenantCredentials;
  org: { id: string; slug: string };
  close(): Promise<void>;
}

export async function collectorWorld(o: {
  seed: string;
  users: number;
  frozen: number;
  slug: string;
  tls?: boolean;
}): Promise<CollectorWorld> {
  const dir = await mkdtemp(join(tmpdir(), `duowatch-${o.seed}-`));
  const emu = await createEmulator({
    seed: o.seed,
    users: o.users,
    rateLimit: false,
    signAgainstWallClock: true,
    clock: createClock({ realNow: () => o.frozen }),
  });
  const listening = o.tls === true ? await emu.listen({ tlsDir: join(dir, 'tls') }) : null;
  const store = await openStore({ dataDir: join(dir, 'data'), env: {}, migrations: logsMigrations });
  const tenant = emu.credentials()[0];
  if (tenant === undefined) throw new Error('no tenant');
  const org = await store.organizations.create({ slug: o.slug });
  await store.integrations.create(org.id, {
    kind: 'admin',
    apiHost: tenant.hostname,
    label: 'emulated',
    mkey: null,
    ikey: tenant.admin.ikey,
    skey: tenant.admin.skey,
  });
  return {
    dir,
    emu,
    listening,
    store,
    repo: checkpointRepository(store),
    tenant,
    org: { id: org.id, slug: org.slug },
    async close() {
      await store.close();
      await listening?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One round of the daemon's collection for the world's organization, without its waits. */
export function collectRound(
  w: CollectorWorld,
  client: DuoClient,
  sinks: readonly LogSink[],
  options: Pick<CollectOptions, 'streams' | 'firstFrom' | 'pageSize'>,
): Promise<StreamReport[]> {
  return collectOrg(
    {
      store: w.store,
      repo: w.repo,
      clientFor: () => Promise.resolve(client),
      sinks,
      lock: createDeliveryLock(),
      now: () => Date.now(),
      owner: processOwner(),
    },
    w.org,
    options,
  );
}

/** Every stream of the round ended well and has nothing pending: the backfill is done. */
export async function caughtUp(
  repo: CheckpointRepository,
  reports: readonly StreamReport[],
): Promise<boolean> {
  const pending = await Promise.all(reports.map(async (r) => (await repo.get(r.key))?.checkpoint.pending));
  return reports.every((r) => r.outcome === 'ok') && pending.every((p) => p === null);
}
