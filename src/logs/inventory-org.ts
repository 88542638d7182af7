import type { DuoClient } from '../duo/index.js';
import type { Store } from '../store/index.js';
import { inventoryStore, snapshotInventory, type InventoryResult } from './inventory.js';

export type ChildAccount = Awaited<ReturnType<DuoClient['accounts']['list']>>[number];

export interface InventoryDeps {
  readonly store: Pick<Store, 'db' | 'dialect' | 'integrations'>;
  clientFor(orgId: string, integrationId: string): Promise<DuoClient>;
  /** An Accounts integration's child accounts (the service caches them for an hour). */
  childrenOf(
    integrationId: string,
    parent: DuoClient,
    signal?: AbortSignal,
  ): Promise<readonly ChildAccount[]>;
  readonly now: () => number;
}

/** Whether an MSP child is read, by the `logs.msp` lists (include empty = every child). */
export function childSelected(
  accountId: string,
  lists: { readonly include: readonly string[]; readonly exclude: readonly string[] } | undefined,
): boolean {
  if (lists === undefined) return true;
  if (lists.include.length > 0 && !lists.include.includes(accountId)) return false;
  return !lists.exclude.includes(accountId);
}

/**
 * Users, phones and endpoints snapshots of one organization's tenants: each Admin integration's own tenant
 * and each selected child of an Accounts integration, stored as the newest snapshot per tenant and kind.
 */
export async function inventoryOrg(
  deps: InventoryDeps,
  orgId: string,
  opts: {
    readonly integrationIds?: readonly string[];
    readonly msp?: { readonly include: readonly string[]; readonly exclude: readonly string[] };
    readonly signal?: AbortSignal;
  } = {},
): Promise<(InventoryResult & { integrationId: string })[]> {
  const repo = inventoryStore(deps.store);
  const out: (InventoryResult & { integrationId: string })[] = [];
  for (const integration of await deps.store.integrations.list(orgId)) {
    if (opts.integrationIds !== undefined && !opts.integrationIds.includes(integration.id)) continue;
    if (integration.kind !== 'admin' && integration.kind !== 'accounts') continue;
    const client = await deps.clientFor(orgId, integration.id);
    const tenants: { accountId: string; client: DuoClient }[] =
      integration.kind === 'admin'
        ? [{ accountId: '', client }]
        : (await deps.childrenOf(integration.id, client, opts.signal))
            .filter((c) => childSelected(c.account_id, opts.msp))
            .map((c) => ({ accountId: c.account_id, client: client.forChildAccount(c) }));
    for (const t of tenants) {
      const results = await snapshotInventory(
        t.client,
        { orgId, integrationId: integration.id, accountId: t.accountId },
        repo,
        deps.now,
        opts.signal,
      );
      out.push(...results.map((r) => ({ ...r, integrationId: integration.id })));
    }
  }
  return out;
}
