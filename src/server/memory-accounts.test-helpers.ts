/* eslint-disable @typescript-eslint/require-await -- in-memory fakes of async repositories: nothing to await. */
import { randomUUID } from 'node:crypto';
import type {
  AccountsStore,
  ApiTokenRecord,
  AuditRecord,
  MembershipRecord,
  OperatorRecord,
  SessionRecord,
} from './accounts-store.js';

/**
 * An in-memory AccountsStore for tests that run before (or without) the real src/store: it records what it
 * was asked, like any leaf-edge fake. `down` makes ping fail, for /readyz.
 */
export function memoryAccounts(
  clock: () => Date = () => new Date(),
): AccountsStore & { down: boolean; auditLog: AuditRecord[] } {
  const operators = new Map<string, OperatorRecord>();
  let memberships: MembershipRecord[] = [];
  const sessions = new Map<string, SessionRecord>();
  const tokens = new Map<string, ApiTokenRecord>();
  const auditLog: AuditRecord[] = [];
  let seq = 0;
  const store = {
    down: false,
    auditLog,
    operators: {
      async create(input: { username: string; passwordHash: string; isAdmin: boolean }) {
        const op: OperatorRecord = { id: randomUUID(), ...input, disabled: false, createdAt: clock() };
        operators.set(op.id, op);
        return { ...op };
      },
      async findByUsername(username: string) {
        const op = [...operators.values()].find((o) => o.username.toLowerCase() === username.toLowerCase());
        return op ? { ...op } : null;
      },
      async findById(id: string) {
        const op = operators.get(id);
        return op ? { ...op } : null;
      },
      async list() {
        return [...operators.values()].map((o) => ({ ...o }));
      },
      async setPasswordHash(id: string, passwordHash: string) {
        const op = operators.get(id);
        if (op) op.passwordHash = passwordHash;
      },
      async setDisabled(id: string, disabled: boolean) {
        const op = operators.get(id);
        if (op) op.disabled = disabled;
      },
      async count() {
        return operators.size;
      },
    },
    memberships: {
      async listForOperator(operatorId: string) {
        return memberships.filter((m) => m.operatorId === operatorId).map((m) => ({ ...m }));
      },
      async listForOrg(orgId: string) {
        return memberships.filter((m) => m.orgId === orgId).map((m) => ({ ...m }));
      },
      async set(orgId: string, operatorId: string, role: MembershipRecord['role']) {
        memberships = memberships.filter((m) => !(m.orgId === orgId && m.operatorId === operatorId));
        memberships.push({ orgId, operatorId, role });
      },
      async remove(orgId: string, operatorId: string) {
        memberships = memberships.filter((m) => !(m.orgId === orgId && m.operatorId === operatorId));
      },
    },
    sessions: {
      async create(record: SessionRecord) {
        sessions.set(record.idHash, { ...record });
      },
      async find(idHash: string) {
        const s = sessions.get(idHash);
        return s ? { ...s } : null;
      },
      async extend(idHash: string, expiresAt: Date) {
        const s = sessions.get(idHash);
        if (s) s.expiresAt = expiresAt;
      },
      async remove(idHash: string) {
        sessions.delete(idHash);
      },
      async removeForOperator(operatorId: string) {
        for (const [k, s] of sessions) if (s.operatorId === operatorId) sessions.delete(k);
      },
    },
    apiTokens: {
      async create(record: Omit<ApiTokenRecord, 'lastUsedAt'>) {
        const full = { ...record, lastUsedAt: null };
        tokens.set(record.id, full);
        return { ...full };
      },
      async findByHash(tokenHash: string) {
        const t = [...tokens.values()].find((x) => x.tokenHash === tokenHash);
        return t ? { ...t } : null;
      },
      async findById(id: string) {
        const t = tokens.get(id);
        return t ? { ...t } : null;
      },
      async list(filter: { orgId?: string; createdBy?: string }) {
        return [...tokens.values()]
          .filter(
            (t) =>
              (filter.orgId === undefined || t.orgId === filter.orgId) &&
              (filter.createdBy === undefined || t.createdBy === filter.createdBy),
          )
          .map((t) => ({ ...t }));
      },
      async touch(id: string, at: Date) {
        const t = tokens.get(id);
        if (t) t.lastUsedAt = at;
      },
      async remove(id: string) {
        tokens.delete(id);
      },
    },
    audit: {
      async append(entry: Omit<AuditRecord, 'id' | 'at'> & { at?: Date }) {
        seq += 1;
        const record: AuditRecord = { ...entry, id: String(seq).padStart(10, '0'), at: entry.at ?? clock() };
        auditLog.push(record);
        return { ...record };
      },
      async list(filter: { orgId?: string | null; limit: number; before?: string }) {
        return auditLog
          .filter(
            (e) =>
              (filter.orgId === undefined || e.orgId === filter.orgId) &&
              (filter.before === undefined || e.id < filter.before),
          )
          .reverse()
          .slice(0, filter.limit)
          .map((e) => ({ ...e }));
      },
    },
    async ping() {
      if (store.down) throw new Error('database down');
    },
  };
  return store;
}
