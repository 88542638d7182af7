import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { VaultError } from '../errors.js';
import type { Store } from '../open-store.js';
import { secretBinding } from '../repositories/integrations.repository.js';
import { keyIdFor, writeKeyring, type KeyFileSystem, type Keyring } from './keyring.js';

export interface RotateResult {
  previousKeyIds: string[];
  newKeyId: string;
  reEncrypted: number;
  retiredKeyIds: string[];
  keyFile: string;
}

export interface RotateOptions {
  randomBytes?: (size: number) => Buffer;
  fs?: KeyFileSystem;
  /** Keep the old keys in the keyring after re-encrypting (default false: retire them). */
  keepOld?: boolean;
}

/**
 * Re-encrypts every stored secret under a fresh key. The order makes a crash at any point recoverable:
 * 1. write the keyring with the new key added and made current (old keys still there, so every existing
 *    ciphertext stays readable and new writes already use the new key);
 * 2. re-encrypt every secret in ONE transaction (all rows move, or none);
 * 3. check no row still names an old key id, and only then rewrite the keyring without the old keys.
 * Running it again after a crash simply adds another key and finishes the job.
 */
export async function rotateKeys(store: Store, options: RotateOptions = {}): Promise<RotateResult> {
  const path = store.keyring?.path ?? null;
  if (path === null) {
    throw new VaultError(
      'vault.rotate_needs_file',
      'key rotation needs a keyring file (the key came from DUOWATCH_MASTER_KEY); set masterKeyFile instead',
    );
  }
  const random = options.randomBytes ?? nodeRandomBytes;
  const old = store.vault.keyring;
  const newKey = random(32);
  const newKeyId = keyIdFor(newKey);
  const combined: Keyring = { current: newKeyId, keys: new Map([...old.keys, [newKeyId, newKey]]) };

  await writeKeyring(path, combined, options.fs);
  store.vault.replaceKeyring(combined);

  const vault = store.vault;
  const reEncrypted = await store.db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('integrations')
      .select(['id', 'org_id', 'ikey_ct', 'skey_ct'])
      .execute();
    for (const row of rows) {
      const ib = secretBinding(row.org_id, row.id, 'ikey');
      const sb = secretBinding(row.org_id, row.id, 'skey');
      await trx
        .updateTable('integrations')
        .set({
          ikey_ct: vault.encrypt(vault.decrypt(row.ikey_ct, ib), ib),
          skey_ct: vault.encrypt(vault.decrypt(row.skey_ct, sb), sb),
          key_id: newKeyId,
        })
        .where('id', '=', row.id)
        .execute();
    }
    return rows.length;
  });

  const leftovers = await store.db.selectFrom('integrations').select(['ikey_ct', 'skey_ct']).execute();
  const stale = leftovers.filter(
    (r) => vault.keyIdOf(r.ikey_ct) !== newKeyId || vault.keyIdOf(r.skey_ct) !== newKeyId,
  );
  const previousKeyIds = [...old.keys.keys()];
  if (stale.length > 0 || options.keepOld === true) {
    // A concurrent writer (another process on the old keyring) may have added a row: keep the old keys.
    return { previousKeyIds, newKeyId, reEncrypted, retiredKeyIds: [], keyFile: path };
  }
  const final: Keyring = { current: newKeyId, keys: new Map([[newKeyId, newKey]]) };
  await writeKeyring(path, final, options.fs);
  store.vault.replaceKeyring(final);
  return { previousKeyIds, newKeyId, reEncrypted, retiredKeyIds: previousKeyIds, keyFile: path };
}
