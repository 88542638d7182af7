import type { SignalResult, SignalStatus } from '../shared/index.js';
import { makeResult } from './signal-common.js';
import type { AdminLike, SettingsLike, SignalOptions } from './types.js';
import { secondsToMs } from './types.js';

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * `admin_inventory`. Fail when total > 10 or Owners > 5; Warning when there are none; otherwise Pass.
 * Every administrator is listed with role, status and last login; Owner names explicitly (specification). E-mail and
 * phone are not kept: the name is what an auditor matches against the personnel list.
 */
export function adminInventorySignal(admins: readonly AdminLike[], opts: SignalOptions): SignalResult {
  const list = admins
    .map((a) => ({
      name: a.name ?? '',
      role: a.role ?? 'unknown',
      status: a.status ?? 'unknown',
      lastLogin: iso(secondsToMs(a.last_login)),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byRole: Record<string, number> = {};
  for (const a of list) byRole[a.role] = (byRole[a.role] ?? 0) + 1;
  const ownerNames = list.filter((a) => a.role === 'Owner').map((a) => a.name);
  const total = list.length;
  const notes: string[] = [];
  let status: SignalStatus;
  if (total > 10 || ownerNames.length > 5) {
    status = 'fail';
    if (total > 10) notes.push(`${String(total)} administrators exceed the limit of 10.`);
    if (ownerNames.length > 5) notes.push(`${String(ownerNames.length)} Owners exceed the limit of 5.`);
  } else if (total === 0) {
    status = 'warning';
    notes.push('No administrators were returned.');
  } else {
    status = 'pass';
  }
  return makeResult(
    'admin_inventory',
    status,
    { total, ownerCount: ownerNames.length, ownerNames, byRole, admins: list },
    notes,
    opts.truncated ?? false,
  );
}

function positive(v: number | null | undefined): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

/**
 * `account_settings`. Pass when lockout_threshold > 0 and lockout_expire_duration > 0; Warning when either is
 * 0 or missing (specification). Duo documents 0/null expiry as "stays locked until an admin unlocks"; the specification still
 * warns, and we follow the specification. Password complexity is recorded as information only.
 */
export function accountSettingsSignal(settings: SettingsLike | null, opts: SignalOptions): SignalResult {
  const s = settings ?? {};
  const lockoutOk = positive(s.lockout_threshold) && positive(s.lockout_expire_duration);
  const notes: string[] = [];
  if (!positive(s.lockout_threshold)) notes.push('lockout_threshold is 0 or missing.');
  if (!positive(s.lockout_expire_duration)) notes.push('lockout_expire_duration is 0 or missing.');
  const metrics = {
    lockoutThreshold: s.lockout_threshold ?? null,
    lockoutExpireDurationMinutes: s.lockout_expire_duration ?? null,
    inactiveUserExpirationDays: s.inactive_user_expiration ?? null,
    password: {
      minimumLength: s.minimum_password_length ?? null,
      requiresUpperAlpha: s.password_requires_upper_alpha ?? null,
      requiresLowerAlpha: s.password_requires_lower_alpha ?? null,
      requiresNumeric: s.password_requires_numeric ?? null,
      requiresSpecial: s.password_requires_special ?? null,
    },
    helpdeskBypass: s.helpdesk_bypass ?? null,
  };
  return makeResult(
    'account_settings',
    lockoutOk ? 'pass' : 'warning',
    metrics,
    notes,
    opts.truncated ?? false,
  );
}
