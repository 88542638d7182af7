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

/**
 * Loopback names reach the first tenant: an official client pointed at `host=localhost, port=N` (Python's
 * `port=`) then works with no hosts-file entry. Real Duo has no such route; docs/emulator.md says so.
 */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function createTenantRegistry(): TenantRegistry {
  const tenants = new Map<string, Tenant>();
  const parents = new Map<string, string>();
  return {
    byHost(host) {
      const name = host.toLowerCase();
      const exact = tenants.get(name);
      if (exact !== undefined || !LOOPBACK.has(name)) return exact;
      return tenants.values().next().value;
    },
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
