import type { Selectable } from 'kysely';
import type { AuditEntry } from '../models.js';
import type { AuditLogTable } from '../tables.js';
import { redactDetails } from './redact.js';
import type { RepositoryContext } from './context.js';

export interface NewAuditEntry {
  actor: string;
  orgId?: string | null;
  action: string;
  target?: string | null;
  details?: Record<string, unknown> | null;
  ip?: string | null;
  at?: Date;
}

export interface AuditQuery {
  limit?: number;
  /** Entries with an id strictly below this one (paging backwards). */
  beforeId?: number;
}

/**
 * Append-only: there is deliberately no update or delete here, and database triggers reject both, so even
 * code that bypasses this repository cannot rewrite history.
 */
export interface AuditLogRepository {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first. `orgId: null` lists entries that belong to no organization (logins, global changes). */
  list(orgId: string | null, query?: AuditQuery): Promise<AuditEntry[]>;
  /** Newest first across every organization (superadmin view). */
  listAll(query?: AuditQuery): Promise<AuditEntry[]>;
}

export function auditLogRepository(ctx: RepositoryContext): AuditLogRepository {
  const { db, codec } = ctx;
  const map = (row: Selectable<AuditLogTable>): AuditEntry => ({
    id: codec.parseInt(row.id),
    at: codec.parseTime(row.at),
    actor: row.actor,
    orgId: row.org_id,
    action: row.action,
    target: row.target,
    details: (codec.parseJson(row.details) as Record<string, unknown> | null) ?? null,
    ip: row.ip,
  });
  const query = (orgId: string | null | undefined, q: AuditQuery) => {
    let s = db.selectFrom('audit_log').selectAll();
    if (orgId === null) s = s.where('org_id', 'is', null);
    else if (orgId !== undefined) s = s.where('org_id', '=', orgId);
    if (q.beforeId !== undefined) s = s.where('id', '<', q.beforeId);
    return s
      .orderBy('id', 'desc')
      .limit(Math.min(q.limit ?? 100, 1000))
      .execute();
  };
  return {
    async append(entry) {
      const row = await db
        .insertInto('audit_log')
        .values({
          at: codec.time(entry.at ?? ctx.clock()),
          actor: entry.actor,
          org_id: entry.orgId ?? null,
          action: entry.action,
          target: entry.target ?? null,
          details: codec.json(entry.details == null ? null : redactDetails(entry.details)),
          ip: entry.ip ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return map(row);
    },
    async list(orgId, q = {}) {
      return (await query(orgId, q)).map(map);
    },
    async listAll(q = {}) {
      return (await query(undefined, q)).map(map);
    },
  };
}
