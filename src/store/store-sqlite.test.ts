import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, type Store } from './index.js';
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
