/**
 * The signal record, written once: what a rule computes (`SignalResult`) and, with where and when it was
 * computed, what the store keeps, the export writes and the API and CLI show (`SignalRecord`). It lives
 * here, below the store, because the store persists it and the evidence and devices capabilities write it;
 * the store importing a capability would make a cycle (docs/architecture.md, "The path of a signal").
 */

export const SIGNAL_STATUSES = ['pass', 'warning', 'fail'] as const;
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];

/** The five signals of the compliance specification, in the specification's order. */
export const CORE_SIGNAL_IDS = [
  'mfa_enrollment',
  'global_policy',
  'admin_inventory',
  'account_settings',
  'auth_log_aggregate',
] as const;
export type CoreSignalId = (typeof CORE_SIGNAL_IDS)[number];

/** Beyond the specification (docs/evidence.md, "Extended signals"); shown separately from the five. */
export const EXTENDED_SIGNAL_IDS = [
  'admins_never_logged_in',
  'users_inactive_30d',
  'locked_out_users',
  'bypass_codes_outstanding',
  'phishing_resistant_share',
  'sms_voice_share',
  'admin_password_policy',
] as const;
export type ExtendedSignalId = (typeof EXTENDED_SIGNAL_IDS)[number];
export type SignalId = CoreSignalId | ExtendedSignalId;

const EXTENDED = new Set<string>(EXTENDED_SIGNAL_IDS);

/** Whether a signal is one of the extended ones; derived from the id, so the store need not keep it. */
export function isExtendedSignal(id: string): boolean {
  return EXTENDED.has(id);
}

export interface ControlRef {
  /** The specification's control names for the five; plain-language names for the extended ones. */
  names: readonly string[];
  soc2: readonly string[];
  iso27001: readonly string[];
  nist80053: readonly string[];
}

/** For a record no framework control maps to (the devices capability's `devices.cache_sync`). */
export const NO_CONTROLS: ControlRef = { names: [], soc2: [], iso27001: [], nist80053: [] };

/** What every signal function returns: pure data, JSON-safe. */
export interface SignalResult<Id extends string = SignalId> {
  id: Id;
  status: SignalStatus;
  metrics: Record<string, unknown>;
  controls: ControlRef;
  truncated: boolean;
  notes: string[];
  /** true for the extended signals (shown separately from the five). */
  extended: boolean;
}

/**
 * One stored signal: the rule's result (never per-event data) with where and when it was computed. Other
 * capabilities record their own signals in it too (`devices.cache_sync`), so a stored id is any string.
 * Times are ISO 8601 strings, as every public format prints them.
 */
export interface SignalRecord<Id extends string = string> extends SignalResult<Id> {
  /** The organization's id. */
  orgId: string;
  integrationId: string | null;
  /** The run that computed it. No writer records it yet, so it is null everywhere (docs/evidence.md). */
  runId: string | null;
  startedAt: string;
  finishedAt: string;
}
