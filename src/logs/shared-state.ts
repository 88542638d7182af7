import type { Kysely } from 'kysely';
import type { DuoClient } from '../duo/index.js';
import type { Store } from '../store/index.js';
import type { StreamKey } from './checkpoint.repository.js';
import type { ChildAccount } from './inventory-org.js';
import type { LogsDatabase } from './logs.table.js';

/** events/s is the delivered count over this window (the same ten minutes the in-process meter used). */
export const RATE_WINDOW_MS = 10 * 60_000;
/** The MSP child-account list is refreshed hourly (the log-collection requirements). */
export const CHILDREN_TTL_MS = 3_600_000;

export const rateKey = (k: Pick<StreamKey, 'orgId' | 'integrationId' | 'accountId' | 'stream'>): string =>
  `${k.orgId}/${k.integrationId}/${k.accountId}/${k.stream}`;

export interface SinkState {
  readonly sink: string;
  readonly type: string;
  readonly queueEvents: number;
  readonly queueFull: boolean;
  readonly lastAck: number | null;
  readonly lastError: string | null;
  readonly updated: number;
}

/**
 * What the collector keeps in the database so every process sees the same picture: delivered events per
 * minute (written by the checkpoint commit), each sink's last seen health, and the MSP child lists.
 */
export interface SharedState {
  /** Events per second per stream (`rateKey`) over the window ending at `now`. */
  rates(now: number, orgId?: string): Promise<Map<string, number>>;
  saveSinks(states: readonly Omit<SinkState, 'updated'>[], now: number): Promise<void>;
  sinks(): Promise<SinkState[]>;
  /** An Accounts integration's children: from the database when fetched within the hour, else from Duo. */
  readonly childrenOf: (
    integrationId: string,
    parent: DuoClient,
    signal?: AbortSignal,
  ) => Promise<readonly ChildAccount[]>;
}

export function sharedState(store: Pick<Store, 'db' | 'dialect'>, clock: () => number): SharedState {
  const db = store.db as unknown as Kysely<LogsDatabase>;
  const nativeJson = store.dialect.capabilities.nativeJson;
  return {
    async rates(now, orgId) {
      let q = db
        .selectFrom('log_stream_rates')
        .select(['org_id', 'integration_id', 'account_id', 'stream', 'events'])
        .where('minute_ms', '>=', now - RATE_WINDOW_MS);
      if (orgId !== undefined) q = q.where('org_id', '=', orgId);
      const out = new Map<string, number>();
      for (const r of await q.execute()) {
        const key = rateKey({
          orgId: r.org_id,
          integrationId: r.integration_id,
          accountId: r.account_id,
          stream: r.stream as StreamKey['stream'],
        });
        out.set(key, (out.get(key) ?? 0) + Number(r.events));
      }
      for (const [k, events] of out) out.set(k, events / (RATE_WINDOW_MS / 1000));
      return out;
    },
    async saveSinks(states, now) {
      for (const s of states) {
        const row = {
          type: s.type,
          queue_events: s.queueEvents,
          queue_full: s.queueFull ? 1 : 0,
          last_ack_ms: s.lastAck,
          last_error: s.lastError,
          updated_ms: now,
        };
        await db
          .insertInto('log_sink_state')
          .values({ sink: s.sink, ...row })
          .onConflict((oc) => oc.column('sink').doUpdateSet(row))
          .execute();
      }
    },
    async sinks() {
      const rows = await db.selectFrom('log_sink_state').selectAll().orderBy('sink').execute();
      return rows.map((r) => ({
        sink: r.sink,
        type: r.type,
        queueEvents: r.queue_events,
        queueFull: r.queue_full > 0,
        lastAck: r.last_ack_ms === null ? null : Number(r.last_ack_ms),
        lastError: r.last_error,
        updated: Number(r.updated_ms),
      }));
    },
    childrenOf: async (integrationId, parent, signal) => {
      const row = await db
        .selectFrom('log_msp_children')
        .selectAll()
        .where('integration_id', '=', integrationId)
        .executeTakeFirst();
      const now = clock();
      if (row !== undefined && now - Number(row.fetched_ms) < CHILDREN_TTL_MS) {
        const v = row.accounts;
        return (typeof v === 'string' && !nativeJson ? JSON.parse(v) : v) as ChildAccount[];
      }
      const list = await parent.accounts.list(signal === undefined ? {} : { signal });
      const values = { fetched_ms: now, accounts: JSON.stringify(list) };
      await db
        .insertInto('log_msp_children')
        .values({ integration_id: integrationId, ...values })
        .onConflict((oc) => oc.column('integration_id').doUpdateSet(values))
        .execute();
      return list;
    },
  };
}
