import { printJson, readStdin, type CliIo, type GlobalOptions } from '../../../cli/io.js';
import { CLI_ACTOR } from '../../../cli/runtime.js';
import { ServiceError } from '../../../shared/index.js';
import { generatePassword } from '../../password.js';
import type { OrgRole } from '../../accounts-store.js';
import { orgOf, withAccounts } from '../with-accounts.js';

const MIN_PASSWORD = 12;

/** The password from stdin (one trailing newline dropped, 12 characters or more), else null. */
async function passwordFromStdin(io: CliIo, opts: { passwordStdin?: boolean }): Promise<string | null> {
  if (opts.passwordStdin !== true) return null;
  const given = (await readStdin(io)).replace(/\r?\n$/, '');
  if (given.length < MIN_PASSWORD)
    throw new ServiceError('invalid_input', `the password must be at least ${MIN_PASSWORD} characters`);
  return given;
}

export async function runList(io: CliIo, opts: GlobalOptions): Promise<void> {
  await withAccounts(io, opts, async (accounts, rt) => {
    const slugs = new Map((await rt.services.orgs.list()).map((o) => [o.id, o.slug]));
    const rows = (await accounts.operators.list()).map(({ operator: op, memberships }) => ({
      id: op.id,
      username: op.username,
      isAdmin: op.superadmin,
      disabled: op.disabled,
      lastLoginAt: op.lastLoginAt?.toISOString() ?? null,
      roles: memberships.map((m) => ({ org: slugs.get(m.orgId) ?? m.orgId, role: m.role })),
    }));
    if (opts.json === true) return printJson(io, rows);
    if (rows.length === 0)
      io.stdout.write('no operators yet: duowatch serve creates the first administrator\n');
    for (const r of rows) {
      const roles = r.roles.map((x) => `${x.org}:${x.role}`).join(' ');
      const flags = [r.isAdmin ? 'global admin' : '', r.disabled ? 'disabled' : '']
        .filter(Boolean)
        .join(', ');
      io.stdout.write(`${r.username.padEnd(24)} ${flags.padEnd(22)} ${roles}\n`);
    }
  });
}

export async function runAdd(
  io: CliIo,
  opts: GlobalOptions & { admin?: boolean; passwordStdin?: boolean },
  username: string,
): Promise<void> {
  const given = await passwordFromStdin(io, opts);
  const password = given ?? generatePassword();
  await withAccounts(io, opts, async (accounts) => {
    const op = await accounts.operators.create(
      { username, password, isAdmin: opts.admin === true },
      CLI_ACTOR,
    );
    const shown = given === null ? { password } : {};
    if (opts.json === true)
      return printJson(io, { id: op.id, username: op.username, isAdmin: op.superadmin, ...shown });
    io.stdout.write(`created operator ${op.username}${op.superadmin ? ' (global admin)' : ''}\n`);
    if (given === null) io.stdout.write(`password (shown once, not stored in clear): ${password}\n`);
  });
}

export async function runSetDisabled(
  io: CliIo,
  opts: GlobalOptions,
  username: string,
  disabled: boolean,
): Promise<void> {
  await withAccounts(io, opts, async (accounts) => {
    const op = await accounts.operators.byName(username);
    await accounts.operators.update(op.id, { disabled }, CLI_ACTOR);
    io.stdout.write(`${op.username} ${disabled ? 'disabled; their sessions ended' : 'enabled'}\n`);
  });
}

export async function runRole(
  io: CliIo,
  opts: GlobalOptions,
  username: string,
  orgRef: string,
  role: string,
): Promise<void> {
  await withAccounts(io, opts, async (accounts, rt) => {
    const org = await orgOf(rt, orgRef);
    const op = await accounts.operators.byName(username);
    if (role === 'none') {
      const removed = await accounts.memberships.remove(org.id, op.id, CLI_ACTOR);
      io.stdout.write(
        removed
          ? `${op.username} has no role in ${org.slug} now\n`
          : `${op.username} had no role in ${org.slug}\n`,
      );
      return;
    }
    await accounts.memberships.set(org.id, op.id, role as OrgRole, CLI_ACTOR);
    io.stdout.write(`${op.username} is ${role} in ${org.slug}\n`);
  });
}

/**
 * Sets another operator's password (the API's `PATCH /api/v1/users/{id}` with a password): their sessions
 * and known devices end, audited `user.update` as the CLI. Generated and printed once unless given on stdin.
 */
export async function runResetPassword(
  io: CliIo,
  opts: GlobalOptions & { passwordStdin?: boolean },
  username: string,
): Promise<void> {
  const given = await passwordFromStdin(io, opts);
  const password = given ?? generatePassword();
  await withAccounts(io, opts, async (accounts) => {
    const op = await accounts.operators.byName(username);
    await accounts.operators.update(op.id, { password }, CLI_ACTOR);
    const shown = given === null ? { password } : {};
    if (opts.json === true) return printJson(io, { id: op.id, username: op.username, ...shown });
    io.stdout.write(`${op.username}: password reset; their sessions ended\n`);
    if (given === null) io.stdout.write(`password (shown once, not stored in clear): ${password}\n`);
  });
}
