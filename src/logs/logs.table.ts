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

export interface LogStreamRatesTable {
  org_id: string;
  integration_id: string;
  account_id: string;
  stream: string;
  minute_ms: number | string;
  events: number | string;
}

export interface LogSinkStateTable {
  sink: string;
  type: string;
  queue_events: number;
  queue_full: number;
  last_ack_ms: number | string | null;
  last_error: string | null;
  updated_ms: number | string;
}

export interface LogMspChildrenTable {
  integration_id: string;
  fetched_ms: number | string;
  accounts: unknown;
}

export interface LogsDatabase {
  log_stream_rates: LogStreamRatesTable;
  log_sink_state: LogSinkStateTable;
  log_msp_children: LogMspChildrenTable;
  log_inventory: LogInventoryTable;
  log_checkpoints: LogCheckpointsTable;
  log_sink_positions: LogSinkPositionsTable;
  log_auth_evidence: LogAuthEvidenceTable;
  log_auth_evidence_state: LogAuthEvidenceStateTable;
}
