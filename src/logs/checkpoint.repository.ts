import { sql, type Kysely } from 'kysely';
import type { Store } from '../store/index.js';
import type { LogStream } from './streams.js';
import type { StreamCheckpoint } from './checkpoint.js';
import type { LogsDatabase } from './logs.table.js';

/** A Duo log stream, or `alerts`: duowatch's own alert changes, read from the alert outbox per organization. */
export type CheckpointStream = LogStream | 'alerts';

/**
 * One poller's identity: a credential (integration), the tenant it reads (own or an MSP child), a stream. The
 * `alerts` stream of an organization has no credential or tenant: both are ''.
 */
export interface StreamKey {
  orgId: string;
  integrationId: string;
  /** '' for the integration's own tenant; the child's account id for an MSP child. */
  accountId: string;
  stream: CheckpointStream;
}

/** A Duo stream's key (what the collector reads from Duo). */
export type DuoStreamKey = StreamKey & { stream: LogStream };

export type StreamStatus = 'ok' | 'backoff' | 'needs_grant' | 'paused';

export interface StreamRecord {
  key: StreamKey;
  checkpoint: StreamCheckpoint;
  status: StreamStatus;
  lastError: string | null;
  failures: number;
  nextAttemptMs: number | null;
  lastPollMs: number | null;
  lastSuccessMs: number | null;
  eventsTotal: number;
  newestTs: number | null;
  leaseOwner: string | null;
  leaseUntilMs: number | null;
  /** When a process last wrote the row (created, committed, failed, reset); a lease renewal does not count. */
  updatedMs: number;
}

export interface CheckpointRepository {
  get(key: StreamKey): Promise<StreamRecord | undefined>;
  /** Creates the row with `initial` unless it exists; returns the stored record either way. */
  ensure(key: StreamKey, initial: StreamCheckpoint, now: number): Promise<StreamRecord>;
  /**
   * The commit: the stream's checkpoint and every exactly-once sink's position in one transaction, only
   * called after every sink on the route acknowledged the batch.
   */
  commit(
    key: StreamKey,
    checkpoint: StreamCheckpoint,
    delivered: number,
    positions: Readonly<Record<string, string>>,
    now: number,
  ): Promise<void>;
  /** Replaces the checkpoint (backfill) without touching counters. */
  reset(key: StreamKey, checkpoint: StreamCheckpoint, now: number): Promise<void>;
  recordFailure(
    key: StreamKey,
    status: StreamStatus,
    error: string,
    nextAttemptMs: number | null,
    now: number,
  ): Promise<void>;
  /** Takes (or renews) the stream for `owner` when it is free, already its own, or its lease ran out. */
  acquireLease(key: StreamKey, owner: string, ttlMs: number, now: number): Promise<boolean>;
  releaseLease(key: StreamKey, owner: string): Promise<void>;
  list(orgId?: string): Promise<StreamRecord[]>;
  sinkPosition(sink: string): Promise<string | null>;
  sinkPositions(): Promise<Array<{ sink: string; position: string; updated: string }>>;
  /** Stores a sink's starting position (before anything was committed for it). */
  savePosition(sink: string, position: string, now: number): Promise<void>;
}

const n = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function checkpointRepository(store: Pick<Store, 'db' | 'dialect'>): CheckpointRepository {
  const db = store.db as unknown as Kysely<LogsDatabase>;
  const nativeJson = store.dialect.capabilities.nativeJson;
  const json = (v: unknown): string => JSON.stringify(v);
  const parse = (v: unknown): unknown => (typeof v === 'string' && !nativeJson ? JSON.parse(v) : v);

  function byKey(key: StreamKey) {
    return db
      .selectFrom('log_checkpoints')
      .selectAll()
      .where('org_id', '=', key.orgId)
      .where('integration_id', '=', key.integrationId)
      .where('account_id', '=', key.accountId)
      .where('stream', '=', key.stream);
  }

  function toRecord(row: LogsDatabase['log_checkpoints']): StreamRecord {
    return {
      key: {
        orgId: row.org_id,
        integrationId: row.integration_id,
        accountId: row.account_id,
        stream: row.stream as CheckpointStream,
      },
      checkpoint: parse(row.state) as StreamCheckpoint,
      status: row.status as StreamStatus,
      lastError: row.last_error,
      failures: row.failures,
      nextAttemptMs: n(row.next_attempt_ms),
      lastPollMs: n(row.last_poll_ms),
      lastSuccessMs: n(row.last_success_ms),
      eventsTotal: Number(row.events_total),
      newestTs: n(row.newest_ts),
      leaseOwner: row.lease_owner,
      leaseUntilMs: n(row.lease_until_ms),
      updatedMs: Number(row.updated_ms),
    };
  }

  return {
    async get(key) {
      const row = await byKey(key).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },
    async ensure(key, initial, now) {
      await db
        .insertInto('log_checkpoints')
        .values({
          org_id: key.orgId,
          integration_id: key.integrationId,
          account_id: key.accountId,
          stream: key.stream,
          state: json(initial),
          status: 'ok',
          last_error: null,
          failures: 0,
          next_attempt_ms: null,
          last_poll_ms: null,
          last_success_ms: null,
          events_total: 0,
          newest_ts: null,
          lease_owner: null,
          lease_until_ms: null,
          updated_ms: now,
        })
        .onConflict((oc) => oc.columns(['org_id', 'integration_id', 'account_id', 'stream']).doNothing())
        .execute();
      const row = await byKey(key).executeTakeFirstOrThrow();
      return toRecord(row);
    },
    async commit(key, checkpoint, delivered, positions, now) {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('log_checkpoints')
          .set({
            state: json(checkpoint),
            status: 'ok',
            last_error: null,
            failures: 0,
            next_attempt_ms: null,
            last_poll_ms: now,
            last_success_ms: now,
            events_total: sql<number>`events_total + ${delivered}`,
            newest_ts: checkpoint.newestTs,
            updated_ms: now,
          })
          .where('org_id', '=', key.orgId)
          .where('integration_id', '=', key.integrationId)
          .where('account_id', '=', key.accountId)
          .where('stream', '=', key.stream)
          .execute();
        if (delivered > 0) {
          // Delivered events per minute, shared by every process (events/s, backlog estimate).
          const minute = Math.floor(now / 60_000) * 60_000;
          const rk = {
            org_id: key.orgId,
            integration_id: key.integrationId,
            account_id: key.accountId,
            stream: key.stream,
          };
          await trx
            .insertInto('log_stream_rates')
            .values({ ...rk, minute_ms: minute, events: delivered })
            .onConflict((oc) =>
              oc
                .columns(['org_id', 'integration_id', 'account_id', 'stream', 'minute_ms'])
                .doUpdateSet({ events: sql<number>`log_stream_rates.events + excluded.events` }),
            )
            .execute();
          // Bounded: only the last quarter hour is kept (the rate reads ten minutes).
          await trx
            .deleteFrom('log_stream_rates')
            .where('org_id', '=', key.orgId)
            .where('integration_id', '=', key.integrationId)
            .where('account_id', '=', key.accountId)
            .where('stream', '=', key.stream)
            .where('minute_ms', '<', minute - 15 * 60_000)
            .execute();
        }
        for (const [sink, position] of Object.entries(positions)) {
          await trx
            .insertInto('log_sink_positions')
            .values({ sink, position, updated_ms: now })
            .onConflict((oc) => oc.column('sink').doUpdateSet({ position, updated_ms: now }))
            .execute();
        }
      });
    },
    async reset(key, checkpoint, now) {
      await db
        .updateTable('log_checkpoints')
        .set({ state: json(checkpoint), newest_ts: checkpoint.newestTs, updated_ms: now })
        .where('org_id', '=', key.orgId)
        .where('integration_id', '=', key.integrationId)
        .where('account_id', '=', key.accountId)
        .where('stream', '=', key.stream)
        .execute();
    },
    async recordFailure(key, status, error, nextAttemptMs, now) {
      await db
        .updateTable('log_checkpoints')
        .set({
          status,
          last_error: error,
          failures: sql<number>`failures + 1`,
          next_attempt_ms: nextAttemptMs,
          last_poll_ms: now,
          updated_ms: now,
        })
        .where('org_id', '=', key.orgId)
        .where('integration_id', '=', key.integrationId)
        .where('account_id', '=', key.accountId)
        .where('stream', '=', key.stream)
        .execute();
    },
    async acquireLease(key, owner, ttlMs, now) {
      const result = await db
        .updateTable('log_checkpoints')
        .set({ lease_owner: owner, lease_until_ms: now + ttlMs })
        .where('org_id', '=', key.orgId)
        .where('integration_id', '=', key.integrationId)
        .where('account_id', '=', key.accountId)
        .where('stream', '=', key.stream)
        .where((eb) =>
          eb.or([
            eb('lease_owner', 'is', null),
            eb('lease_owner', '=', owner),
            eb('lease_until_ms', '<', now),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async releaseLease(key, owner) {
      await db
        .updateTable('log_checkpoints')
        .set({ lease_owner: null, lease_until_ms: null })
        .where('org_id', '=', key.orgId)
        .where('integration_id', '=', key.integrationId)
        .where('account_id', '=', key.accountId)
        .where('stream', '=', key.stream)
        .where('lease_owner', '=', owner)
        .execute();
    },
    async list(orgId) {
      let q = db.selectFrom('log_checkpoints').selectAll();
      if (orgId !== undefined) q = q.where('org_id', '=', orgId);
      const rows = await q
        .orderBy('org_id')
        .orderBy('integration_id')
        .orderBy('account_id')
        .orderBy('stream')
        .execute();
      return rows.map(toRecord);
    },
    async sinkPositions() {
      const rows = await db.selectFrom('log_sink_positions').selectAll().orderBy('sink').execute();
      return rows.map((r) => ({
        sink: r.sink,
        position: r.position,
        updated: new Date(Number(r.updated_ms)).toISOString(),
      }));
    },
    async savePosition(sink, position, now) {
      await db
        .insertInto('log_sink_positions')
        .values({ sink, position, updated_ms: now })
        .onConflict((oc) => oc.column('sink').doUpdateSet({ position, updated_ms: now }))
        .execute();
    },
    async sinkPosition(sink) {
      const row = await db
        .selectFrom('log_sink_positions')
        .select('position')
        .where('sink', '=', sink)
        .executeTakeFirst();
      return row?.position ?? null;
    },
  };
}
