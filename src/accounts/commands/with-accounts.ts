import type { CliIo, GlobalOptions } from '../../cli/io.js';
import { withRuntime } from '../../cli/runtime.js';
import type { Runtime } from '../../runtime/index.js';
import { ServiceError } from '../../shared/index.js';
import { createAccountsService, type AccountsService } from '../service.js';

/** The accounts service over the data directory's store, for one CLI command. */
export function withAccounts<T>(
  io: CliIo,
  opts: GlobalOptions,
  fn: (accounts: AccountsService, rt: Runtime) => Promise<T>,
): Promise<T> {
  return withRuntime(io, opts, (rt) => fn(createAccountsService({ store: rt.store }), rt));
}

/** An organization by slug or id, or the shared `not_found` (exit code 4). */
export async function orgOf(rt: Runtime, ref: string): Promise<{ id: string; slug: string }> {
  const org = await rt.services.orgs.get(ref);
  if (org === null) throw new ServiceError('not_found', `organization ${ref} not found`);
  return org;
}
