/**
 * The narrow slice of storage the server needs for its own accounts (style.md §4): operators, memberships,
 * sessions, API tokens and the audit log. `adaptStore()` in store-adapter.ts maps the real src/store
 * repositories onto it; tests may pass any implementation.
 */
export type OrgRole = 'owner' | 'admin' | 'auditor';
export const ORG_ROLES: readonly OrgRole[] = ['owner', 'admin', 'auditor'];

/** Higher rank may do everything a lower rank may. */
export const ROLE_RANK: Readonly<Record<OrgRole, number>> = { auditor: 1, admin: 2, owner: 3 };

export interface OperatorRecord {
  id: string;
  username: string;
  passwordHash: string;
  /** A global administrator: every organization, users, and the instance-wide audit log. */
  isAdmin: boolean;
  disabled: boolean;
  createdAt: Date;
}

export interface MembershipRecord {
  operatorId: string;
  orgId: string;
  role: OrgRole;
}

export interface SessionRecord {
  /** SHA-256 of the cookie value; the cookie value itself is never stored. */
  idHash: string;
  operatorId: string;
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface ApiTokenRecord {
  id: string;
  name: string;
  /** SHA-256 of the token; the token is shown once at creation. */
  tokenHash: string;
  orgId: string;
  role: OrgRole;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

export interface AuditRecord {
  id: string;
  at: Date;
  /** `operator:<id>`, `token:<id>`, `system`, `cli`, or `anonymous` for failed logins. */
  actor: string;
  action: string;
  orgId: string | null;
  target: string | null;
  outcome: 'success' | 'failure';
  ip: string | null;
  details: Record<string, unknown>;
}

export type NewAuditRecord = Omit<AuditRecord, 'id' | 'at'> & { at?: Date };

export interface AccountsStore {
  operators: {
    create(input: { username: string; passwordHash: string; isAdmin: boolean }): Promise<OperatorRecord>;
    findByUsername(username: string): Promise<OperatorRecord | null>;
    findById(id: string): Promise<OperatorRecord | null>;
    list(): Promise<OperatorRecord[]>;
    setPasswordHash(id: string, passwordHash: string): Promise<void>;
    setDisabled(id: string, disabled: boolean): Promise<void>;
    count(): Promise<number>;
  };
  memberships: {
    listForOperator(operatorId: string): Promise<MembershipRecord[]>;
    listForOrg(orgId: string): Promise<MembershipRecord[]>;
    set(orgId: string, operatorId: string, role: OrgRole): Promise<void>;
    remove(orgId: string, operatorId: string): Promise<void>;
  };
  sessions: {
    create(record: SessionRecord): Promise<void>;
    find(idHash: string): Promise<SessionRecord | null>;
    extend(idHash: string, expiresAt: Date): Promise<void>;
    remove(idHash: string): Promise<void>;
    removeForOperator(operatorId: string): Promise<void>;
  };
  apiTokens: {
    create(record: Omit<ApiTokenRecord, 'lastUsedAt'>): Promise<ApiTokenRecord>;
    findByHash(tokenHash: string): Promise<ApiTokenRecord | null>;
    list(filter: { orgId?: string; createdBy?: string }): Promise<ApiTokenRecord[]>;
    findById(id: string): Promise<ApiTokenRecord | null>;
    touch(id: string, at: Date): Promise<void>;
    remove(id: string): Promise<void>;
  };
  audit: {
    append(entry: NewAuditRecord): Promise<AuditRecord>;
    /** Newest first; `before` pages by id. */
    list(filter: { orgId?: string | null; limit: number; before?: string }): Promise<AuditRecord[]>;
  };
  /** Throws when the database cannot be reached (for /readyz). */
  ping(): Promise<void>;
}
