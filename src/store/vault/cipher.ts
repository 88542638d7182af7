import { createCipheriv, createDecipheriv, randomBytes as nodeRandomBytes } from 'node:crypto';
import { VaultError } from '../errors.js';
import type { Keyring } from './keyring.js';
import { Secret } from './secret.js';

/**
 * What a ciphertext is bound to. A row copied into another tenant, another integration or another column
 * carries the wrong binding, so GCM's tag check fails (the compliance specification's "org/provider/column-bound AAD").
 */
export interface SecretBinding {
  organizationId: string;
  provider: string;
  table: string;
  column: string;
  rowId: string;
}

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Length-prefixed so no two different bindings can serialise to the same bytes. */
function aad(binding: SecretBinding): Buffer {
  const parts = [
    VERSION,
    binding.organizationId,
    binding.provider,
    binding.table,
    binding.column,
    binding.rowId,
  ];
  return Buffer.from(parts.map((p) => `${Buffer.byteLength(p)}:${p}`).join('|'), 'utf8');
}

export interface Vault {
  readonly currentKeyId: string;
  encrypt(plaintext: string | Secret, binding: SecretBinding): string;
  decrypt(ciphertext: string, binding: SecretBinding): Secret;
  /** The key id a ciphertext was written under, without decrypting it. */
  keyIdOf(ciphertext: string): string;
  /** Switches to another keyring (key rotation), for this vault and every repository holding it. */
  replaceKeyring(next: Keyring): void;
  /** The keyring in use (rotation reads it to add a key). */
  readonly keyring: Keyring;
}

export interface VaultOptions {
  randomBytes?: (size: number) => Buffer;
  /**
   * Called before each encryption and when a ciphertext names an unknown key: returns a newer keyring when the
   * key file changed (another process ran `keys rotate`), or undefined. Keeps long-running processes from
   * writing under a retired key.
   */
  refresh?: () => Keyring | undefined;
}

/**
 * AES-256-GCM with a fresh 96-bit nonce per write (NIST SP 800-38D §8.2.2 random-IV construction).
 * Format: `v1.<kid>.<nonce>.<ciphertext>.<tag>`, each part base64url, so the key id travels with the value and
 * rotation can find what still uses an old key.
 */
export function createVault(initial: Keyring, options: VaultOptions = {}): Vault {
  let keyring = initial;
  const refresh = () => {
    const next = options.refresh?.();
    if (next !== undefined && next.keys.has(next.current)) keyring = next;
  };
  const random = options.randomBytes ?? nodeRandomBytes;
  const parse = (value: string): { kid: string; nonce: Buffer; ct: Buffer; tag: Buffer } => {
    const parts = value.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) {
      throw new VaultError('vault.malformed', 'ciphertext is not in the v1 vault format');
    }
    const [, kid, nonce, ct, tag] = parts as [string, string, string, string, string];
    return {
      kid,
      nonce: Buffer.from(nonce, 'base64url'),
      ct: Buffer.from(ct, 'base64url'),
      tag: Buffer.from(tag, 'base64url'),
    };
  };
  return {
    get currentKeyId() {
      return keyring.current;
    },
    get keyring() {
      return keyring;
    },
    replaceKeyring(next) {
      if (!next.keys.has(next.current))
        throw new VaultError('vault.bad_keyring', 'current key is not in the keyring');
      keyring = next;
    },
    encrypt(plaintext, binding) {
      refresh();
      const key = keyring.keys.get(keyring.current);
      if (key === undefined)
        throw new VaultError('vault.no_key', `current key ${keyring.current} is missing`);
      const nonce = random(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(binding));
      const text = typeof plaintext === 'string' ? plaintext : plaintext.reveal();
      const ct = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        VERSION,
        keyring.current,
        nonce.toString('base64url'),
        ct.toString('base64url'),
        tag.toString('base64url'),
      ].join('.');
    },
    decrypt(ciphertext, binding) {
      const { kid, nonce, ct, tag } = parse(ciphertext);
      if (!keyring.keys.has(kid)) refresh();
      const key = keyring.keys.get(kid);
      if (key === undefined) {
        throw new VaultError(
          'vault.unknown_key',
          `ciphertext uses key id ${kid}, which is not in the keyring`,
        );
      }
      if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) {
        throw new VaultError('vault.malformed', 'ciphertext nonce or tag has the wrong length');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad(binding));
        decipher.setAuthTag(tag);
        return new Secret(Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8'));
      } catch (error) {
        throw new VaultError(
          'vault.decrypt_failed',
          `secret ${binding.table}.${binding.column} of row ${binding.rowId} failed authentication (tampered, or moved from another row, column or organization)`,
          { cause: error },
        );
      }
    },
    keyIdOf(ciphertext) {
      return parse(ciphertext).kid;
    },
  };
}
