import type { SignalId, SignalResult } from '../shared/index.js';
import { collectPages } from './collect.js';
import { EvidenceError } from './errors.js';
import { classifyFailure, healthAfterFailure, healthAfterSuccess, shouldSkip } from './credential-health.js';
import {
  adminPasswordPolicySignal,
  adminsNeverLoggedInSignal,
  bypassCodesSignal,
  lockedOutUsersSignal,
  usersInactiveSignal,
} from './extended-signals.js';
import { LIST_CAP } from './auth-log-window.js';
import type { Clock, EvidenceDuoReader, EvidenceStore, PageCaps } from './ports.js';
import { recordsFrom, failureOf, type EvidenceRunResult, type RunFailure } from './run-result.js';
import { adminInventorySignal, accountSettingsSignal } from './signal-admins-settings.js';
import { globalPolicySignal } from './signal-global-policy.js';
import { mfaEnrollmentSignal } from './signal-mfa-enrollment.js';
import type { AdminLike, BypassCodeLike, PolicyLike, SettingsLike, UserLike } from './types.js';

export interface IdentitySyncInput {
  org: string;
  integration: string;
  reader: EvidenceDuoReader;
  store: EvidenceStore;
  clock?: Clock;
  signal?: AbortSignal;
  /** `--signal <id>`: compute only this core signal (and the extended ones sharing its data). */
  only?: SignalId;
  /** Manual runs after a key rotation may ignore the 24 h back-off. Scheduled runs never set it. */
  ignoreBackoff?: boolean;
  /** How long an auth failure backs the credential off (`schedules.authFailedBackoffHours`; default 24 h). */
  authFailedBackoffMs?: number;
  caps?: { maxPages: number; pageSize: number };
}

const systemClock: Clock = { now: () => Date.now() };

export type Source = 'users' | 'admins' | 'policies' | 'settings' | 'bypassCodes';

/** What each identity-sync signal reads; `--signal` fetches only that. The auth-log signals are not here. */
export const IDENTITY_SIGNAL_SOURCES: Readonly<Record<string, readonly Source[]>> = {
  mfa_enrollment: ['users'],
  global_policy: ['policies'],
  admin_inventory: ['admins'],
  account_settings: ['settings'],
  users_inactive_30d: ['users'],
  locked_out_users: ['users'],
  admins_never_logged_in: ['admins'],
  admin_password_policy: ['settings'],
  bypass_codes_outstanding: ['bypassCodes'],
};

/**
 * The four-hourly identity sync (cron "0 every-4th-hour", i.e. 00:00, 04:00 … UTC): mfa_enrollment, global_policy, admin_inventory and
 * account_settings, one evidence record each, plus the extended signals built from the same data.
 * Reads are sequential (Duo budgets per tenant); an auth-class or 429 failure stops further calls.
 */
export async function runIdentitySync(input: IdentitySyncInput): Promise<EvidenceRunResult> {
  if (input.only !== undefined && IDENTITY_SIGNAL_SOURCES[input.only] === undefined) {
    throw new EvidenceError(
      'evidence_unknown_signal',
      `"${input.only}" is not an identity-sync signal (one of: ${Object.keys(IDENTITY_SIGNAL_SOURCES).join(', ')}); auth-log signals come from the hourly poll.`,
    );
  }
  const clock = input.clock ?? systemClock;
  const startedAt = clock.now();
  const prev = await input.store.getCredentialHealth(input.org, input.integration);
  if (input.ignoreBackoff !== true && shouldSkip(prev, startedAt)) {
    return {
      org: input.org,
      integration: input.integration,
      outcome: 'skipped',
      signals: [],
      extended: [],
      error: null,
      health: prev,
    };
  }
  const caps: PageCaps = {
    ...(input.caps ?? LIST_CAP),
    ...(input.signal === undefined ? {} : { signal: input.signal }),
  };
  const wanted: readonly Source[] =
    input.only === undefined
      ? ['users', 'admins', 'policies', 'settings', 'bypassCodes']
      : (IDENTITY_SIGNAL_SOURCES[input.only] ?? []);
  const got: {
    users?: { items: UserLike[]; truncated: boolean };
    admins?: { items: AdminLike[]; truncated: boolean };
    policies?: { items: PolicyLike[]; truncated: boolean };
    settings?: SettingsLike;
    bypassCodes?: { items: BypassCodeLike[]; truncated: boolean };
  } = {};
  const failures: RunFailure[] = [];
  const r = input.reader;
  const counts = await crossCheckCounts(input, wanted, failures);
  // An auth-class or 429 answer to the summary stops the run before any listing (same budget rule below).
  const stopEarly = failures.length > 0;
  for (const source of stopEarly ? [] : wanted) {
    input.signal?.throwIfAborted();
    try {
      if (source === 'users') got.users = await collectPages(r.users(caps), caps);
      else if (source === 'admins') got.admins = await collectPages(r.admins(caps), caps);
      else if (source === 'policies') got.policies = await collectPages(r.policies(caps), caps);
      else if (source === 'settings')
        got.settings = await r.settings(input.signal === undefined ? {} : { signal: input.signal });
      else if (r.bypassCodes !== undefined) got.bypassCodes = await collectPages(r.bypassCodes(caps), caps);
    } catch (error) {
      if (input.signal?.aborted === true) throw error;
      failures.push(failureOf(source, error));
      // Persistent or budget errors: every further call would fail the same way and burn Duo's budget.
      if (classifyFailure(error) !== 'transient') break;
    }
  }
  const listingNotes = {
    users: shortfall('users', got.users?.items.length, counts?.user_count),
    admins: shortfall('administrators', got.admins?.items.length, counts?.admin_count),
  };
  if (got.users !== undefined && listingNotes.users !== null) got.users = { ...got.users, truncated: true };
  if (got.admins !== undefined && listingNotes.admins !== null)
    got.admins = { ...got.admins, truncated: true };
  const now = clock.now();
  const core: SignalResult[] = [];
  const extended: SignalResult[] = [];
  if (got.users !== undefined) {
    const o = { now, truncated: got.users.truncated };
    core.push(mfaEnrollmentSignal(got.users.items, o));
    extended.push(usersInactiveSignal(got.users.items, o), lockedOutUsersSignal(got.users.items, o));
  }
  if (got.policies !== undefined)
    core.push(globalPolicySignal(got.policies.items, { now, truncated: got.policies.truncated }));
  if (got.admins !== undefined) {
    const o = { now, truncated: got.admins.truncated };
    core.push(adminInventorySignal(got.admins.items, o));
    extended.push(adminsNeverLoggedInSignal(got.admins.items, o));
  }
  if (got.settings !== undefined) {
    core.push(accountSettingsSignal(got.settings, { now }));
    extended.push(adminPasswordPolicySignal(got.settings, { now }));
  }
  if (got.bypassCodes !== undefined) {
    extended.push(bypassCodesSignal(got.bypassCodes.items, { now, truncated: got.bypassCodes.truncated }));
  }
  for (const res of [...core, ...extended]) {
    const note = USER_SIGNALS.has(res.id)
      ? listingNotes.users
      : ADMIN_SIGNALS.has(res.id)
        ? listingNotes.admins
        : null;
    if (note !== null) res.notes.unshift(note);
  }
  const finishedAt = clock.now();
  for (const rec of recordsFrom([...core, ...extended], input, startedAt, finishedAt)) {
    await input.store.saveRecord(rec);
  }
  const worst =
    failures.find((f) => f.class === 'auth_failed') ??
    failures.find((f) => f.class === 'rate_limited') ??
    failures[0];
  const health =
    worst === undefined
      ? healthAfterSuccess(prev, finishedAt)
      : healthAfterFailure(prev, worst.error, finishedAt, input.authFailedBackoffMs);
  await input.store.setCredentialHealth(input.org, input.integration, health);
  return {
    org: input.org,
    integration: input.integration,
    outcome: failures.length === 0 ? 'ok' : core.length > 0 ? 'partial' : 'failed',
    signals: core,
    extended,
    error: worst === undefined ? null : worst.summary,
    health,
  };
}

const USER_SIGNALS = new Set<string>(['mfa_enrollment', 'users_inactive_30d', 'locked_out_users']);
const ADMIN_SIGNALS = new Set<string>(['admin_inventory', 'admins_never_logged_in']);

/** Duo's own counts, when the reader offers them and users or admins are being listed. */
async function crossCheckCounts(
  input: IdentitySyncInput,
  wanted: readonly Source[],
  failures: RunFailure[],
): Promise<{ user_count?: number | null | undefined; admin_count?: number | null | undefined } | null> {
  const reader = input.reader;
  if (reader.summary === undefined || !(wanted.includes('users') || wanted.includes('admins'))) return null;
  try {
    return await reader.summary(input.signal === undefined ? {} : { signal: input.signal });
  } catch (error) {
    if (input.signal?.aborted === true) throw error;
    const failure = failureOf('summary', error);
    // A transient failure only costs the cross-check; a credential or budget failure ends the run.
    if (failure.class !== 'transient') failures.push(failure);
    return null;
  }
}

function shortfall(
  what: string,
  listed: number | undefined,
  reported: number | null | undefined,
): string | null {
  if (listed === undefined || typeof reported !== 'number' || listed >= reported) return null;
  return `Duo reports ${String(reported)} ${what} but the listing returned ${String(listed)}: the data is incomplete.`;
}
