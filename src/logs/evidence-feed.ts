import type { Kysely } from 'kysely';
import type { CollectedEvent } from '../app/index.js';
import type { Store } from '../store/index.js';
import type { LogsDatabase } from './logs.table.js';
import type { LogSink } from './sinks/index.js';

/** How long the reduced auth events are kept: the hourly evidence poll reads back at most a day and a bit. */
export const EVIDENCE_RETENTION_MS = 48 * 3_600_000;
/**
 * The evidence poll's window ends at now − 2 min and its next one starts at now − 5 min (docs/evidence.md):
 * the collected stream must be delivered to within two minutes of the window's end (a minute's margin), or
 * the events between would never be read; then the poll asks Duo itself.
 */
const MAX_BEHIND_MS = 2 * 60_000;

/** Only the fields the auth-log aggregate reads (src/evidence's AuthEventLike); no IP, username or txid. */
function reduce(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const user = raw['user'];
  const userKey =
    user !== null && typeof user === 'object' ? (user as Record<string, unknown>)['key'] : undefined;
  return {
    timestamp: raw['timestamp'] ?? null,
    isotimestamp: raw['isotimestamp'] ?? null,
    event_type: raw['event_type'] ?? null,
    result: raw['result'] ?? null,
    reason: raw['reason'] ?? null,
    factor: raw['factor'] ?? null,
    ...(typeof userKey === 'string' ? { user: { key: userKey } } : {}),
  };
}

type AuthLogsReader = (q: {
  mintimeMs: number;
  maxtimeMs: number;
  pageSize: number;
  signal?: AbortSignal;
}) => AsyncIterable<{ items: readonly Record<string, unknown>[] }>;

export interface EvidenceFeed {
  /**
   * A sink on the authentication route of one integration's own tenant: it stores the reduced events in the
   * same delivery as the other sinks, so the checkpoint moves only once they are stored (a crash loses none).
   */
  sinkFor(orgId: string, integrationId: string): LogSink;
  /** The stream is complete from `since` (the first window the collector read for this integration). */
  start(orgId: string, integrationId: string, sinceMs: number): Promise<void>;
  /** A poll finished its window: everything up to `throughMs` is stored. Old rows are pruned. */
  delivered(orgId: string, integrationId: string, throughMs: number, now: number): Promise<void>;
  /** The collected events for the evidence window, or null when the stream does not cover it. */
  reader(
    orgId: string,
    integrationId: string,
    window: { mintimeMs: number; maxtimeMs: number },
    now: number,
  ): Promise<AuthLogsReader | null>;
}

export function evidenceFeed(store: Pick<Store, 'db' | 'dialect'>): EvidenceFeed {
  const db = store.db as unknown as Kysely<LogsDatabase>;
  const nativeJson = store.dialect.capabilities.nativeJson;
  const parse = (v: unknown): Record<string, unknown> =>
    (typeof v === 'string' && !nativeJson ? JSON.parse(v) : v) as Record<string, unknown>;
  return {
    sinkFor(orgId, integrationId) {
      return {
        name: `evidence:${integrationId}`,
        guarantee: 'exactly_once',
        async send(batch: readonly CollectedEvent[]) {
          const rows = batch.map((e) => ({
            org_id: orgId,
            integration_id: integrationId,
            id: e.id,
            ts_ms: e.ts,
            event: JSON.stringify(reduce(e.raw)),
          }));
          // A replayed batch (after a crash before the commit) finds its rows there: the key keeps them once.
          for (let i = 0; i < rows.length; i += 500)
            await db
              .insertInto('log_auth_evidence')
              .values(rows.slice(i, i + 500))
              .onConflict((oc) => oc.columns(['org_id', 'integration_id', 'id']).doNothing())
              .execute();
        },
        close: () => Promise.resolve(),
      };
    },
    async start(orgId, integrationId, sinceMs) {
      await db
        .insertInto('log_auth_evidence_state')
        .values({ org_id: orgId, integration_id: integrationId, since_ms: sinceMs, through_ms: null })
        .onConflict((oc) => oc.columns(['org_id', 'integration_id']).doNothing())
        .execute();
    },
    async delivered(orgId, integrationId, throughMs, now) {
      await db
        .updateTable('log_auth_evidence_state')
        .set({ through_ms: throughMs })
        .where('org_id', '=', orgId)
        .where('integration_id', '=', integrationId)
        .execute();
      await db
        .deleteFrom('log_auth_evidence')
        .where('org_id', '=', orgId)
        .where('integration_id', '=', integrationId)
        .where('ts_ms', '<', now - EVIDENCE_RETENTION_MS)
        .execute();
    },
    async reader(orgId, integrationId, window, now) {
      const state = await db
        .selectFrom('log_auth_evidence_state')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('integration_id', '=', integrationId)
        .executeTakeFirst();
      if (state === undefined || state.through_ms === null) return null;
      const coveredFrom = Math.max(Number(state.since_ms), now - EVIDENCE_RETENTION_MS);
      const through = Number(state.through_ms);
      // Not covered: a window reaching back before the stream (or its retention), or a collector too far behind.
      if (window.mintimeMs < coveredFrom || through < window.maxtimeMs - MAX_BEHIND_MS) return null;
      const upTo = Math.min(window.maxtimeMs, through);
      return (q) =>
        (async function* () {
          let after: { ts: number; id: string } | null = null;
          for (;;) {
            q.signal?.throwIfAborted();
            let sel = db
              .selectFrom('log_auth_evidence')
              .select(['id', 'ts_ms', 'event'])
              .where('org_id', '=', orgId)
              .where('integration_id', '=', integrationId)
              .where('ts_ms', '>=', q.mintimeMs)
              .where('ts_ms', '<=', Math.min(q.maxtimeMs, upTo));
            if (after !== null) {
              const a = after;
              sel = sel.where((eb) =>
                eb.or([eb('ts_ms', '>', a.ts), eb.and([eb('ts_ms', '=', a.ts), eb('id', '>', a.id)])]),
              );
            }
            const rows = await sel.orderBy('ts_ms').orderBy('id').limit(q.pageSize).execute();
            if (rows.length === 0) return;
            yield { items: rows.map((r) => parse(r.event)) };
            const last = rows[rows.length - 1]!;
            after = { ts: Number(last.ts_ms), id: last.id };
            if (rows.length < q.pageSize) return;
          }
        })();
    },
  };
}
