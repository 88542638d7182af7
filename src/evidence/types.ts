/**
 * Shared shapes of the evidence capability. Input types are STRUCTURAL and hold only the fields the rules
 * read (style.md §4), so the real client's `DuoUser`, `DuoAdmin`, … fit them without adapters.
 */

export type SignalStatus = 'pass' | 'warning' | 'fail';

/** The five signals of the compliance seed, in the seed's order. */
export const CORE_SIGNAL_IDS = [
  'mfa_enrollment',
  'global_policy',
  'admin_inventory',
  'account_settings',
  'auth_log_aggregate',
] as const;
export type CoreSignalId = (typeof CORE_SIGNAL_IDS)[number];

/** Beyond the seed (anchors.md, compliance part); shown separately from the five. */
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

export interface ControlRef {
  /** The seed's control names for the five; plain-language names for the extended ones. */
  names: readonly string[];
  soc2: readonly string[];
  iso27001: readonly string[];
  nist80053: readonly string[];
}

/** What every signal function returns: pure data, JSON-safe. */
export interface SignalResult {
  id: SignalId;
  status: SignalStatus;
  metrics: Record<string, unknown>;
  controls: ControlRef;
  truncated: boolean;
  notes: string[];
  /** true for the extended signals (shown separately from the five). */
  extended: boolean;
}

export interface SignalOptions {
  /** Evaluation time, ms since the epoch (fake clocks in tests). */
  now: number;
  /** Set when the data came from a capped, incomplete listing. */
  truncated?: boolean;
}

/** A list the reader fetched, with whether a cap cut it short. */
export interface Listing<T> {
  items: readonly T[];
  truncated: boolean;
}

/** Values Duo sends as a number of seconds, sometimes as a numeric string, or null. */
export type NumLike = number | string | null | undefined;

export interface UserLike {
  username?: string | null;
  realname?: string | null;
  status?: string | null;
  is_enrolled?: boolean | null;
  last_login?: NumLike;
  phones?: readonly unknown[] | null;
  tokens?: readonly unknown[] | null;
  u2ftokens?: readonly unknown[] | null;
  webauthncredentials?: readonly unknown[] | null;
  desktoptokens?: readonly unknown[] | null;
}

export interface AdminLike {
  name?: string | null;
  role?: string | null;
  status?: string | null;
  last_login?: NumLike;
}

export interface PolicyLike {
  policy_key?: string | null;
  policy_name?: string | null;
  is_global_policy?: boolean | null;
  sections?: Readonly<Record<string, unknown>> | null;
}

export interface SettingsLike {
  lockout_threshold?: number | null;
  lockout_expire_duration?: number | null;
  inactive_user_expiration?: number | null;
  minimum_password_length?: number | null;
  password_requires_upper_alpha?: boolean | null;
  password_requires_lower_alpha?: boolean | null;
  password_requires_numeric?: boolean | null;
  password_requires_special?: boolean | null;
  helpdesk_bypass?: string | null;
}

export interface BypassCodeLike {
  /** Seconds since the epoch, or null when the code never expires. */
  expiration?: NumLike;
  reuse_count?: number | null;
}

/** Auth log v2 event: only what the aggregate reads. txid, IPs and usernames are deliberately absent. */
export interface AuthEventLike {
  timestamp?: number | null;
  isotimestamp?: string | null;
  event_type?: string | null;
  result?: string | null;
  reason?: string | null;
  factor?: string | null;
  user?: { key?: string | null } | null;
}

/** Converts Duo's seconds (number or numeric string) to ms, or null. */
export function secondsToMs(value: NumLike): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n * 1000 : null;
}

export const DAY_MS = 86_400_000;
