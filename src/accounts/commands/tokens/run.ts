import { printJson, type CliIo } from '../../../cli/io.js';
import { CLI_ACTOR } from '../../../cli/runtime.js';
import { ServiceError } from '../../../shared/index.js';
import type { OrgRole } from '../../accounts-store.js';
import { tokenView as view } from '../../token-view.js';
import { orgOf, withAccounts } from '../with-accounts.js';
import type { TokenOptions } from './command.js';

export async function runList(io: CliIo, opts: TokenOptions): Promise<void> {
  await withAccounts(io, opts, async (accounts, rt) => {
    const org = await orgOf(rt, opts.org);
    const rows = (await accounts.tokens.list(org.id)).map(view);
    if (opts.json === true) return printJson(io, rows);
    if (rows.length === 0) io.stdout.write(`${org.slug} has no API tokens\n`);
    for (const t of rows)
      io.stdout.write(
        `${t.id}  ${t.role.padEnd(8)} ${t.label.padEnd(30)} expires ${t.expiresAt ?? 'never'}, ` +
          `last used ${t.lastUsedAt ?? 'never'}\n`,
      );
  });
}

/** The same limits as the API's `POST /api/v1/orgs/{org}/tokens`. */
function parseCreate(opts: { label: string; expiresInDays?: string }): number | undefined {
  if (opts.label.length < 1 || opts.label.length > 100)
    throw new ServiceError('invalid_input', 'the label must be 1 to 100 characters');
  if (opts.expiresInDays === undefined) return undefined;
  const days = Number(opts.expiresInDays);
  if (!/^\d+$/.test(opts.expiresInDays) || days < 1 || days > 3650)
    throw new ServiceError('invalid_input', '--expires-in-days must be a whole number from 1 to 3650');
  return days;
}

/**
 * Mints a token. It has no creator (`createdBy` null): the shell user holds the data directory and so every
 * right; such a token ends by revocation or expiry, not with a person's role (docs/accounts.md).
 */
export async function runCreate(
  io: CliIo,
  opts: TokenOptions & { label: string; role: string; expiresInDays?: string },
): Promise<void> {
  const expiresInDays = parseCreate(opts);
  await withAccounts(io, opts, async (accounts, rt) => {
    const org = await orgOf(rt, opts.org);
    const { token, record } = await accounts.tokens.create(
      org.id,
      { label: opts.label, role: opts.role as OrgRole, expiresInDays, createdBy: null },
      CLI_ACTOR,
    );
    if (opts.json === true) return printJson(io, { token, apiToken: view(record) });
    io.stdout.write(`created ${record.role} token ${record.id} for ${org.slug}\n`);
    io.stdout.write(`token (shown once, stored only as a hash): ${token}\n`);
  });
}

export async function runRevoke(io: CliIo, opts: TokenOptions, id: string): Promise<void> {
  await withAccounts(io, opts, async (accounts, rt) => {
    const org = await orgOf(rt, opts.org);
    if (!(await accounts.tokens.revoke(org.id, id, CLI_ACTOR)))
      throw new ServiceError('not_found', `${org.slug} has no token ${id}`);
    io.stdout.write(`revoked token ${id} of ${org.slug}\n`);
  });
}
