import type { AccountsStore } from './accounts-store.js';
import { DEFAULT_SCRYPT, generatePassword, hashPassword, type ScryptParams } from './password.js';

export interface BootstrapResult {
  created: boolean;
  username: string;
  /** Present only when generated here: print it once, it is not stored anywhere in clear. */
  password?: string;
}

/**
 * Creates the first global administrator when there are no operators yet (first start). With no password
 * given one is generated; the caller prints it once. Audited as a `system` action.
 */
export async function bootstrapAdmin(
  store: AccountsStore,
  opts: { password?: string; username?: string; scrypt?: ScryptParams } = {},
): Promise<BootstrapResult> {
  const username = opts.username ?? 'admin';
  if ((await store.operators.count()) > 0) return { created: false, username };
  const generated = opts.password === undefined || opts.password === '';
  const password = generated ? generatePassword() : (opts.password as string);
  const operator = await store.operators.create({
    username,
    passwordHash: await hashPassword(password, opts.scrypt ?? DEFAULT_SCRYPT),
    superadmin: true,
  });
  await store.auditLog.append({
    actor: 'system',
    orgId: null,
    action: 'user.create',
    target: operator.username,
    // "generated" only says whether a password was generated; the password itself is never logged.
    details: { isAdmin: true, bootstrap: true, generated, outcome: 'success' },
    ip: null,
  });
  return generated ? { created: true, username, password } : { created: true, username };
}
