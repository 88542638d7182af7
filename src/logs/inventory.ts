import type { Kysely } from 'kysely';
import type { DuoClient } from '../duo/index.js';
import { stripControl } from '../shared/index.js';
import type { Store } from '../store/index.js';
import type { LogsDatabase } from './logs.table.js';

/** What a snapshot lists, with Duo's v1 page maximum for each (docs/duo-wire.md §5). */
export const INVENTORY_KINDS = [
  { kind: 'users', path: '/admin/v1/users', limit: 300 },
  { kind: 'phones', path: '/admin/v1/phones', limit: 500 },
  { kind: 'endpoints', path: '/admin/v1/endpoints', limit: 500 },
] as const;
export type InventoryKind = (typeof INVENTORY_KINDS)[number]['kind'];

/** At most this many pages per kind (90k users): a bound, reported as `truncated`, never a silent cut. */
const MAX_PAGES = 300;

export interface InventoryResult {
  readonly kind: InventoryKind;
  readonly accountId: string;
  readonly count: number;
  readonly truncated: boolean;
  readonly error: string | null;
}

export interface InventorySnapshot extends InventoryResult {
  /** Set when read back from the store (which integration's credential took it). */
  readonly integrationId?: string;
  readonly takenMs: number;
  readonly items: readonly Record<string, unknown>[];
}

async function listAll(
  client: DuoClient,
  path: string,
  limit: number,
  signal: AbortSignal | undefined,
): Promise<{ items: Record<string, unknown>[]; truncated: boolean }> {
  const items: Record<string, unknown>[] = [];
  let offset = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const reply = await client.request({
      method: 'GET',
      path,
      params: { limit: String(limit), offset: String(offset) },
      ...(signal === undefined ? {} : { signal }),
    });
    const rows = Array.isArray(reply.response) ? (reply.response as Record<string, unknown>[]) : [];
    items.push(...rows);
    const next = (reply.paging as { next_offset?: unknown } | undefined)?.next_offset;
    if (typeof next !== 'number' || rows.length === 0) return { items, truncated: false };
    offset = next;
  }
  return { items, truncated: true };
}

export interface InventoryStore {
  save(
    key: { orgId: string; integrationId: string; accountId: string },
    snapshot: InventorySnapshot,
  ): Promise<void>;
  latest(orgId: string): Promise<InventorySnapshot[]>;
}

export function inventoryStore(store: Pick<Store, 'db' | 'dialect'>): InventoryStore {
  const db = store.db as unknown as Kysely<LogsDatabase>;
  const nativeJson = store.dialect.capabilities.nativeJson;
  return {
    async save(key, s) {
      const row = {
        taken_ms: s.takenMs,
        count: s.count,
        truncated: s.truncated ? 1 : 0,
        items: JSON.stringify(s.items),
        error: s.error,
      };
      await db
        .insertInto('log_inventory')
        .values({
          org_id: key.orgId,
          integration_id: key.integrationId,
          account_id: key.accountId,
          kind: s.kind,
          ...row,
        })
        .onConflict((oc) => oc.columns(['org_id', 'integration_id', 'account_id', 'kind']).doUpdateSet(row))
        .execute();
    },
    async latest(orgId) {
      const rows = await db
        .selectFrom('log_inventory')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('kind')
        .execute();
      return rows.map((r) => ({
        kind: r.kind as InventoryKind,
        integrationId: r.integration_id,
        accountId: r.account_id,
        count: r.count,
        truncated: r.truncated === 1,
        error: r.error,
        takenMs: Number(r.taken_ms),
        items: (typeof r.items === 'string' && !nativeJson ? JSON.parse(r.items) : r.items) as Record<
          string,
          unknown
        >[],
      }));
    },
  };
}

/**
 * One tenant's users, phones and endpoints, each kind on its own: a kind Duo refuses (a missing grant, an
 * endpoint the tenant lacks) is recorded with its error and keeps the previous items out of the way — the
 * stored snapshot says what failed rather than silently keeping stale data.
 */
export async function snapshotInventory(
  client: DuoClient,
  key: { orgId: string; integrationId: string; accountId: string },
  store: InventoryStore,
  now: () => number,
  signal?: AbortSignal,
): Promise<InventoryResult[]> {
  const out: InventoryResult[] = [];
  for (const k of INVENTORY_KINDS) {
    let result: InventorySnapshot;
    try {
      const { items, truncated } = await listAll(client, k.path, k.limit, signal);
      result = {
        kind: k.kind,
        accountId: key.accountId,
        count: items.length,
        truncated,
        error: null,
        takenMs: now(),
        items,
      };
    } catch (error) {
      if (signal?.aborted === true) throw error;
      const text = stripControl(error instanceof Error ? error.message : String(error)).slice(0, 300);
      result = {
        kind: k.kind,
        accountId: key.accountId,
        count: 0,
        truncated: false,
        error: text,
        takenMs: now(),
        items: [],
      };
    }
    await store.save(key, result);
    out.push({
      kind: result.kind,
      accountId: result.accountId,
      count: result.count,
      truncated: result.truncated,
      error: result.error,
    });
  }
  return out;
}
