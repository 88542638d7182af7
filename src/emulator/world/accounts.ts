/**
 * Accounts API world (docs/duo-wire.md §5 "Accounts API"): a parent account whose Accounts API keys manage child
 * tenants, each reached on its own api_hostname with `account_id=<child>` on every request.
 */
import type { EmulatorClock } from './clock.js';
import { createRng, duoId } from './prng.js';
import { createTenant } from './tenant.js';
import type { Tenant, TenantSpec } from './types.js';

export interface AccountsWorld {
  /** the parent tenant; its `accounts` application signs Accounts API and child Admin API calls */
  readonly parent: Tenant;
  /** `POST /accounts/v1/account/list` rows */
  list(): { account_id: string; api_hostname: string; name: string }[];
  child(accountId: string): Tenant | undefined;
  childByHostname(hostname: string): Tenant | undefined;
  readonly children: readonly Tenant[];
}

export function apiHostname(seed: string, ...parts: (string | number)[]): string {
  return `api-${createRng(seed, 'host', ...parts).chars(8, '0123456789abcdef')}.duosecurity.com`;
}

export function createAccountsWorld(
  opts: { seed: string; children: number; usersPerChild: number; now: number; parentHostname?: string },
  clock: EmulatorClock,
): AccountsWorld {
  const parentSpec: TenantSpec = {
    hostname: opts.parentHostname ?? apiHostname(opts.seed, 'parent'),
    seed: `${opts.seed}/parent`,
    users: 0,
    now: opts.now,
    name: 'MSP Parent',
  };
  const parent = createTenant(parentSpec, clock);
  const children: Tenant[] = [];
  for (let i = 0; i < opts.children; i++) {
    const childSeed = `${opts.seed}/child/${i}`;
    children.push(
      createTenant(
        {
          hostname: apiHostname(opts.seed, 'child', i),
          seed: childSeed,
          users: opts.usersPerChild,
          now: opts.now,
          accountId: duoId('DA', opts.seed, 'child', i),
        },
        clock,
      ),
    );
  }
  return {
    parent,
    children,
    list: () => children.map((c) => ({ account_id: c.accountId, api_hostname: c.hostname, name: c.name })),
    child: (id) => children.find((c) => c.accountId === id),
    childByHostname: (h) => children.find((c) => c.hostname === h.toLowerCase()),
  };
}
