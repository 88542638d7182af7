import type { Selectable, Transaction } from 'kysely';
import {
  isExtendedSignal,
  NO_CONTROLS,
  type ControlRef,
  type SignalRecord,
  type SignalStatus,
} from '../../shared/index.js';
import type { StoredSignalRecord } from '../models.js';
import type { Database, EvidenceRecordsTable } from '../tables.js';
import type { RepositoryContext } from './context.js';

export interface EvidenceRange {
  from: Date;
  to: Date;
  signalIds?: readonly string[];
  limit?: number;
}

export interface EvidenceRepository {
  /** Stores one record (of its `orgId`) and moves the "latest" pointer in the same transaction. */
  insert(record: SignalRecord): Promise<StoredSignalRecord>;
  /** Stores many records in one transaction (a sync run's signals, imports, benchmarks). */
  insertMany(records: readonly SignalRecord[]): Promise<StoredSignalRecord[]>;
  get(orgId: string, recordId: string): Promise<StoredSignalRecord | undefined>;
  /** The newest record of every signal of the organization (optionally only some signals), by signal id. */
  latest(orgId: string, signalIds?: readonly string[]): Promise<StoredSignalRecord[]>;
  /**
   * The latest status of each of `signalIds` for every organization, in one query (the overview lists many
   * organizations with their worst status; one query per organization does not scale).
   */
  latestStatuses(
    signalIds: readonly string[],
  ): Promise<Array<{ orgId: string; signalId: string; status: SignalStatus }>>;
  /** One signal's records with `from <= finishedAt <= to`, oldest first. */
  history(
    orgId: string,
    signalId: string,
    range: { from: Date; to: Date; limit?: number },
  ): Promise<StoredSignalRecord[]>;
  /** Every record in a window, across signals (export), oldest first. */
  range(orgId: string, range: EvidenceRange): Promise<StoredSignalRecord[]>;
}

const BATCH = 500;

const hasControls = (c: ControlRef) =>
  c.names.length + c.soc2.length + c.iso27001.length + c.nist80053.length > 0;

export function evidenceRepository(ctx: RepositoryContext): EvidenceRepository {
  const { db, codec } = ctx;
  // The controls column holds a list (one mapping object per signal; empty for a record no framework maps
  // to), and `extended` is derived from the id rather than stored: rows written before keep reading the same.
  const map = (row: Selectable<EvidenceRecordsTable>): StoredSignalRecord => ({
    recordId: row.id,
    orgId: row.org_id,
    integrationId: row.integration_id,
    id: row.signal_id,
    status: row.status as SignalStatus,
    metrics: codec.parseJson(row.metrics) as Record<string, unknown>,
    controls: (codec.parseJson(row.controls) as ControlRef[])[0] ?? NO_CONTROLS,
    truncated: codec.parseBool(row.truncated),
    notes: codec.parseJson(row.notes) as string[],
    extended: isExtendedSignal(row.signal_id),
    runId: row.run_id,
    startedAt: codec.parseTime(row.started_at).toISOString(),
    finishedAt: codec.parseTime(row.finished_at).toISOString(),
  });

  const toRow = (record: SignalRecord, createdAt: string) => ({
    id: ctx.newId(),
    org_id: record.orgId,
    integration_id: record.integrationId,
    signal_id: record.id,
    status: record.status,
    metrics: codec.json(record.metrics),
    controls: codec.json(hasControls(record.controls) ? [record.controls] : []),
    truncated: codec.bool(record.truncated),
    notes: codec.json(record.notes),
    run_id: record.runId,
    started_at: codec.time(new Date(record.startedAt)),
    finished_at: codec.time(new Date(record.finishedAt)),
    created_at: createdAt,
  });

  const write = async (trx: Transaction<Database>, rows: ReturnType<typeof toRow>[]) => {
    for (let i = 0; i < rows.length; i += BATCH) {
      await trx
        .insertInto('evidence_records')
        .values(rows.slice(i, i + BATCH))
        .execute();
    }
    // Newest per signal within this batch first: one ON CONFLICT statement may not touch a row twice. The
    // encoded times compare as the instants they are (fixed-width UTC text, or timestamps).
    const newest = new Map<string, ReturnType<typeof toRow>>();
    for (const row of rows) {
      const key = `${row.org_id}\u0000${row.signal_id}`;
      const seen = newest.get(key);
      if (seen === undefined || Date.parse(row.finished_at) >= Date.parse(seen.finished_at))
        newest.set(key, row);
    }
    const pointers = [...newest.values()].map((row) => ({
      org_id: row.org_id,
      signal_id: row.signal_id,
      record_id: row.id,
      finished_at: row.finished_at,
    }));
    for (let i = 0; i < pointers.length; i += BATCH) {
      await trx
        .insertInto('evidence_latest')
        .values(pointers.slice(i, i + BATCH))
        .onConflict((oc) =>
          oc
            .columns(['org_id', 'signal_id'])
            .doUpdateSet((eb) => ({
              record_id: eb.ref('excluded.record_id'),
              finished_at: eb.ref('excluded.finished_at'),
            }))
            // A late-arriving older record (a backfill) must not hide a newer one.
            .where('excluded.finished_at', '>=', (eb) => eb.ref('evidence_latest.finished_at')),
        )
        .execute();
    }
  };

  const insertMany = async (records: readonly SignalRecord[]): Promise<StoredSignalRecord[]> => {
    if (records.length === 0) return [];
    const createdAt = codec.time(ctx.clock());
    const rows = records.map((r) => toRow(r, createdAt));
    await db.transaction().execute((trx) => write(trx, rows));
    // Built from the inputs, not the encoded rows: JSON and booleans are already in their final shape there.
    return records.map((r, i) => ({
      ...r,
      startedAt: new Date(r.startedAt).toISOString(),
      finishedAt: new Date(r.finishedAt).toISOString(),
      recordId: (rows[i] as ReturnType<typeof toRow>).id,
    }));
  };

  return {
    async insert(record) {
      const [stored] = await insertMany([record]);
      return stored as StoredSignalRecord;
    },
    insertMany,
    async get(orgId, recordId) {
      const row = await db
        .selectFrom('evidence_records')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('id', '=', recordId)
        .executeTakeFirst();
      return row === undefined ? undefined : map(row);
    },
    async latest(orgId, signalIds) {
      let q = db
        .selectFrom('evidence_latest as l')
        .innerJoin('evidence_records as r', 'r.id', 'l.record_id')
        .selectAll('r')
        .where('l.org_id', '=', orgId)
        .where('r.org_id', '=', orgId);
      if (signalIds !== undefined) {
        if (signalIds.length === 0) return [];
        q = q.where('l.signal_id', 'in', signalIds);
      }
      return (await q.orderBy('l.signal_id').execute()).map(map);
    },
    async latestStatuses(signalIds) {
      if (signalIds.length === 0) return [];
      const rows = await db
        .selectFrom('evidence_latest as l')
        .innerJoin('evidence_records as r', 'r.id', 'l.record_id')
        .select(['l.org_id as orgId', 'l.signal_id as signalId', 'r.status as status'])
        .where('l.signal_id', 'in', signalIds)
        .execute();
      return rows.map((row) => ({
        orgId: row.orgId,
        signalId: row.signalId,
        status: row.status as SignalStatus,
      }));
    },
    async history(orgId, signalId, range) {
      const rows = await db
        .selectFrom('evidence_records')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('signal_id', '=', signalId)
        .where('finished_at', '>=', codec.time(range.from))
        .where('finished_at', '<=', codec.time(range.to))
        .orderBy('finished_at')
        .limit(Math.min(range.limit ?? 10_000, 100_000))
        .execute();
      return rows.map(map);
    },
    async range(orgId, range) {
      let q = db
        .selectFrom('evidence_records')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('finished_at', '>=', codec.time(range.from))
        .where('finished_at', '<=', codec.time(range.to));
      if (range.signalIds !== undefined) {
        if (range.signalIds.length === 0) return [];
        q = q.where('signal_id', 'in', range.signalIds);
      }
      const rows = await q
        .orderBy('finished_at')
        .orderBy('signal_id')
        .limit(Math.min(range.limit ?? 100_000, 1_000_000))
        .execute();
      return rows.map(map);
    },
  };
}
