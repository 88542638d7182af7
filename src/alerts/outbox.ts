import type { Kysely, Selectable } from 'kysely';
import { createCodec, type ValueCodec } from '../store/dialect/index.js';
import type { Store } from '../store/index.js';
import type { StoredAlert } from './model.js';

/** What happened to an alert; each is one outbox row (docs/alerts.md, "The outbox"). */
export const ALERT_ACTIONS = ['created', 'repeated', 'acknowledged', 'resolved', 'suppressed'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** The alert as JSON, the way the log sinks carry it (snake_case, ISO times). */
export interface AlertJson {
  readonly id: string;
  readonly source: string;
  readonly rule: string;
  readonly title: string;
  readonly severity: string;
  readonly entity: string;
  readonly status: string;
  readonly dedupe_key: string;
  readonly first_seen: string;
  readonly last_seen: string;
  readonly count: number;
  readonly event_ids: readonly string[];
  readonly fields: Readonly<Record<string, unknown>>;
  readonly status_by: string | null;
  readonly status_at: string | null;
  readonly status_note: string | null;
}

/** One change of one alert, as the outbox keeps it: the alert as it was right after the change. */
export interface AlertChange {
  /** The outbox's sequence: increasing in commit order (the writers serialize, see `appendChange`). */
  readonly seq: number;
  readonly orgId: string;
  readonly alertId: string;
  readonly action: AlertAction;
  readonly at: Date;
  /** Who changed it (acknowledged or resolved: the operator, `cli`, an API token's name); null for a raise. */
  readonly by: string | null;
  readonly note: string | null;
  readonly alert: AlertJson;
}

/** Reads the outbox; the log sinks' `alerts` stream keeps its position in it as a checkpoint. */
export interface AlertOutbox {
  /** The organization's changes after `afterSeq`, oldest first, at most `limit`. */
  read(orgId: string, afterSeq: number, limit: number): Promise<AlertChange[]>;
  /** The sequence just before the organization's first change at or after `since` (a new reader's start). */
  seqBefore(orgId: string, since: Date): Promise<number>;
  /** The organizations that have changes older than `before` (what a prune looks at). */
  orgsWithChangesBefore(before: Date): Promise<string[]>;
  /**
   * Deletes at most `limit` of the organization's changes older than `before` — with `throughSeq`, only those
   * at or below it — oldest first, and says how many. A sequence is never given out again (SQLite
   * AUTOINCREMENT, PostgreSQL bigserial), so a reader's checkpoint past a deleted row stays right.
   */
  prune(orgId: string, before: Date, throughSeq: number | null, limit: number): Promise<number>;
}

export interface AlertOutboxTable {
  seq: number | string;
  org_id: string;
  alert_id: string;
  action: string;
  at: string;
  by: string | null;
  note: string | null;
  alert: unknown;
}

interface Tables {
  alert_outbox: AlertOutboxTable;
}

/**
 * The lock every alert-changing transaction takes first: on PostgreSQL two transactions could otherwise
 * commit their outbox rows out of sequence order, and a reader past the later one would skip the earlier.
 */
export const ALERT_CHANGE_LOCK = 0x616c_6572; // "aler"

export function alertJson(a: StoredAlert): AlertJson {
  return {
    id: a.id,
    source: a.source,
    rule: a.rule,
    title: a.title,
    severity: a.severity,
    entity: a.entity,
    status: a.status,
    dedupe_key: a.dedupeKey,
    first_seen: a.firstSeen.toISOString(),
    last_seen: a.lastSeen.toISOString(),
    count: a.count,
    event_ids: [...a.eventIds],
    fields: { ...a.fields },
    status_by: a.statusBy,
    status_at: a.statusAt === null ? null : a.statusAt.toISOString(),
    status_note: a.statusNote,
  };
}

/** Appends one change inside the caller's transaction (the same one that changed the alert). */
export async function appendChange(
  trx: Kysely<unknown>,
  codec: ValueCodec,
  change: Omit<AlertChange, 'seq'>,
): Promise<void> {
  await (trx as unknown as Kysely<Tables>)
    .insertInto('alert_outbox')
    .values({
      org_id: change.orgId,
      alert_id: change.alertId,
      action: change.action,
      at: codec.time(change.at),
      by: change.by,
      note: change.note,
      alert: codec.json(change.alert),
    } as Omit<AlertOutboxTable, 'seq'> as AlertOutboxTable)
    .execute();
}

export function alertOutbox(store: Pick<Store, 'db' | 'dialect'>): AlertOutbox {
  const db = store.db as unknown as Kysely<Tables>;
  const codec = createCodec(store.dialect.capabilities);
  const map = (r: Selectable<AlertOutboxTable>): AlertChange => ({
    seq: codec.parseInt(r.seq),
    orgId: r.org_id,
    alertId: r.alert_id,
    action: r.action as AlertAction,
    at: codec.parseTime(r.at),
    by: r.by,
    note: r.note,
    alert: codec.parseJson(r.alert) as AlertJson,
  });
  return {
    async read(orgId, afterSeq, limit) {
      const rows = await db
        .selectFrom('alert_outbox')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(map);
    },
    async seqBefore(orgId, since) {
      const row = await db
        .selectFrom('alert_outbox')
        .select('seq')
        .where('org_id', '=', orgId)
        .where('at', '>=', codec.time(since))
        .orderBy('seq')
        .limit(1)
        .executeTakeFirst();
      if (row !== undefined) return codec.parseInt(row.seq) - 1;
      // Nothing since then: start after everything there is.
      const last = await db
        .selectFrom('alert_outbox')
        .select((eb) => eb.fn.max('seq').as('m'))
        .executeTakeFirst();
      return last?.m === null || last?.m === undefined ? 0 : codec.parseInt(last.m);
    },
    async orgsWithChangesBefore(before) {
      const rows = await db
        .selectFrom('alert_outbox')
        .select('org_id')
        .distinct()
        .where('at', '<', codec.time(before))
        .orderBy('org_id')
        .execute();
      return rows.map((r) => r.org_id);
    },
    async prune(orgId, before, throughSeq, limit) {
      // One bounded statement per call: the caller loops, so no delete holds the table for long.
      let oldest = db
        .selectFrom('alert_outbox')
        .select('seq')
        .where('org_id', '=', orgId)
        .where('at', '<', codec.time(before));
      if (throughSeq !== null) oldest = oldest.where('seq', '<=', throughSeq);
      const result = await db
        .deleteFrom('alert_outbox')
        .where('seq', 'in', oldest.orderBy('seq').limit(limit))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
