import type { Tenant } from '../world/index.js';

/**
 * Tenants by API hostname, plus the Accounts API parent → children relation (an MSP parent lists its child
 * accounts and manages them with its Accounts keys on each child's hostname).
 */
export interface TenantRegistry {
  byHost(host: string): Tenant | undefined;
  all(): readonly Tenant[];
  add(tenant: Tenant, options?: { parent?: string }): void;
  children(host: string): readonly Tenant[];
  parent(host: string): Tenant | undefined;
}

export function createTenantRegistry(): TenantRegistry {
  const tenants = new Map<string, Tenant>();
  const parents = new Map<string, string>();
  return {
    byHost: (host) => tenants.get(host.toLowerCase()),
    all: () => [...tenants.values()],
    add(tenant, options = {}) {
      const host = tenant.hostname.toLowerCase();
      if (tenants.has(host)) throw new RangeError(`a tenant already serves ${host}`);
      tenants.set(host, tenant);
      if (options.parent !== undefined) parents.set(host, options.parent.toLowerCase());
    },
    children: (host) =>
      [...parents.entries()]
        .filter(([, p]) => p === host.toLowerCase())
        .map(([child]) => tenants.get(child))
        .filter((t): t is Tenant => t !== undefined),
    parent(host) {
      const p = parents.get(host.toLowerCase());
      return p === undefined ? undefined : tenants.get(p);
    },
  };
}
