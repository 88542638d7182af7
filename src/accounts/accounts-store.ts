import type {
  ApiTokenRepository,
  AuditLogRepository,
  LoginDeviceRepository,
  LoginThrottleRepository,
  MembershipRepository,
  MetricsRepository,
  OperatorRepository,
  OrganizationRepository,
  Role,
  SessionRepository,
} from '../store/index.js';

/**
 * The slice of src/store the server uses for its own accounts (docs/conventions.md §4): operators, memberships,
 * sessions, API tokens, login throttling and the audit log. The real `Store` satisfies it as is; naming
 * the slice keeps the server honest about what it touches.
 */
export type OrgRole = Role;
export const ROLE_RANK: Readonly<Record<OrgRole, number>> = { auditor: 1, admin: 2, owner: 3 };
/** Rank of a caller in an org for comparisons: a global administrator outranks every org role. */
export const GLOBAL_ADMIN_RANK = 4;

export interface AccountsStore {
  operators: Pick<
    OperatorRepository,
    'create' | 'get' | 'findByUsername' | 'list' | 'count' | 'setPasswordHash' | 'setDisabled' | 'recordLogin'
  >;
  memberships: Pick<MembershipRepository, 'grant' | 'revoke' | 'listForOrganization' | 'listForOperator'>;
  sessions: Pick<SessionRepository, 'create' | 'find' | 'extend' | 'delete' | 'deleteForOperator'>;
  apiTokens: Pick<ApiTokenRepository, 'create' | 'findByHash' | 'list' | 'touch' | 'revoke'>;
  loginThrottle: LoginThrottleRepository;
  loginDevices: LoginDeviceRepository;
  auditLog: Pick<AuditLogRepository, 'append' | 'list' | 'listAll'>;
  /** Aggregates for /metrics. */
  metrics: MetricsRepository;
  /** Only to resolve a slug to an id for access checks; everything else about orgs goes through services. */
  organizations: Pick<OrganizationRepository, 'resolve'>;
}

export type { ApiToken, AuditEntry, Membership, Operator, Session } from '../store/index.js';
