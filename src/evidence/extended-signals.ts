import type { SignalResult } from '../shared/index.js';
import type { AuthLogAggregate } from './auth-log-aggregate.js';
import { makeResult, pct, underPct } from './signal-common.js';
import type { AdminLike, BypassCodeLike, SettingsLike, SignalOptions, UserLike } from './types.js';
import { DAY_MS, secondsToMs } from './types.js';

/** Lists of names kept in evidence are capped; the count is always exact. */
export const NAME_LIST_CAP = 100;

/** Phishing-resistant factors in Duo's auth log: FIDO2/WebAuthn and U2F (origin-bound). */
export const PHISHING_RESISTANT_FACTORS: readonly string[] = ['webauthn', 'u2f_token'];
/** Telephony factors (NIST SP 800-63B "restricted" authenticators). */
export const SMS_VOICE_FACTORS: readonly string[] = ['sms_passcode', 'sms_refresh', 'phone_call'];
/** Successes with no authenticator in play; left out of factor-strength shares. */
const NO_AUTHENTICATOR: readonly string[] = [
  'remembered_device',
  'trusted_network',
  'not_available',
  '(none)',
];

function sortedNames(names: string[]): string[] {
  return names.sort().slice(0, NAME_LIST_CAP);
}

/** Warning when any administrator has never logged in (a dormant privileged account); else Pass. */
export function adminsNeverLoggedInSignal(admins: readonly AdminLike[], opts: SignalOptions): SignalResult {
  const never = admins.filter((a) => secondsToMs(a.last_login) === null).map((a) => a.name ?? '');
  return makeResult(
    'admins_never_logged_in',
    never.length > 0 ? 'warning' : 'pass',
    { count: never.length, totalAdmins: admins.length, names: sortedNames(never) },
    never.length > 0 ? ['Remove or justify administrator accounts that were never used.'] : [],
    opts.truncated ?? false,
  );
}

/**
 * Users able to sign in (status active or bypass) with no successful login in the last 30 days (never
 * logged in included). Warning when any; else Pass.
 */
export function usersInactiveSignal(users: readonly UserLike[], opts: SignalOptions): SignalResult {
  const since = opts.now - 30 * DAY_MS;
  let eligible = 0;
  let neverLoggedIn = 0;
  const inactive: string[] = [];
  for (const u of users) {
    if (u.status !== 'active' && u.status !== 'bypass') continue;
    eligible++;
    const last = secondsToMs(u.last_login);
    if (last === null) neverLoggedIn++;
    if (last === null || last < since) inactive.push(u.username ?? '');
  }
  return makeResult(
    'users_inactive_30d',
    inactive.length > 0 ? 'warning' : 'pass',
    {
      count: inactive.length,
      neverLoggedIn,
      eligibleUsers: eligible,
      sharePct: pct(inactive.length, eligible),
      usernames: sortedNames(inactive),
    },
    [],
    opts.truncated ?? false,
  );
}

/** Users in `locked out` status. Warning when any (investigate the lockouts); else Pass. */
export function lockedOutUsersSignal(users: readonly UserLike[], opts: SignalOptions): SignalResult {
  const locked = users.filter((u) => u.status === 'locked out').map((u) => u.username ?? '');
  return makeResult(
    'locked_out_users',
    locked.length > 0 ? 'warning' : 'pass',
    { count: locked.length, usernames: sortedNames(locked) },
    [],
    opts.truncated ?? false,
  );
}

/**
 * Outstanding bypass codes (`/admin/v1/bypass_codes`). Fail when any code never expires (a permanent MFA
 * exemption); Warning when any code is outstanding; Pass when none.
 */
export function bypassCodesSignal(codes: readonly BypassCodeLike[], opts: SignalOptions): SignalResult {
  let neverExpire = 0;
  let within24h = 0;
  let expiredListed = 0;
  let earliest: number | null = null;
  let latest: number | null = null;
  for (const c of codes) {
    const exp = secondsToMs(c.expiration);
    if (exp === null || exp === 0) {
      neverExpire++;
      continue;
    }
    if (exp <= opts.now) expiredListed++;
    else if (exp - opts.now <= DAY_MS) within24h++;
    earliest = earliest === null ? exp : Math.min(earliest, exp);
    latest = latest === null ? exp : Math.max(latest, exp);
  }
  const status = neverExpire > 0 ? 'fail' : codes.length > 0 ? 'warning' : 'pass';
  return makeResult(
    'bypass_codes_outstanding',
    status,
    {
      count: codes.length,
      neverExpire,
      expiringWithin24h: within24h,
      expiredButListed: expiredListed,
      earliestExpiry: earliest === null ? null : new Date(earliest).toISOString(),
      latestExpiry: latest === null ? null : new Date(latest).toISOString(),
    },
    neverExpire > 0 ? [`${String(neverExpire)} bypass code(s) never expire.`] : [],
    opts.truncated ?? false,
  );
}

function factorShare(agg: AuthLogAggregate, factors: readonly string[]): { part: number; whole: number } {
  let part = 0;
  let whole = 0;
  for (const [f, n] of Object.entries(agg.successFactors)) {
    if (NO_AUTHENTICATOR.includes(f)) continue;
    whole += n;
    if (factors.includes(f)) part += n;
  }
  return { part, whole };
}

/**
 * Share of successful authentications (with an authenticator) that used a phishing-resistant factor over the
 * aggregation window. Pass at ≥ 50 %; Warning below, or when there was no such authentication to measure.
 */
export function phishingResistantSignal(agg: AuthLogAggregate, opts: SignalOptions): SignalResult {
  const { part, whole } = factorShare(agg, PHISHING_RESISTANT_FACTORS);
  const status = whole > 0 && !underPct(part, whole, 50) ? 'pass' : 'warning';
  return makeResult(
    'phishing_resistant_share',
    status,
    {
      phishingResistant: part,
      authentications: whole,
      sharePct: pct(part, whole),
      window: [agg.windowStart, agg.windowEnd],
    },
    whole === 0 ? ['No successful authentication with an authenticator in the window.'] : [],
    opts.truncated ?? false,
  );
}

/** Share of SMS and voice factors in the same base. Pass at 0 %; Warning above (advisory, never Fail). */
export function smsVoiceSignal(agg: AuthLogAggregate, opts: SignalOptions): SignalResult {
  const { part, whole } = factorShare(agg, SMS_VOICE_FACTORS);
  return makeResult(
    'sms_voice_share',
    part > 0 ? 'warning' : 'pass',
    {
      smsVoice: part,
      authentications: whole,
      sharePct: pct(part, whole),
      window: [agg.windowStart, agg.windowEnd],
    },
    [],
    opts.truncated ?? false,
  );
}

/**
 * Admin password policy strength (steampipe's check): Pass when the minimum length is ≥ 12 and all four
 * character classes are required; otherwise Warning (the specification treats password policy as informational).
 */
export function adminPasswordPolicySignal(settings: SettingsLike | null, opts: SignalOptions): SignalResult {
  const s = settings ?? {};
  const length = typeof s.minimum_password_length === 'number' ? s.minimum_password_length : null;
  const classes = {
    upper: s.password_requires_upper_alpha === true,
    lower: s.password_requires_lower_alpha === true,
    numeric: s.password_requires_numeric === true,
    special: s.password_requires_special === true,
  };
  const missing = Object.entries(classes)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  const lengthOk = length !== null && length >= 12;
  const notes: string[] = [];
  if (!lengthOk) notes.push(`Minimum length ${length === null ? 'unknown' : String(length)} is below 12.`);
  if (missing.length > 0) notes.push(`Character classes not required: ${missing.join(', ')}.`);
  return makeResult(
    'admin_password_policy',
    lengthOk && missing.length === 0 ? 'pass' : 'warning',
    { minimumLength: length, requiredClasses: classes },
    notes,
    opts.truncated ?? false,
  );
}
