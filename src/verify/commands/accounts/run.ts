import { randomBytes } from 'node:crypto';
import { printJson, type CliIo, type GlobalOptions } from '../../../cli/io.js';
import { withRuntime } from '../../../cli/runtime.js';
import { DEFAULT_SCRYPT, hashPassword } from '../../../accounts/index.js';
import { VerifyError } from '../../errors.js';
import { verifyStore } from '../../verify-store.js';

/** 32 random bytes: a 43-character password nobody types from memory, kept in a safe. */
export function breakGlassPassword(random: (n: number) => Buffer = randomBytes): string {
  return random(32).toString('base64url');
}

export async function runBreakGlass(
  io: CliIo,
  action: 'enable' | 'disable',
  opts: GlobalOptions & { username: string },
): Promise<void> {
  await withRuntime(io, opts, async ({ store }) => {
    const vs = verifyStore(store);
    const existing = await store.operators.findByUsername(opts.username);
    const marked = await vs.breakGlassOperator();
    if (action === 'disable') {
      if (existing === undefined || marked !== existing.id)
        throw new VerifyError('verify_break_glass', `${opts.username} is not the break-glass account`);
      await store.operators.setDisabled(existing.id, true);
      await store.sessions.deleteForOperator(existing.id);
      await store.auditLog.append({
        actor: 'cli',
        action: 'account.break_glass.disable',
        target: existing.username,
        details: { outcome: 'success' },
      });
      if (opts.json === true) printJson(io, { username: existing.username, enabled: false });
      else io.stdout.write(`break-glass account ${existing.username} disabled\n`);
      return;
    }
    if (existing !== undefined && marked !== existing.id)
      throw new VerifyError(
        'verify_break_glass',
        `${opts.username} is an ordinary account; choose another --username for the break-glass account`,
      );
    const password = breakGlassPassword();
    const hash = await hashPassword(password, DEFAULT_SCRYPT);
    let id: string;
    if (existing === undefined) {
      id = (await store.operators.create({ username: opts.username, passwordHash: hash, superadmin: true }))
        .id;
    } else {
      id = existing.id;
      await store.operators.setPasswordHash(id, hash);
      await store.operators.setDisabled(id, false);
      await store.sessions.deleteForOperator(id);
    }
    await vs.markBreakGlass(id);
    await store.auditLog.append({
      actor: 'cli',
      action: 'account.break_glass.enable',
      target: opts.username,
      details: { outcome: 'success' },
    });
    if (opts.json === true) printJson(io, { username: opts.username, enabled: true, password });
    else
      io.stdout.write(
        `break-glass account ${opts.username} enabled; password (shown once, store it offline): ${password}\n` +
          'It signs in without Duo; every sign-in is audited and raises a critical alert. Disable it when the emergency is over.\n',
      );
  });
}
