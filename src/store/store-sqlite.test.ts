import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { openStore, rotateKeys, type KeyFileSystem, type Store } from './index.js';
import { contractSecrets, storeContract } from './store-contract.test-helpers.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'duowatch-store-'));
}

storeContract('sqlite', async () => {
  const dataDir = await tempDir();
  const store = await openStore({ dataDir, env: {} });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

describe('store on sqlite: files and secrets at rest', () => {
  it('creates duowatch.sqlite in WAL mode and a 0600 master.key; never writes a secret in the clear', async () => {
    const dataDir = await tempDir();
    const logged: string[] = [];
    const logger = {
      info: (o: object, m?: string) => logged.push(JSON.stringify(o) + (m ?? '')),
      warn: (o: object, m?: string) => logged.push(JSON.stringify(o) + (m ?? '')),
    };
    let store: Store | undefined = await openStore({ dataDir, env: {}, logger });
    try {
      expect(store.dialect.name).toBe('sqlite');
      expect(store.file).toBe(join(dataDir, 'duowatch.sqlite'));
      expect(((await stat(join(dataDir, 'master.key'))).mode & 0o777).toString(8)).toBe('600');
      expect(logged.some((l) => l.includes('master key'))).toBe(true);
      const org = await store.organizations.create({ slug: 'acme' });
      const integration = await store.integrations.create(org.id, {
        kind: 'admin',
        apiHost: 'api-x.duosecurity.com',
        ikey: contractSecrets.IKEY,
        skey: contractSecrets.SKEY,
      });
      await store.integrations.rotateSecrets(org.id, integration.id, { skey: contractSecrets.SKEY });
      await store.auditLog.append({
        actor: 'test',
        orgId: org.id,
        action: 'integration.create',
        details: { skey: contractSecrets.SKEY },
      });
      // Scan the raw bytes while the WAL still holds the writes, then again after a checkpoint and close.
      const scan = async () => {
        const files = (await readdir(dataDir)).filter((f) => f.startsWith('duowatch.sqlite'));
        expect(files).toContain('duowatch.sqlite-wal');
        for (const f of files) {
          const bytes = await readFile(join(dataDir, f));
          expect(bytes.includes(Buffer.from(contractSecrets.SKEY)), f).toBe(false);
          expect(bytes.includes(Buffer.from(contractSecrets.IKEY)), f).toBe(false);
        }
        return files;
      };
      await scan();
      await store.close();
      store = undefined;
      const bytes = await readFile(join(dataDir, 'duowatch.sqlite'));
      expect(bytes.length).toBeGreaterThan(0);
      expect(bytes.includes(Buffer.from(contractSecrets.SKEY))).toBe(false);
      expect(logged.join('\n')).not.toContain(contractSecrets.SKEY);
      // Re-opening reads the same key file: the secret is still there.
      store = await openStore({ dataDir, env: {} });
      const creds = await store.integrations.credentials(org.id, integration.id);
      expect(creds?.skey.reveal()).toBe(contractSecrets.SKEY);
    } finally {
      await store?.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('keys rotate on sqlite: crash safety', () => {
  it('a crash before the old key is retired leaves every secret readable, and a second rotation finishes', async () => {
    const dataDir = await tempDir();
    try {
      let store = await openStore({ dataDir, env: {} });
      const org = await store.organizations.create({ slug: 'acme' });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(
          (
            await store.integrations.create(org.id, {
              kind: 'admin',
              apiHost: 'api-x.duosecurity.com',
              ikey: `DI${i}`,
              skey: `sk-${i}`,
            })
          ).id,
        );
      }
      const original = store.vault.currentKeyId;
      let writes = 0;
      // The second keyring write (retiring the old key) dies, as if the process were killed there.
      const crashing: KeyFileSystem = {
        readFile: (p) => fs.readFile(p),
        stat: (p) => fs.stat(p),
        mkdir: (p, o) => fs.mkdir(p, o),
        rename: (a, b) => fs.rename(a, b),
        writeFile: async (p, d, o) => {
          writes += 1;
          if (writes === 2) throw new Error('killed');
          await fs.writeFile(p, d, o);
        },
      };
      await expect(rotateKeys(store, { fs: crashing })).rejects.toThrow('killed');
      await store.close();
      store = await openStore({ dataDir, env: {} });
      expect(store.vault.keyring.keys.has(original)).toBe(true);
      expect(store.vault.keyring.keys.size).toBe(2);
      for (const [i, id] of ids.entries()) {
        expect((await store.integrations.credentials(org.id, id))?.skey.reveal()).toBe(`sk-${i}`);
      }
      const result = await rotateKeys(store);
      expect(result.retiredKeyIds.sort()).toEqual([...result.previousKeyIds].sort());
      await store.close();
      store = await openStore({ dataDir, env: {} });
      expect([...store.vault.keyring.keys.keys()]).toEqual([result.newKeyId]);
      for (const [i, id] of ids.entries()) {
        expect((await store.integrations.credentials(org.id, id))?.ikey.reveal()).toBe(`DI${i}`);
      }
      await store.close();
      expect(((await fs.stat(join(dataDir, 'master.key'))).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to rotate a key that came from DUOWATCH_MASTER_KEY', async () => {
    const dataDir = await tempDir();
    const store = await openStore({
      dataDir,
      env: { DUOWATCH_MASTER_KEY: Buffer.alloc(32, 3).toString('base64') },
    });
    try {
      await expect(rotateKeys(store)).rejects.toMatchObject({ code: 'vault.rotate_needs_file' });
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('keys rotate with two processes on one database', () => {
  it('a process opened before the rotation picks up the new keyring: reads new ciphertexts, writes under the new key', async () => {
    const dataDir = await tempDir();
    const running = await openStore({ dataDir, env: {} });
    const rotator = await openStore({ dataDir, env: {} });
    try {
      const org = await running.organizations.create({ slug: 'acme' });
      const first = await running.integrations.create(org.id, {
        kind: 'admin',
        apiHost: 'api-1.duosecurity.com',
        ikey: 'DI1',
        skey: 'sk-1',
      });
      const result = await rotateKeys(rotator);
      expect(result.retiredKeyIds).toEqual([first.keyId]);
      // The running process never saw the new key, yet reads the re-encrypted row…
      expect((await running.integrations.credentials(org.id, first.id))?.skey.reveal()).toBe('sk-1');
      // …and writes under the new key, not the retired one.
      const second = await running.integrations.create(org.id, {
        kind: 'auth',
        apiHost: 'api-1.duosecurity.com',
        ikey: 'DI2',
        skey: 'sk-2',
      });
      expect(second.keyId).toBe(result.newKeyId);
      expect((await rotator.integrations.credentials(org.id, second.id))?.skey.reveal()).toBe('sk-2');
    } finally {
      await running.close();
      await rotator.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
