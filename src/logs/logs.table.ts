/** Row types of the collector's own tables (the store's Kysely handle is cast to these in the repository). */
export interface LogCheckpointsTable {
  org_id: string;
  integration_id: string;
  account_id: string;
  stream: string;
  state: unknown;
  status: string;
  last_error: string | null;
  failures: number;
  next_attempt_ms: number | string | null;
  last_poll_ms: number | string | null;
  last_success_ms: number | string | null;
  events_total: number | string;
  newest_ts: number | string | null;
  lease_owner: string | null;
  lease_until_ms: number | string | null;
  updated_ms: number | string;
}

export interface LogSinkPositionsTable {
  sink: string;
  position: string;
  updated_ms: number | string;
}

export interface LogAuthEvidenceTable {
  org_id: string;
  integration_id: string;
  id: string;
  ts_ms: number | string;
  event: unknown;
}

export interface LogAuthEvidenceStateTable {
  org_id: string;
  integration_id: string;
  since_ms: number | string;
  through_ms: number | string | null;
}

export interface LogInventoryTable {
  org_id: string;
  integration_id: string;
  account_id: string;
  kind: string;
  taken_ms: number | string;
  count: number;
  truncated: number;
  items: unknown;
  error: string | null;
}

export interface LogsDatabase {
  log_inventory: LogInventoryTable;
  log_checkpoints: LogCheckpointsTable;
  log_sink_positions: LogSinkPositionsTable;
  log_auth_evidence: LogAuthEvidenceTable;
  log_auth_evidence_state: LogAuthEvidenceStateTable;
}
