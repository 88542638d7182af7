import type { SignalResult, SignalStatus } from '../shared/index.js';
import { makeResult, overPct, pct } from './signal-common.js';
import type { AuthLogCursor, AuthLogWindow, LedgerRow } from './auth-log-window.js';
import { floorSecond, OVERLAP_MS } from './auth-log-window.js';
import type { AuthEventLike, SignalOptions } from './types.js';

/** The aggregate that reaches the store: counts only. */
export interface AuthLogAggregate {
  windowStart: string;
  windowEnd: string;
  /** Authentication events counted in this poll (each event once, across overlapping polls). */
  total: number;
  succeeded: number;
  /** `failure` + `denied` results. */
  failed: number;
  denied: number;
  failure: number;
  fraud: number;
  errored: number;
  /** Results other than the five Duo documents. */
  otherResult: number;
  /** `event_type: enrollment` rows, counted apart: an enrollment is not an authentication. */
  enrollmentEvents: number;
  /** Distinct `user.key` over the whole poll window (overlap included); the keys themselves are not kept. */
  uniqueUsers: number;
  factors: Record<string, number>;
  /** Factors of successful authentications only (basis of the factor-strength extended signals). */
  successFactors: Record<string, number>;
  topNonSuccessReasons: { reason: string; count: number }[];
  /** (failed + fraud) / (total − errored), percent; null when nothing was decided. */
  failureRatePct: number | null;
  /** Events Duo returned in the window, before removing those an earlier poll already counted. */
  eventsSeen: number;
  duplicatesSkipped: number;
}

const NONE = '(none)';

function eventMs(e: AuthEventLike): number | null {
  if (typeof e.isotimestamp === 'string') {
    const t = Date.parse(e.isotimestamp);
    if (Number.isFinite(t)) return t;
  }
  return typeof e.timestamp === 'number' && Number.isFinite(e.timestamp) ? e.timestamp * 1000 : null;
}

/**
 * Counts one poll's events exactly once across overlapping polls without storing anything per event.
 *
 * Events are grouped by (whole second, event_type, result, factor, reason). Duo's log is append-only, so a
 * later read of the same second returns a superset of an earlier read; the new events of a group are then
 * exactly `seen now − counted before`, and every one of them has the group's attributes, so all counters
 * stay exact. Created per poll (no module state).
 */
export class AuthLogAccumulator {
  private readonly seen = new Map<string, number>();
  private readonly users = new Set<string>();
  private readonly prior = new Map<string, number>();
  private lastEventMs: number | null = null;
  private eventsSeen = 0;

  constructor(private readonly window: AuthLogWindow) {
    for (const r of window.ledger) this.prior.set(key(r[0], r[1], r[2], r[3], r[4]), r[5]);
  }

  add(events: readonly AuthEventLike[]): void {
    for (const e of events) {
      const ms = eventMs(e);
      // Outside the window we asked for (a server ignoring mintime/maxtime): not ours to count.
      if (ms === null || ms < this.window.mintimeMs || ms > this.window.maxtimeMs) continue;
      this.eventsSeen++;
      this.lastEventMs = ms;
      const k = key(
        Math.floor(ms / 1000),
        e.event_type ?? 'authentication',
        e.result ?? NONE,
        e.factor ?? NONE,
        e.reason ?? NONE,
      );
      this.seen.set(k, (this.seen.get(k) ?? 0) + 1);
      const userKey = e.user?.key;
      if (
        typeof userKey === 'string' &&
        userKey !== '' &&
        (e.event_type ?? 'authentication') === 'authentication'
      ) {
        this.users.add(userKey);
      }
    }
  }

  /** The aggregate and the next cursor. `truncated`: a cap stopped the poll before the window's end. */
  finish(now: number, truncated: boolean): { aggregate: AuthLogAggregate; cursor: AuthLogCursor } {
    const agg: AuthLogAggregate = {
      windowStart: new Date(this.window.mintimeMs).toISOString(),
      windowEnd: new Date(this.window.maxtimeMs).toISOString(),
      total: 0,
      succeeded: 0,
      failed: 0,
      denied: 0,
      failure: 0,
      fraud: 0,
      errored: 0,
      otherResult: 0,
      enrollmentEvents: 0,
      uniqueUsers: this.users.size,
      factors: {},
      successFactors: {},
      topNonSuccessReasons: [],
      failureRatePct: null,
      eventsSeen: this.eventsSeen,
      duplicatesSkipped: 0,
    };
    const reasons = new Map<string, number>();
    for (const [k, seenCount] of this.seen) {
      const [, type, result, factor, reason] = split(k);
      const fresh = Math.max(0, seenCount - (this.prior.get(k) ?? 0));
      agg.duplicatesSkipped += seenCount - fresh;
      if (fresh === 0) continue;
      if (type !== 'authentication') {
        agg.enrollmentEvents += fresh;
        continue;
      }
      agg.total += fresh;
      agg.factors[factor] = (agg.factors[factor] ?? 0) + fresh;
      if (result === 'success') {
        agg.succeeded += fresh;
        agg.successFactors[factor] = (agg.successFactors[factor] ?? 0) + fresh;
        continue;
      }
      if (result === 'failure') agg.failure += fresh;
      else if (result === 'denied') agg.denied += fresh;
      else if (result === 'fraud') agg.fraud += fresh;
      else if (result === 'error') agg.errored += fresh;
      else agg.otherResult += fresh;
      reasons.set(reason, (reasons.get(reason) ?? 0) + fresh);
    }
    agg.failed = agg.failure + agg.denied;
    agg.failureRatePct = pct(agg.failed + agg.fraud, agg.total - agg.errored);
    agg.topNonSuccessReasons = [...reasons]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 10)
      .map(([reason, count]) => ({ reason, count }));
    return { aggregate: agg, cursor: this.nextCursor(now, truncated) };
  }

  private nextCursor(now: number, truncated: boolean): AuthLogCursor {
    // Complete poll: the next one starts five minutes before this one (specification), on a whole second so the
    // ledger's seconds are read back whole. Cut short by a cap: resume at the second of the last event read.
    const nextAfterMs = truncated
      ? floorSecond(this.lastEventMs ?? this.window.mintimeMs)
      : Math.max(this.window.mintimeMs, floorSecond(now - OVERLAP_MS));
    const firstSecond = nextAfterMs / 1000;
    const counts = new Map<string, number>();
    for (const [k, n] of this.prior) if (split(k)[0] >= firstSecond) counts.set(k, n);
    for (const [k, n] of this.seen) {
      if (split(k)[0] >= firstSecond) counts.set(k, Math.max(n, counts.get(k) ?? 0));
    }
    const ledger: LedgerRow[] = [...counts].map(([k, n]) => {
      const [s, t, r, f, re] = split(k);
      return [s, t, r, f, re, n];
    });
    ledger.sort((a, b) => a[0] - b[0]);
    return { version: 1, nextAfterMs, lastSuccessAt: now, ledger };
  }
}

function key(second: number, type: string, result: string, factor: string, reason: string): string {
  return JSON.stringify([second, type, result, factor, reason]);
}

function split(k: string): [number, string, string, string, string] {
  return JSON.parse(k) as [number, string, string, string, string];
}

/**
 * `auth_log_aggregate`. Fail when any fraud or failure rate > 25 %; Warning when 5 % < rate ≤ 25 %;
 * otherwise Pass. failure rate = (failure + denied + fraud) / (authentications − errors).
 */
export function authLogAggregateSignal(agg: AuthLogAggregate, opts: SignalOptions): SignalResult {
  const decided = agg.total - agg.errored;
  const bad = agg.failed + agg.fraud;
  const notes: string[] = [];
  let status: SignalStatus;
  if (agg.fraud > 0) {
    status = 'fail';
    notes.push(`${String(agg.fraud)} authentication(s) marked as fraud by the user.`);
  } else if (decided > 0 && overPct(bad, decided, 25)) {
    status = 'fail';
  } else if (decided > 0 && overPct(bad, decided, 5)) {
    status = 'warning';
  } else {
    status = 'pass';
    if (decided === 0) notes.push('No decided authentication in the window.');
  }
  return makeResult('auth_log_aggregate', status, { ...agg }, notes, opts.truncated ?? false);
}
