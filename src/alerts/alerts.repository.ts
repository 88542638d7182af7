import { sql, type Kysely, type Selectable } from 'kysely';
import type { AlertSeverity, NewAlert } from '../app/index.js';
import { createCodec } from '../store/dialect/index.js';
import type { Store } from '../store/index.js';
import { AlertError } from './errors.js';
import { SEVERITY_RANK, type AlertStatus, type StoredAlert } from './model.js';
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
  raise(
    alert: NewAlert,
    options: { suppressForMs: number; status?: 'open' | 'suppressed' },
  ): Promise<RaiseOutcome>;
  get(orgId: string | null, id: string): Promise<StoredAlert | undefined>;
  list(orgId: string | null, query?: AlertQuery): Promise<StoredAlert[]>;
  /** Acknowledges or resolves, with the change in the outbox in the same transaction. */
  setStatus(id: string, status: 'acknowledged' | 'resolved', by: string, note?: string): Promise<StoredAlert>;
  /** Alerts per rule, severity and status (for /metrics). */
  counts(): Promise<{ rule: string; severity: string; status: string; n: number }[]>;
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

  return {
    async raise(a, { suppressForMs, status = 'open' }) {
      const dedupeKey = a.dedupeKey ?? `${a.rule}:${a.entity}`;
      const at = clock();
      const now = codec.time(at);
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
        if (existing !== undefined) {
          const cur = map(existing);
          const ids = [...cur.eventIds];
          for (const id of a.eventIds ?? [])
            if (ids.length < MAX_EVENT_IDS && !ids.includes(id)) ids.push(id);
          const severity =
            SEVERITY_RANK[a.severity] > SEVERITY_RANK[cur.severity] ? a.severity : cur.severity;
          const lastSeen = a.lastSeen > cur.lastSeen ? a.lastSeen : cur.lastSeen;
          await trx
            .updateTable('alerts')
            .set({
              count: cur.count + 1,
              last_seen: codec.time(lastSeen),
              severity,
              event_ids: codec.json(ids),
              fields: codec.json({ ...cur.fields, ...a.fields }),
              updated_at: now,
            })
            .where('id', '=', cur.id)
            .execute();
          const folded: StoredAlert = {
            ...cur,
            count: cur.count + 1,
            lastSeen,
            severity,
            eventIds: ids,
            fields: { ...cur.fields, ...a.fields },
            updatedAt: at,
          };
          await appendChange(trx as unknown as Kysely<unknown>, codec, {
            orgId: folded.orgId,
            alertId: folded.id,
            action: 'repeated',
            at,
            by: null,
            note: null,
            alert: alertJson(folded),
          });
          return { created: false, alert: folded };
        }
        const row: AlertsTable = {
          id: newId(),
          org_id: a.orgId,
          source: a.source,
          rule: a.rule,
          title: a.title,
          severity: a.severity,
          entity: a.entity,
          status,
          dedupe_key: dedupeKey,
          first_seen: codec.time(a.firstSeen),
          last_seen: codec.time(a.lastSeen),
          suppress_until: codec.time(new Date(a.firstSeen.getTime() + suppressForMs)),
          count: 1,
          event_ids: codec.json((a.eventIds ?? []).slice(0, MAX_EVENT_IDS)),
          fields: codec.json(a.fields ?? {}),
          created_at: now,
          updated_at: now,
          status_by: null,
          status_at: null,
          status_note: null,
        };
        await trx.insertInto('alerts').values(row).execute();
        const created = map(row);
        await appendChange(trx as unknown as Kysely<unknown>, codec, {
          orgId: created.orgId,
          alertId: created.id,
          action: status === 'suppressed' ? 'suppressed' : 'created',
          at,
          by: null,
          note: null,
          alert: alertJson(created),
        });
        return { created: true, alert: created };
      });
    },
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
