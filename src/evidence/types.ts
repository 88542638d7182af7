/**
 * Shared shapes of the evidence capability. Input types are STRUCTURAL and hold only the fields the rules
 * read (docs/conventions.md §4), so the real client's `DuoUser`, `DuoAdmin`, … fit them without adapters.
 */

import type { SignalId } from '../shared/index.js';

/** The signals the hourly auth-log poll computes; every other one comes from the identity sync. */
export const AUTH_LOG_SIGNAL_IDS: readonly SignalId[] = [
  'auth_log_aggregate',
  'phishing_resistant_share',
  'sms_voice_share',
];

export function isAuthLogSignal(id: string): boolean {
  return (AUTH_LOG_SIGNAL_IDS as readonly string[]).includes(id);
}

export interface SignalOptions {
  /** Evaluation time, ms since the epoch (fake clocks in tests). */
  now: number;
  /** Set when the data came from a capped, incomplete listing. */
  truncated?: boolean | undefined;
}

/** A list the reader fetched, with whether a cap cut it short. */
export interface Listing<T> {
  items: readonly T[];
  truncated: boolean;
}

/** Values Duo sends as a number of seconds, sometimes as a numeric string, or null. */
export type NumLike = number | string | null | undefined;

export interface UserLike {
  username?: string | null | undefined;
  realname?: string | null | undefined;
  status?: string | null | undefined;
  is_enrolled?: boolean | null | undefined;
  last_login?: NumLike | undefined;
  phones?: readonly unknown[] | null | undefined;
  tokens?: readonly unknown[] | null | undefined;
  u2ftokens?: readonly unknown[] | null | undefined;
  webauthncredentials?: readonly unknown[] | null | undefined;
  desktoptokens?: readonly unknown[] | null | undefined;
}

export interface AdminLike {
  name?: string | null | undefined;
  role?: string | null | undefined;
  status?: string | null | undefined;
  last_login?: NumLike | undefined;
}

export interface PolicyLike {
  policy_key?: string | null | undefined;
  policy_name?: string | null | undefined;
  is_global_policy?: boolean | null | undefined;
  sections?: Readonly<Record<string, unknown>> | null | undefined;
}

export interface SettingsLike {
  lockout_threshold?: number | null | undefined;
  lockout_expire_duration?: number | null | undefined;
  inactive_user_expiration?: number | null | undefined;
  minimum_password_length?: number | null | undefined;
  password_requires_upper_alpha?: boolean | null | undefined;
  password_requires_lower_alpha?: boolean | null | undefined;
  password_requires_numeric?: boolean | null | undefined;
  password_requires_special?: boolean | null | undefined;
  helpdesk_bypass?: string | null | undefined;
}

export interface BypassCodeLike {
  /** Seconds since the epoch, or null when the code never expires. */
  expiration?: NumLike | undefined;
  reuse_count?: number | null | undefined;
}

/** Auth log v2 event: only what the aggregate reads. txid, IPs and usernames are deliberately absent. */
export interface AuthEventLike {
  timestamp?: number | null | undefined;
  isotimestamp?: string | null | undefined;
  event_type?: string | null | undefined;
  result?: string | null | undefined;
  reason?: string | null | undefined;
  factor?: string | null | undefined;
  user?: { key?: string | null | undefined } | null | undefined;
}

/** Converts Duo's seconds (number or numeric string) to ms, or null. */
export function secondsToMs(value: NumLike): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n * 1000 : null;
}

export const DAY_MS = 86_400_000;
