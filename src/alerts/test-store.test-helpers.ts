import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capabilityMigrations } from '../app/index.js';
import { openStore, type Store } from '../store/index.js';

/** A real SQLite store with every capability's migrations and two organizations. */
export async function testStore(clock?: () => Date): Promise<{
  store: Store;
  dir: string;
  acme: string;
  globex: string;
  close(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'duowatch-alerts-'));
  const store = await openStore({
    dataDir: dir,
    env: {},
    migrations: capabilityMigrations,
    ...(clock === undefined ? {} : { clock }),
  });
  const acme = (await store.organizations.create({ slug: 'acme' })).id;
  const globex = (await store.organizations.create({ slug: 'globex' })).id;
  return {
    store,
    dir,
    acme,
    globex,
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
