import type { SignalResult, SignalStatus } from '../shared/index.js';
import { makeResult, overPct, pct, underPct } from './signal-common.js';
import type { SignalOptions, UserLike } from './types.js';
import { DAY_MS, secondsToMs } from './types.js';

const STATUSES = ['active', 'bypass', 'disabled', 'locked out', 'pending deletion'] as const;

function hasAny(list: readonly unknown[] | null | undefined): boolean {
  return Array.isArray(list) && list.length > 0;
}

/**
 * Seed rule: a user is enrolled when `is_enrolled` is true or at least one factor is attached (phone,
 * hardware token, WebAuthn credential, desktop token, U2F).
 */
export function isEnrolled(user: UserLike): boolean {
  return (
    user.is_enrolled === true ||
    hasAny(user.phones) ||
    hasAny(user.tokens) ||
    hasAny(user.webauthncredentials) ||
    hasAny(user.desktoptokens) ||
    hasAny(user.u2ftokens)
  );
}

/**
 * `mfa_enrollment`. Fail when bypass > 5 % of total or enrollment share < 80 %; Warning when
 * 0 < bypass ≤ 5 % or 80 % ≤ share < 95 %; otherwise Pass.
 * Zero users: Warning (docs/evidence.md): an empty tenant proves nothing about MFA, but nothing is wrong.
 */
export function mfaEnrollmentSignal(users: readonly UserLike[], opts: SignalOptions): SignalResult {
  const byStatus: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  let enrolled = 0;
  let activeLast30Days = 0;
  const bypassMembers: { username: string; realname: string | null }[] = [];
  const since = opts.now - 30 * DAY_MS;
  for (const u of users) {
    const status = u.status ?? 'unknown';
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (isEnrolled(u)) enrolled++;
    // Duo's `last_login` is the last successful authentication (seconds), the specification's activity proxy.
    const last = secondsToMs(u.last_login);
    if (last !== null && last >= since && last <= opts.now) activeLast30Days++;
    if (status === 'bypass') bypassMembers.push({ username: u.username ?? '', realname: u.realname ?? null });
  }
  const total = users.length;
  const bypass = byStatus['bypass'] ?? 0;
  bypassMembers.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  const metrics = {
    total,
    byStatus,
    enrolled,
    unenrolled: total - enrolled,
    enrollmentSharePct: pct(enrolled, total),
    bypassCount: bypass,
    bypassSharePct: pct(bypass, total),
    bypassMembers,
    activeLast30Days,
  };
  const notes: string[] = [];
  let status: SignalStatus;
  if (total === 0) {
    status = 'warning';
    notes.push('The tenant has no users: there is no population to prove MFA enrollment for.');
  } else if (overPct(bypass, total, 5) || underPct(enrolled, total, 80)) {
    status = 'fail';
  } else if (bypass > 0 || underPct(enrolled, total, 95)) {
    status = 'warning';
  } else {
    status = 'pass';
  }
  if (bypass > 0) notes.push(`${String(bypass)} user(s) in bypass status are exempt from MFA.`);
  return makeResult('mfa_enrollment', status, metrics, notes, opts.truncated ?? false);
}
