import type { Selectable, Transaction } from 'kysely';
import type { EvidenceRecord, EvidenceStatus } from '../models.js';
import type { Database, EvidenceRecordsTable } from '../tables.js';
import type { RepositoryContext } from './context.js';

export interface NewEvidenceRecord {
  integrationId?: string | null;
  signalId: string;
  status: EvidenceStatus;
  metrics: Record<string, unknown>;
  controls: unknown[];
  truncated?: boolean;
  notes?: string[];
  runId?: string | null;
  startedAt: Date;
  finishedAt: Date;
}

export interface EvidenceRange {
  from: Date;
  to: Date;
  signalIds?: readonly string[];
  limit?: number;
}

export interface EvidenceRepository {
  /** Stores one record and moves the "latest" pointer in the same transaction. */
  insert(orgId: string, record: NewEvidenceRecord): Promise<EvidenceRecord>;
  /** Stores many records of one organization in one transaction (a sync run's signals, imports, benchmarks). */
  insertMany(orgId: string, records: readonly NewEvidenceRecord[]): Promise<EvidenceRecord[]>;
  get(orgId: string, recordId: string): Promise<EvidenceRecord | undefined>;
  /** The newest record of every signal of the organization (optionally only some signals), by signal id. */
  latest(orgId: string, signalIds?: readonly string[]): Promise<EvidenceRecord[]>;
  /**
   * The latest status of each of `signalIds` for every organization, in one query (the overview lists many
   * organizations with their worst status; one query per organization does not scale).
   */
  latestStatuses(
    signalIds: readonly string[],
  ): Promise<Array<{ orgId: string; signalId: string; status: EvidenceStatus }>>;
  /** One signal's records with `from <= finishedAt <= to`, oldest first. */
  history(
    orgId: string,
    signalId: string,
    range: { from: Date; to: Date; limit?: number },
  ): Promise<EvidenceRecord[]>;
  /** Every record in a window, across signals (export), oldest first. */
  range(orgId: string, range: EvidenceRange): Promise<EvidenceRecord[]>;
}

const BATCH = 500;

export function evidenceRepository(ctx: RepositoryContext): EvidenceRepository {
  const { db, codec } = ctx;
  const map = (row: Selectable<EvidenceRecordsTable>): EvidenceRecord => ({
    id: row.id,
    orgId: row.org_id,
    integrationId: row.integration_id,
    signalId: row.signal_id,
    status: row.status as EvidenceStatus,
    metrics: codec.parseJson(row.metrics) as Record<string, unknown>,
    controls: codec.parseJson(row.controls) as unknown[],
    truncated: codec.parseBool(row.truncated),
    notes: codec.parseJson(row.notes) as string[],
    runId: row.run_id,
    startedAt: codec.parseTime(row.started_at),
    finishedAt: codec.parseTime(row.finished_at),
    createdAt: codec.parseTime(row.created_at),
  });

  const toRow = (orgId: string, record: NewEvidenceRecord, createdAt: string) => ({
    id: ctx.newId(),
    org_id: orgId,
    integration_id: record.integrationId ?? null,
    signal_id: record.signalId,
    status: record.status,
    metrics: codec.json(record.metrics),
    controls: codec.json(record.controls),
    truncated: codec.bool(record.truncated ?? false),
    notes: codec.json(record.notes ?? []),
    run_id: record.runId ?? null,
    started_at: codec.time(record.startedAt),
    finished_at: codec.time(record.finishedAt),
    created_at: createdAt,
  });

  const write = async (
    trx: Transaction<Database>,
    orgId: string,
    rows: ReturnType<typeof toRow>[],
    finished: Date[],
  ) => {
    for (let i = 0; i < rows.length; i += BATCH) {
      await trx
        .insertInto('evidence_records')
        .values(rows.slice(i, i + BATCH))
        .execute();
    }
    // Newest per signal within this batch first: one ON CONFLICT statement may not touch a row twice.
    const newest = new Map<string, { row: ReturnType<typeof toRow>; at: Date }>();
    rows.forEach((row, i) => {
      const at = finished[i] as Date;
      const seen = newest.get(row.signal_id);
      if (seen === undefined || at >= seen.at) newest.set(row.signal_id, { row, at });
    });
    const pointers = [...newest.values()].map(({ row }) => ({
      org_id: orgId,
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

  const insertMany = async (orgId: string, records: readonly NewEvidenceRecord[]) => {
    if (records.length === 0) return [];
    const createdAt = codec.time(ctx.clock());
    const rows = records.map((r) => toRow(orgId, r, createdAt));
    await db.transaction().execute((trx) =>
      write(
        trx,
        orgId,
        rows,
        records.map((r) => r.finishedAt),
      ),
    );
    // Built from the inputs, not the encoded rows: JSON and booleans are already in their final shape there.
    return rows.map((row, i) => {
      const r = records[i] as NewEvidenceRecord;
      return {
        id: row.id,
        orgId,
        integrationId: row.integration_id,
        signalId: r.signalId,
        status: r.status,
        metrics: r.metrics,
        controls: r.controls,
        truncated: r.truncated ?? false,
        notes: r.notes ?? [],
        runId: row.run_id,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        createdAt: codec.parseTime(createdAt),
      };
    });
  };

  return {
    async insert(orgId, record) {
      const [stored] = await insertMany(orgId, [record]);
      return stored as EvidenceRecord;
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
        status: row.status as EvidenceStatus,
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
