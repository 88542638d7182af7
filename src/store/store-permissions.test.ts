import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, SQLITE_FILE, StoreError } from './index.js';

/** The SQLite files hold password hashes, the audit log and encrypted keys: nobody but the owner may read them. */
const dirs: string[] = [];
async function dataDir(mode: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duowatch-perms-'));
  dirs.push(dir);
  await chmod(dir, mode);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('SQLite file permissions', () => {
  it('creates the database and its -wal and -shm files 0600', async () => {
    const dir = await dataDir(0o700);
    const store = await openStore({ dataDir: dir, env: {} });
    try {
      await store.organizations.create({ slug: 'acme', name: 'Acme' });
      const files = (await readdir(dir)).filter((f) => f.startsWith(SQLITE_FILE));
      expect(files.sort()).toEqual([SQLITE_FILE, `${SQLITE_FILE}-shm`, `${SQLITE_FILE}-wal`]);
      for (const f of files) expect(await modeOf(join(dir, f)), f).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it('tightens a database file that was left world-readable', async () => {
    const dir = await dataDir(0o700);
    const first = await openStore({ dataDir: dir, env: {} });
    await first.close();
    await chmod(join(dir, SQLITE_FILE), 0o644);
    const again = await openStore({ dataDir: dir, env: {} });
    await again.close();
    expect(await modeOf(join(dir, SQLITE_FILE))).toBe(0o600);
  });

  it.each([0o755, 0o750, 0o705])(
    'refuses a data directory with mode %o, creating nothing in it',
    async (mode) => {
      const dir = await dataDir(mode);
      const error = await openStore({ dataDir: dir, env: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('store.insecure_permissions');
      expect((error as StoreError).message).toMatch(/chmod 700/);
      expect(await readdir(dir)).toEqual([]);
    },
  );

  it('refuses the directory of an explicit sqlite: file too', async () => {
    const dir = await dataDir(0o700);
    const open = await dataDir(0o755);
    await writeFile(join(open, 'marker'), '');
    const error = await openStore({
      dataDir: dir,
      databaseUrl: `sqlite:${join(open, 'db.sqlite')}`,
      env: {},
    }).catch((e: unknown) => e);
    expect((error as StoreError).code).toBe('store.insecure_permissions');
  });
});
