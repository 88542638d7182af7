import type { Generated } from 'kysely';

/**
 * Row shapes as the drivers hand them over. Columns whose representation depends on the dialect are typed as
 * the union of both (`boolean | number`, `string | Date`, `unknown` for JSON); repositories convert through
 * the adapter's codec, so nothing above the repositories ever sees these unions.
 */
type Time = string | Date;
type Bool = boolean | number;
type Json = unknown;

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  created_at: Time;
}

export interface IntegrationsTable {
  id: string;
  org_id: string;
  kind: string;
  api_host: string;
  mkey: string | null;
  label: string;
  ikey_ct: string;
  skey_ct: string;
  key_id: string;
  created_at: Time;
  updated_at: Time;
}

export interface CredentialHealthTable {
  org_id: string;
  integration_id: string;
  state: string;
  until: Time | null;
  last_error_kind: string | null;
  last_error_message: string | null;
  last_success_at: Time | null;
  updated_at: Time;
}

export interface JobRunsTable {
  id: string;
  org_id: string;
  integration_id: string | null;
  kind: string;
  status: string;
  scheduled_for: Time | null;
  started_at: Time | null;
  finished_at: Time | null;
  duration_ms: number | null;
  counts: Json;
  error_kind: string | null;
  error_message: string | null;
  attempt: number;
  created_at: Time;
  job_id: string | null;
}

export interface CursorsTable {
  org_id: string;
  integration_id: string;
  name: string;
  value: Json;
  updated_at: Time;
}

export interface EvidenceRecordsTable {
  id: string;
  org_id: string;
  integration_id: string | null;
  signal_id: string;
  status: string;
  metrics: Json;
  controls: Json;
  truncated: Bool;
  notes: Json;
  run_id: string | null;
  started_at: Time;
  finished_at: Time;
  created_at: Time;
}

/** One row per (organization, signal) pointing at its newest record, kept in the same transaction. */
export interface EvidenceLatestTable {
  org_id: string;
  signal_id: string;
  record_id: string;
  finished_at: Time;
}

export interface OperatorsTable {
  id: string;
  username: string;
  password_hash: string;
  superadmin: Bool;
  disabled: Bool;
  created_at: Time;
  last_login_at: Time | null;
}

export interface MembershipsTable {
  operator_id: string;
  org_id: string;
  role: string;
  created_at: Time;
}

export interface SessionsTable {
  id_hash: string;
  operator_id: string;
  csrf_hash: string;
  expires_at: Time;
  created_at: Time;
  ip: string | null;
}

export interface ApiTokensTable {
  id: string;
  token_hash: string;
  org_id: string;
  role: string;
  label: string;
  created_at: Time;
  last_used_at: Time | null;
  expires_at: Time | null;
  created_by: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  first_failure_at: Time;
  locked_until: Time | null;
  version: Generated<number>;
  throttled: Generated<number>;
}

export interface LoginDevicesTable {
  token_hash: string;
  operator_id: string;
  created_at: Time;
  last_used_at: Time;
}

export interface AuditLogTable {
  id: Generated<number | string>;
  at: Time;
  actor: string;
  org_id: string | null;
  action: string;
  target: string | null;
  details: Json;
  ip: string | null;
}

export interface Database {
  organizations: OrganizationsTable;
  integrations: IntegrationsTable;
  credential_health: CredentialHealthTable;
  job_runs: JobRunsTable;
  cursors: CursorsTable;
  evidence_records: EvidenceRecordsTable;
  evidence_latest: EvidenceLatestTable;
  operators: OperatorsTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_throttle: LoginThrottleTable;
  login_devices: LoginDevicesTable;
  audit_log: AuditLogTable;
}
