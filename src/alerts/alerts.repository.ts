import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AlertSeverity, NewAlert } from '../app/index.js';
import { createCodec } from '../store/dialect/index.js';
import type { Store } from '../store/index.js';
import { AlertError } from './errors.js';
import { occurrences, SEVERITY_RANK, type AlertStatus, type StoredAlert } from './model.js';
import { ALERT_CHANGE_LOCK, alertJson, appendChange } from './outbox.js';

interface AlertsTable {
  id: string;
  org_id: string;
  source: string;
  rule: string;
  title: string;
  severity: string;
  entity: string;
  status: string;
  dedupe_key: string;
  first_seen: string;
  last_seen: string;
  suppress_until: string;
  count: number;
  event_ids: unknown;
  fields: unknown;
  created_at: string;
  updated_at: string;
  status_by: string | null;
  status_at: string | null;
  status_note: string | null;
}
interface Tables {
  alerts: AlertsTable;
}

export interface AlertQuery {
  status?: AlertStatus | undefined;
  rule?: string | undefined;
  severity?: AlertSeverity | undefined;
  entity?: string | undefined;
  /** Alerts last seen before this time (paging backwards). */
  before?: Date | undefined;
  /**
   * With `before`: also alerts last seen exactly then whose id sorts below this one — the cursor of the last
   * alert of a page, so alerts sharing a last-seen time are neither skipped nor repeated.
   */
  beforeId?: string | undefined;
  /** Case-insensitive text in the title, rule, entity or triage fields. */
  text?: string | undefined;
  limit?: number | undefined;
}

export interface RaiseOutcome {
  readonly alert: StoredAlert;
  /** False when the alert was folded into an existing one (no new notification). */
  readonly created: boolean;
}

export interface AlertRepository {
  /**
   * Stores the alert, or folds it into the open one with the same key inside its suppression window; the
   * change (`created`, `suppressed` or `repeated`) goes to the outbox in the same transaction.
   */
  raise(alert: NewAlert, options: RaiseOptions): Promise<RaiseOutcome>;
  /**
   * Raises a batch in one transaction, in order, with the same result as one `raise` after another; each alert
   * the batch touched is written once and gets one outbox change with its state after the batch (a detection
   * batch folds hundreds of repeats of a few keys). One outcome per request, in order, each with the alert's
   * state after the batch.
   */
  raiseMany(requests: readonly RaiseRequest[]): Promise<RaiseOutcome[]>;
  get(orgId: string | null, id: string): Promise<StoredAlert | undefined>;
  list(orgId: string | null, query?: AlertQuery): Promise<StoredAlert[]>;
  /** Acknowledges or resolves, with the change in the outbox in the same transaction. */
  setStatus(id: string, status: 'acknowledged' | 'resolved', by: string, note?: string): Promise<StoredAlert>;
  /** Alerts per rule, severity and status (for /metrics). */
  counts(): Promise<{ rule: string; severity: string; status: string; n: number }[]>;
}

export interface RaiseOptions {
  readonly suppressForMs: number;
  readonly status?: 'open' | 'suppressed';
}

export interface RaiseRequest extends RaiseOptions {
  readonly alert: NewAlert;
}

/** An open alert a batch may fold into (loaded, or created earlier in the batch). */
interface Candidate {
  alert: StoredAlert;
  readonly suppressUntil: Date;
  readonly isNew: boolean;
}

const candidateKey = (orgId: string, dedupeKey: string): string => `${orgId}\u0000${dedupeKey}`;

/** A repeat folded into an alert: its occurrences, the later last-seen, the higher severity, ids up to the cap. */
function foldInto(cur: StoredAlert, a: NewAlert, at: Date): StoredAlert {
  const ids = [...cur.eventIds];
  for (const id of a.eventIds ?? []) if (ids.length < MAX_EVENT_IDS && !ids.includes(id)) ids.push(id);
  return {
    ...cur,
    count: cur.count + occurrences(a),
    lastSeen: a.lastSeen > cur.lastSeen ? a.lastSeen : cur.lastSeen,
    severity: SEVERITY_RANK[a.severity] > SEVERITY_RANK[cur.severity] ? a.severity : cur.severity,
    eventIds: ids,
    fields: { ...cur.fields, ...a.fields },
    updatedAt: at,
  };
}

/** Most event ids an alert keeps; its count keeps counting beyond that. */
export const MAX_EVENT_IDS = 200;

export function alertRepository(
  store: Pick<Store, 'db' | 'dialect'>,
  opts: { clock?: () => Date; newId?: () => string } = {},
): AlertRepository {
  const db = store.db as unknown as Kysely<Tables>;
  const codec = createCodec(store.dialect.capabilities);
  const clock = opts.clock ?? (() => new Date());
  const newId = opts.newId ?? (() => crypto.randomUUID());
  const map = (r: Selectable<AlertsTable>): StoredAlert => ({
    id: r.id,
    orgId: r.org_id,
    source: r.source,
    rule: r.rule,
    title: r.title,
    severity: r.severity as AlertSeverity,
    entity: r.entity,
    status: r.status as AlertStatus,
    dedupeKey: r.dedupe_key,
    firstSeen: codec.parseTime(r.first_seen),
    lastSeen: codec.parseTime(r.last_seen),
    count: codec.parseInt(r.count),
    eventIds: codec.parseJson(r.event_ids) as string[],
    fields: codec.parseJson(r.fields) as Record<string, unknown>,
    createdAt: codec.parseTime(r.created_at),
    updatedAt: codec.parseTime(r.updated_at),
    statusBy: r.status_by,
    statusAt: codec.parseTimeOrNull(r.status_at),
    statusNote: r.status_note,
  });

  const toRow = (x: StoredAlert, suppressUntil: Date): AlertsTable => ({
    id: x.id,
    org_id: x.orgId,
    source: x.source,
    rule: x.rule,
    title: x.title,
    severity: x.severity,
    entity: x.entity,
    status: x.status,
    dedupe_key: x.dedupeKey,
    first_seen: codec.time(x.firstSeen),
    last_seen: codec.time(x.lastSeen),
    suppress_until: codec.time(suppressUntil),
    count: x.count,
    event_ids: codec.json(x.eventIds),
    fields: codec.json(x.fields),
    created_at: codec.time(x.createdAt),
    updated_at: codec.time(x.updatedAt),
    status_by: null,
    status_at: null,
    status_note: null,
  });

  const newCandidate = (
    a: NewAlert,
    dedupeKey: string,
    status: 'open' | 'suppressed',
    suppressForMs: number,
    at: Date,
  ): Candidate => ({
    alert: {
      id: newId(),
      orgId: a.orgId,
      source: a.source,
      rule: a.rule,
      title: a.title,
      severity: a.severity,
      entity: a.entity,
      status,
      dedupeKey,
      firstSeen: a.firstSeen,
      lastSeen: a.lastSeen,
      count: occurrences(a),
      eventIds: (a.eventIds ?? []).slice(0, MAX_EVENT_IDS),
      fields: a.fields ?? {},
      createdAt: at,
      updatedAt: at,
      statusBy: null,
      statusAt: null,
      statusNote: null,
    },
    suppressUntil: new Date(a.firstSeen.getTime() + suppressForMs),
    isNew: true,
  });

  /** Writes a raised or folded alert and its outbox change (in the caller's locked transaction). */
  async function write(trx: Transaction<Tables>, c: Candidate, at: Date): Promise<void> {
    const x = c.alert;
    if (c.isNew) await trx.insertInto('alerts').values(toRow(x, c.suppressUntil)).execute();
    else
      await trx
        .updateTable('alerts')
        .set({
          count: x.count,
          last_seen: codec.time(x.lastSeen),
          severity: x.severity,
          event_ids: codec.json(x.eventIds),
          fields: codec.json(x.fields),
          updated_at: codec.time(at),
        })
        .where('id', '=', x.id)
        .execute();
    await appendChange(trx as unknown as Kysely<unknown>, codec, {
      orgId: x.orgId,
      alertId: x.id,
      action: !c.isNew ? 'repeated' : x.status === 'suppressed' ? 'suppressed' : 'created',
      at,
      by: null,
      note: null,
      alert: alertJson(x),
    });
  }

  async function raiseMany(requests: readonly RaiseRequest[]): Promise<RaiseOutcome[]> {
    if (requests.length === 0) return [];
    const at = clock();
    return db.transaction().execute(async (trx) => {
      // First, so concurrent raises of one key fold instead of both inserting, and outbox rows commit in order.
      await store.dialect.lockForTransaction(trx as unknown as Kysely<unknown>, ALERT_CHANGE_LOCK);
      // Every open alert a request of the batch could fold into, one query per key (the lock keeps them
      // current); the requests then apply in order in memory, exactly as one raise after another would.
      const candidates = new Map<string, Candidate[]>();
      const earliest = new Map<string, { orgId: string; dedupeKey: string; from: Date }>();
      for (const { alert: a } of requests) {
        const dedupeKey = a.dedupeKey ?? `${a.rule}:${a.entity}`;
        const k = candidateKey(a.orgId, dedupeKey);
        const seen = earliest.get(k);
        if (seen === undefined || a.firstSeen < seen.from)
          earliest.set(k, { orgId: a.orgId, dedupeKey, from: a.firstSeen });
      }
      for (const [k, { orgId, dedupeKey, from }] of earliest) {
        const rows = await trx
          .selectFrom('alerts')
          .selectAll()
          .where('org_id', '=', orgId)
          .where('dedupe_key', '=', dedupeKey)
          .where('status', '!=', 'resolved')
          .where('suppress_until', '>', codec.time(from))
          .execute();
        candidates.set(
          k,
          rows.map((r) => ({
            alert: map(r),
            suppressUntil: codec.parseTime(r.suppress_until),
            isNew: false,
          })),
        );
      }
      const touched = new Set<Candidate>();
      const outcomes: { candidate: Candidate; created: boolean }[] = [];
      for (const { alert: a, suppressForMs, status = 'open' } of requests) {
        const dedupeKey = a.dedupeKey ?? `${a.rule}:${a.entity}`;
        const list = candidates.get(candidateKey(a.orgId, dedupeKey)) as Candidate[];
        // The open alert with this key whose window covers the raise, the latest first seen: `raise`'s query.
        let into: Candidate | undefined;
        for (const c of list)
          if (
            c.suppressUntil > a.firstSeen &&
            (into === undefined || c.alert.firstSeen > into.alert.firstSeen)
          )
            into = c;
        if (into !== undefined) {
          into.alert = foldInto(into.alert, a, at);
          touched.add(into);
          outcomes.push({ candidate: into, created: false });
          continue;
        }
        const created = newCandidate(a, dedupeKey, status, suppressForMs, at);
        list.push(created);
        touched.add(created);
        outcomes.push({ candidate: created, created: true });
      }
      // One write and one outbox change per alert the batch touched, with its state after the batch.
      for (const c of touched) await write(trx, c, at);
      return outcomes.map(({ candidate, created }) => ({ alert: candidate.alert, created }));
    });
  }

  return {
    // One raise: the open alert it folds into is found by the query itself. `raiseMany` makes the same choice in
    // memory for a whole batch; its tests hold it to this one.
    async raise(a, { suppressForMs, status = 'open' }) {
      const dedupeKey = a.dedupeKey ?? `${a.rule}:${a.entity}`;
      const at = clock();
      return db.transaction().execute(async (trx) => {
        // First, so concurrent raises of one key fold instead of both inserting, and outbox rows commit in order.
        await store.dialect.lockForTransaction(trx as unknown as Kysely<unknown>, ALERT_CHANGE_LOCK);
        const existing = await trx
          .selectFrom('alerts')
          .selectAll()
          .where('org_id', '=', a.orgId)
          .where('dedupe_key', '=', dedupeKey)
          .where('status', '!=', 'resolved')
          .where('suppress_until', '>', codec.time(a.firstSeen))
          .orderBy('first_seen', 'desc')
          .limit(1)
          .executeTakeFirst();
        const c: Candidate =
          existing === undefined
            ? newCandidate(a, dedupeKey, status, suppressForMs, at)
            : {
                alert: foldInto(map(existing), a, at),
                suppressUntil: codec.parseTime(existing.suppress_until),
                isNew: false,
              };
        await write(trx, c, at);
        return { alert: c.alert, created: c.isNew };
      });
    },
    raiseMany,
    async get(orgId, id) {
      let q = db.selectFrom('alerts').selectAll().where('id', '=', id);
      if (orgId !== null) q = q.where('org_id', '=', orgId);
      const row = await q.executeTakeFirst();
      return row === undefined ? undefined : map(row);
    },
    async list(orgId, query = {}) {
      let q = db.selectFrom('alerts').selectAll();
      if (orgId !== null) q = q.where('org_id', '=', orgId);
      if (query.status !== undefined) q = q.where('status', '=', query.status);
      if (query.rule !== undefined) q = q.where('rule', '=', query.rule);
      if (query.severity !== undefined) q = q.where('severity', '=', query.severity);
      if (query.entity !== undefined) q = q.where('entity', '=', query.entity);
      if (query.before !== undefined) {
        const before = codec.time(query.before);
        const beforeId = query.beforeId;
        q =
          beforeId === undefined
            ? q.where('last_seen', '<', before)
            : q.where((eb) =>
                eb.or([
                  eb('last_seen', '<', before),
                  eb.and([eb('last_seen', '=', before), eb('id', '<', beforeId)]),
                ]),
              );
      }
      if (query.text !== undefined && query.text !== '') {
        // LIKE with the pattern's own wildcards escaped: the text is matched literally on both dialects.
        const pattern = `%${query.text.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
        const like = (column: string) =>
          sql<boolean>`lower(cast(${sql.ref(column)} as text)) like ${pattern} escape '\\'`;
        q = q.where((eb) => eb.or(['title', 'rule', 'entity', 'fields'].map(like)));
      }
      const rows = await q
        .orderBy('last_seen', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.min(query.limit ?? 100, 1000))
        .execute();
      return rows.map(map);
    },
    async setStatus(id, status, by, note) {
      return db.transaction().execute(async (trx) => {
        await store.dialect.lockForTransaction(trx as unknown as Kysely<unknown>, ALERT_CHANGE_LOCK);
        const row = await trx.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
        if (row === undefined) throw new AlertError('alerts.not_found', `no alert ${id}`, { status: 404 });
        const cur = map(row);
        if (cur.status === 'resolved')
          throw new AlertError('alerts.already_resolved', `alert ${id} is already resolved`, { status: 409 });
        if (status === 'acknowledged' && cur.status === 'acknowledged')
          throw new AlertError('alerts.already_acknowledged', `alert ${id} is already acknowledged`, {
            status: 409,
          });
        const at = clock();
        await trx
          .updateTable('alerts')
          .set({
            status,
            status_by: by,
            status_at: codec.time(at),
            status_note: note ?? null,
            updated_at: codec.time(at),
          })
          .where('id', '=', id)
          .execute();
        const changed: StoredAlert = {
          ...cur,
          status,
          statusBy: by,
          statusAt: at,
          statusNote: note ?? null,
          updatedAt: at,
        };
        await appendChange(trx as unknown as Kysely<unknown>, codec, {
          orgId: changed.orgId,
          alertId: changed.id,
          action: status,
          at,
          by,
          note: note ?? null,
          alert: alertJson(changed),
        });
        return changed;
      });
    },
    async counts() {
      const rows = await db
        .selectFrom('alerts')
        .select(['rule', 'severity', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy(['rule', 'severity', 'status'])
        .execute();
      return rows.map((r) => ({ rule: r.rule, severity: r.severity, status: r.status, n: Number(r.n) }));
    },
  };
}
