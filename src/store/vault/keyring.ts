import { createHash, randomBytes as nodeRandomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { VaultError } from '../errors.js';

/** Every key the vault can decrypt with, and the one it encrypts with. */
export interface Keyring {
  readonly current: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** The slice of `fs/promises` the keyring needs; injected so tests can fake permissions. */
export interface KeyFileSystem {
  readFile(path: string): Promise<Buffer>;
  writeFile(path: string, data: string, options: { mode: number; flag?: string }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  stat(path: string): Promise<{ mode: number }>;
  mkdir(path: string, options: { recursive: true; mode?: number }): Promise<unknown>;
}

const defaultFs: KeyFileSystem = {
  readFile: (p) => nodeFs.readFile(p),
  writeFile: (p, d, o) => nodeFs.writeFile(p, d, o),
  rename: (a, b) => nodeFs.rename(a, b),
  stat: (p) => nodeFs.stat(p),
  mkdir: (p, o) => nodeFs.mkdir(p, o),
};

export const KEYRING_FORMAT = 'duowatch-keyring/1';
export const MASTER_KEY_ENV = 'DUOWATCH_MASTER_KEY';

interface KeyringFile {
  format: typeof KEYRING_FORMAT;
  current: string;
  keys: Array<{ id: string; key: string; created: string }>;
}

export interface LoadKeyringOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** An explicit key file; when absent the embedded default `<dataDir>/master.key` is used (and created). */
  keyFile?: string;
  dataDir: string;
  fs?: KeyFileSystem;
  randomBytes?: (size: number) => Buffer;
  clock?: () => Date;
}

export interface LoadedKeyring {
  keyring: Keyring;
  source: 'env' | 'file';
  /** The keyring file, when the keys came from one (rotation rewrites it). */
  path: string | null;
  created: boolean;
}

/** A key id that names a key without revealing it: a short fingerprint of its SHA-256. */
export function keyIdFor(key: Buffer): string {
  return 'k' + createHash('sha256').update(key).digest('hex').slice(0, 12);
}

function decodeKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new VaultError('vault.bad_key', `${where} must be 32 bytes, base64-encoded`);
  return key;
}

export function parseKeyring(text: string, where: string): Keyring {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) {
    const key = decodeKey(trimmed, where);
    return { current: keyIdFor(key), keys: new Map([[keyIdFor(key), key]]) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new VaultError('vault.bad_keyring', `${where} is not valid JSON`);
  }
  const file = parsed as Partial<KeyringFile>;
  if (file.format !== KEYRING_FORMAT || typeof file.current !== 'string' || !Array.isArray(file.keys)) {
    throw new VaultError('vault.bad_keyring', `${where} is not a ${KEYRING_FORMAT} keyring`);
  }
  const keys = new Map<string, Buffer>();
  for (const entry of file.keys) keys.set(entry.id, decodeKey(entry.key, `${where} key ${entry.id}`));
  if (!keys.has(file.current)) {
    throw new VaultError('vault.bad_keyring', `${where}: current key ${file.current} is not in the keyring`);
  }
  return { current: file.current, keys };
}

export function serializeKeyring(keyring: Keyring, clock: () => Date = () => new Date()): string {
  const file: KeyringFile = {
    format: KEYRING_FORMAT,
    current: keyring.current,
    keys: [...keyring.keys].map(([id, key]) => ({
      id,
      key: key.toString('base64'),
      created: clock().toISOString(),
    })),
  };
  return JSON.stringify(file, null, 2) + '\n';
}

/** Writes a keyring so that a crash leaves either the old or the new file, never half of one. */
export async function writeKeyring(
  path: string,
  keyring: Keyring,
  fs: KeyFileSystem = defaultFs,
): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await fs.writeFile(temp, serializeKeyring(keyring), { mode: 0o600, flag: 'w' });
  await fs.rename(temp, path);
}

export function generateKeyring(randomBytes: (size: number) => Buffer = nodeRandomBytes): Keyring {
  const key = randomBytes(32);
  return { current: keyIdFor(key), keys: new Map([[keyIdFor(key), key]]) };
}

/**
 * Finds the master key: `DUOWATCH_MASTER_KEY` (base64, 32 bytes) first, then the key file. The embedded
 * default creates `<dataDir>/master.key` with mode 0600 on first run. A key file that group or others may read
 * is refused rather than silently used: that key decrypts every tenant's Duo secret key.
 */
export async function loadKeyring(options: LoadKeyringOptions): Promise<LoadedKeyring> {
  const fs = options.fs ?? defaultFs;
  const fromEnv = options.env?.[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { keyring: parseKeyring(fromEnv, MASTER_KEY_ENV), source: 'env', path: null, created: false };
  }
  const path = options.keyFile ?? join(options.dataDir, 'master.key');
  let stat: { mode: number };
  try {
    stat = await fs.stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (options.keyFile !== undefined) {
      throw new VaultError('vault.key_file_missing', `master key file ${path} does not exist`);
    }
    const keyring = generateKeyring(options.randomBytes);
    await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // 'wx' so two processes starting together cannot both create (and then disagree on) the key.
    await fs.writeFile(path, serializeKeyring(keyring, options.clock), { mode: 0o600, flag: 'wx' });
    return { keyring, source: 'file', path, created: true };
  }
  if ((stat.mode & 0o077) !== 0) {
    throw new VaultError(
      'vault.key_file_permissions',
      `master key file ${path} is readable by group or others (mode ${(stat.mode & 0o777).toString(8)}); run chmod 600 on it`,
    );
  }
  const text = (await fs.readFile(path)).toString('utf8');
  return { keyring: parseKeyring(text, path), source: 'file', path, created: false };
}

/**
 * A `VaultOptions.refresh` for a keyring file: re-reads it when its modification time or size changed.
 * Synchronous on purpose (it runs inside encrypt/decrypt); a stat per encryption is cheap because secrets are
 * written only when an integration is saved or rotated.
 */
export function keyFileRefresher(path: string): () => Keyring | undefined {
  let seen = fingerprint(path);
  return () => {
    const now = fingerprint(path);
    if (now === null || now === seen) return undefined;
    seen = now;
    const mode = statSync(path).mode;
    if ((mode & 0o077) !== 0) return undefined;
    try {
      return parseKeyring(readFileSync(path, 'utf8'), path);
    } catch {
      return undefined;
    }
  };
}

function fingerprint(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return null;
  }
}
