import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createVault, type SecretBinding } from './cipher.js';
import { generateKeyring, keyIdFor, loadKeyring, parseKeyring, serializeKeyring } from './keyring.js';
import { Secret } from './secret.js';

const binding: SecretBinding = {
  organizationId: 'org-a',
  provider: 'duo',
  table: 'integrations',
  column: 'skey',
  rowId: 'row-1',
};
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duowatch-vault-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('Secret', () => {
  it('redacts itself in strings, JSON and inspect, and reveals only on request', () => {
    const s = new Secret('hunter2-secret');
    expect(String(s)).toBe('[redacted]');
    expect(`${String(s)}`).toBe('[redacted]');
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(inspect({ s })).not.toContain('hunter2');
    expect(s.reveal()).toBe('hunter2-secret');
    expect(s.equals(new Secret('hunter2-secret'))).toBe(true);
  });
});

describe('vault cipher', () => {
  it('uses a fresh 96-bit nonce per write and names its key id', () => {
    const vault = createVault(generateKeyring());
    const one = vault.encrypt('same text', binding);
    const two = vault.encrypt('same text', binding);
    expect(one).not.toBe(two);
    const parts = one.split('.');
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toBe(vault.currentKeyId);
    expect(Buffer.from(parts[2] as string, 'base64url')).toHaveLength(12);
    expect(vault.keyIdOf(one)).toBe(vault.currentKeyId);
    expect(vault.decrypt(one, binding).reveal()).toBe('same text');
  });

  it('refuses every change of binding, a flipped tag, an unknown key and a malformed value', () => {
    const vault = createVault(generateKeyring());
    const ct = vault.encrypt('s3cret', binding);
    for (const change of [
      { organizationId: 'org-b' },
      { provider: 'okta' },
      { column: 'ikey' },
      { rowId: 'row-2' },
      { table: 'x' },
    ]) {
      expect(() => vault.decrypt(ct, { ...binding, ...change })).toThrow(
        expect.objectContaining({ code: 'vault.decrypt_failed' }),
      );
    }
    // Length-prefixed AAD: shifting a separator between fields must not produce the same binding.
    const shifted = { ...binding, organizationId: 'org-a|3:duo', provider: '' };
    expect(() => vault.decrypt(ct, shifted)).toThrow();
    const parts = ct.split('.');
    const tag = Buffer.from(parts[4] as string, 'base64url');
    tag[0] = (tag[0] as number) ^ 0x80;
    expect(() => vault.decrypt([...parts.slice(0, 4), tag.toString('base64url')].join('.'), binding)).toThrow(
      expect.objectContaining({ code: 'vault.decrypt_failed' }),
    );
    expect(() => createVault(generateKeyring()).decrypt(ct, binding)).toThrow(
      expect.objectContaining({ code: 'vault.unknown_key' }),
    );
    expect(() => vault.decrypt('v2.a.b.c.d', binding)).toThrow(
      expect.objectContaining({ code: 'vault.malformed' }),
    );
  });

  it('decrypts under an old key after the keyring gains a new current key', () => {
    const first = generateKeyring();
    const vault = createVault(first);
    const old = vault.encrypt('kept', binding);
    const second = generateKeyring();
    vault.replaceKeyring({ current: second.current, keys: new Map([...first.keys, ...second.keys]) });
    expect(vault.keyIdOf(vault.encrypt('new', binding))).toBe(second.current);
    expect(vault.decrypt(old, binding).reveal()).toBe('kept');
  });
});

describe('keyring', () => {
  it('creates <dataDir>/master.key with mode 0600 on first run and reads the same key afterwards', async () => {
    const dataDir = join(await tempDir(), 'data');
    const first = await loadKeyring({ dataDir, env: {} });
    expect(first).toMatchObject({ source: 'file', created: true, path: join(dataDir, 'master.key') });
    expect((await stat(join(dataDir, 'master.key'))).mode & 0o777).toBe(0o600);
    const again = await loadKeyring({ dataDir, env: {} });
    expect(again.created).toBe(false);
    expect(again.keyring.current).toBe(first.keyring.current);
  });

  it('refuses a key file that group or others can read', async () => {
    const dataDir = await tempDir();
    await loadKeyring({ dataDir, env: {} });
    for (const mode of [0o640, 0o604, 0o644]) {
      await chmod(join(dataDir, 'master.key'), mode);
      await expect(loadKeyring({ dataDir, env: {} })).rejects.toMatchObject({
        code: 'vault.key_file_permissions',
      });
    }
  });

  it('prefers DUOWATCH_MASTER_KEY, validates its length, and never creates a file then', async () => {
    const dataDir = await tempDir();
    const key = Buffer.alloc(32, 7);
    const loaded = await loadKeyring({ dataDir, env: { DUOWATCH_MASTER_KEY: key.toString('base64') } });
    expect(loaded).toMatchObject({ source: 'env', path: null, created: false });
    expect(loaded.keyring.current).toBe(keyIdFor(key));
    await expect(stat(join(dataDir, 'master.key'))).rejects.toThrow();
    await expect(loadKeyring({ dataDir, env: { DUOWATCH_MASTER_KEY: 'c2hvcnQ=' } })).rejects.toMatchObject({
      code: 'vault.bad_key',
    });
  });

  it('an explicit key file must exist; a bare base64 key file and a keyring file both load', async () => {
    const dir = await tempDir();
    await expect(loadKeyring({ dataDir: dir, keyFile: join(dir, 'nope.key') })).rejects.toMatchObject({
      code: 'vault.key_file_missing',
    });
    const bare = join(dir, 'bare.key');
    await writeFile(bare, Buffer.alloc(32, 1).toString('base64') + '\n', { mode: 0o600 });
    expect((await loadKeyring({ dataDir: dir, keyFile: bare })).keyring.keys.size).toBe(1);
    const ring = generateKeyring();
    const two = { current: ring.current, keys: new Map([...ring.keys, ...generateKeyring().keys]) };
    const file = join(dir, 'ring.json');
    await writeFile(file, serializeKeyring(two), { mode: 0o600 });
    const loaded = await loadKeyring({ dataDir: dir, keyFile: file });
    expect(loaded.keyring.current).toBe(ring.current);
    expect(loaded.keyring.keys.size).toBe(2);
    expect(() => parseKeyring('{"format":"duowatch-keyring/1","current":"x","keys":[]}', 'f')).toThrow(
      expect.objectContaining({ code: 'vault.bad_keyring' }),
    );
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ format: 'duowatch-keyring/1' });
  });
});
