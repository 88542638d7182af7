import { describe, expect, it } from 'vitest';
import {
  AuthLogAccumulator,
  authLogAggregateSignal,
  parseAuthLogCursor,
  planAuthLogWindow,
  type AuthEventLike,
  type AuthLogCursor,
} from './index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-22T10:30:00Z');

function ev(ms: number, result = 'success', extra: Partial<AuthEventLike> = {}): AuthEventLike {
  return {
    timestamp: Math.floor(ms / 1000),
    isotimestamp: new Date(ms).toISOString(),
    event_type: 'authentication',
    result,
    factor: 'duo_push',
    reason: result === 'success' ? 'user_approved' : 'user_mistake',
    user: { key: 'DUAAAAAAAAAAAAAAAAAA' },
    ...extra,
  };
}

/** Runs one poll over whatever is visible in `log` at `now`, like the service does. */
function poll(cursor: AuthLogCursor | null, now: number, log: AuthEventLike[]) {
  const w = planAuthLogWindow(cursor, now);
  const acc = new AuthLogAccumulator(w);
  const visible = log.filter(
    (e) => Date.parse(e.isotimestamp ?? '') >= w.mintimeMs && Date.parse(e.isotimestamp ?? '') <= w.maxtimeMs,
  );
  acc.add(visible);
  return { window: w, ...acc.finish(now, false) };
}

describe('auth-log window (fake clock)', () => {
  it('first poll covers the last 24 hours up to now − 2 min', () => {
    const w = planAuthLogWindow(null, T0);
    expect(w.basis).toBe('first');
    expect(w.mintimeMs).toBe(T0 - DAY);
    expect(w.maxtimeMs).toBe(T0 - 2 * MIN);
  });

  it('later polls start five minutes before the last successful poll', () => {
    const first = poll(null, T0, []);
    expect(first.cursor.nextAfterMs).toBe(T0 - 5 * MIN);
    const w = planAuthLogWindow(first.cursor, T0 + HOUR);
    expect(w.basis).toBe('resume');
    expect(w.mintimeMs).toBe(T0 - 5 * MIN);
    expect(w.maxtimeMs).toBe(T0 + HOUR - 2 * MIN);
  });

  it('a cursor more than 30 days stale resets to the 24-hour look-back; exactly 30 days resumes', () => {
    const cursor: AuthLogCursor = {
      version: 1,
      nextAfterMs: T0,
      lastSuccessAt: T0,
      ledger: [[T0 / 1000, 'authentication', 'success', 'duo_push', 'user_approved', 3]],
    };
    const at30 = planAuthLogWindow(cursor, T0 + 30 * DAY);
    expect(at30.basis).toBe('resume');
    expect(at30.ledger).toHaveLength(1);
    const stale = planAuthLogWindow(cursor, T0 + 30 * DAY + 1);
    expect(stale.basis).toBe('stale_reset');
    expect(stale.mintimeMs).toBe(T0 + 30 * DAY + 1 - DAY - 1); // floored to the second
    expect(stale.ledger).toEqual([]);
  });

  it('parses a stored cursor defensively', () => {
    expect(parseAuthLogCursor(null)).toBeNull();
    expect(parseAuthLogCursor({ version: 2, nextAfterMs: 1, lastSuccessAt: 1 })).toBeNull();
    expect(
      parseAuthLogCursor({
        version: 1,
        nextAfterMs: 1000,
        lastSuccessAt: 5,
        ledger: [[1, 'a', 'b', 'c', 'd', 2], ['bad']],
      }),
    ).toEqual({
      version: 1,
      nextAfterMs: 1000,
      lastSuccessAt: 5,
      ledger: [[1, 'a', 'b', 'c', 'd', 2]],
    });
  });
});

describe('overlap never counts an event twice', () => {
  it('two consecutive polls with overlapping windows count each event once, late arrivals included', () => {
    const log: AuthEventLike[] = [];
    // Before poll 1 (at T0): events up to T0 − 2 min are visible. Three fall in the coming overlap.
    log.push(ev(T0 - 10 * MIN), ev(T0 - 4 * MIN), ev(T0 - 3 * MIN, 'denied'), ev(T0 - 3 * MIN, 'denied'));
    const p1 = poll(null, T0, log);
    expect(p1.aggregate.total).toBe(4);
    // Late arrival inside the overlap (a third identical denial in the same second), then new events.
    log.push(
      ev(T0 - 3 * MIN, 'denied'),
      ev(T0 + 10 * MIN, 'fraud', { reason: 'user_marked_fraud' }),
      ev(T0 + 20 * MIN),
    );
    const p2 = poll(p1.cursor, T0 + HOUR, log);
    expect(p2.window.mintimeMs).toBe(T0 - 5 * MIN);
    expect(p2.aggregate.eventsSeen).toBe(6); // 3 old + 1 late in the overlap, 2 new
    expect(p2.aggregate.duplicatesSkipped).toBe(3);
    expect(p2.aggregate.total).toBe(3);
    expect(p2.aggregate.denied).toBe(1);
    expect(p2.aggregate.fraud).toBe(1);
    expect(p2.aggregate.succeeded).toBe(1);
    // Over both polls every event of the log was counted exactly once.
    expect(p1.aggregate.total + p2.aggregate.total).toBe(log.length);
  });

  it('holds over many polls at random cadences (property)', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const log: AuthEventLike[] = [];
    let cursor: AuthLogCursor | null = null;
    let now = T0;
    let counted = 0;
    for (let i = 0; i < 60; i++) {
      // Events happen up to `now`; Duo shows them only after two minutes (the window's maxtime).
      const step = Math.floor(rnd() * 20 * MIN) + 30_000;
      for (let k = 0; k < 15; k++)
        log.push(ev(now + Math.floor(rnd() * step), rnd() < 0.2 ? 'failure' : 'success'));
      now += step;
      const p = poll(cursor, now, log);
      counted += p.aggregate.total;
      cursor = p.cursor;
    }
    const visible = log.filter((e) => Date.parse(e.isotimestamp ?? '') <= now - 2 * MIN).length;
    expect(counted).toBe(visible);
  });

  it('a capped poll resumes at the last event read, mid-second, without double counting', () => {
    const s = T0 - HOUR;
    const log = [ev(s), ev(s + 100), ev(s + 200), ev(s + 300), ev(s + 5000)];
    const w1 = planAuthLogWindow(null, T0);
    const acc1 = new AuthLogAccumulator(w1);
    acc1.add(log.slice(0, 2)); // the cap stops after two events of the same second
    const r1 = acc1.finish(T0, true);
    expect(r1.cursor.nextAfterMs).toBe(Math.floor(s / 1000) * 1000);
    const w2 = planAuthLogWindow(r1.cursor, T0 + HOUR);
    const acc2 = new AuthLogAccumulator(w2);
    acc2.add(log.filter((e) => Date.parse(e.isotimestamp ?? '') >= w2.mintimeMs));
    const r2 = acc2.finish(T0 + HOUR, false);
    expect(r1.aggregate.total + r2.aggregate.total).toBe(5);
  });
});

describe('auth_log_aggregate rules', () => {
  function aggOf(events: AuthEventLike[]) {
    const w = planAuthLogWindow(null, T0);
    const acc = new AuthLogAccumulator(w);
    acc.add(events);
    return acc.finish(T0, false).aggregate;
  }
  const at = T0 - HOUR;
  const mix = (success: number, failure: number, denied = 0, error = 0): AuthEventLike[] => [
    ...Array.from({ length: success }, () => ev(at)),
    ...Array.from({ length: failure }, () => ev(at, 'failure')),
    ...Array.from({ length: denied }, () => ev(at, 'denied')),
    ...Array.from({ length: error }, () => ev(at, 'error', { reason: 'error' })),
  ];
  it.each([
    [95, 5, 0, 0, 'pass'], // exactly 5 %
    [9_499, 501, 0, 0, 'warning'], // 5.01 %
    [75, 20, 5, 0, 'warning'], // exactly 25 % (failure + denied)
    [7_499, 2_501, 0, 0, 'fail'], // 25.01 %
    [95, 5, 0, 50, 'pass'], // errors are outside the rate
    [0, 0, 0, 3, 'pass'], // nothing decided
  ] as const)('success %i failure %i denied %i error %i → %s', (s, f, d, e, expected) => {
    const agg = aggOf(mix(s, f, d, e));
    expect(authLogAggregateSignal(agg, { now: T0 }).status).toBe(expected);
    expect(agg.errored).toBe(e);
    expect(agg.failed).toBe(f + d);
  });
  it('any fraud fails', () => {
    const agg = aggOf([...mix(1000, 0), ev(at, 'fraud', { reason: 'user_marked_fraud' })]);
    const r = authLogAggregateSignal(agg, { now: T0 });
    expect(r.status).toBe('fail');
    expect(agg.topNonSuccessReasons).toEqual([{ reason: 'user_marked_fraud', count: 1 }]);
  });
  it('counts unique users, factors, top 10 reasons; enrollments apart; truncated is not Pass', () => {
    const events: AuthEventLike[] = [
      ev(at, 'success', { user: { key: 'DU1' }, factor: 'webauthn' }),
      ev(at, 'success', { user: { key: 'DU1' }, factor: 'sms_passcode' }),
      ev(at, 'success', { user: { key: 'DU2' } }),
      ev(at, 'success', { event_type: 'enrollment', user: { key: 'DU3' } }),
      ...Array.from({ length: 12 }, (_, i) =>
        ev(at, 'denied', { reason: `r${String(i).padStart(2, '0')}`, user: { key: 'DU2' } }),
      ),
      ev(at, 'denied', { reason: 'r05' }),
    ];
    const agg = aggOf(events);
    expect(agg.total).toBe(16);
    expect(agg.enrollmentEvents).toBe(1);
    expect(agg.uniqueUsers).toBe(3); // DU1, DU2 and the default key; the enrollment's DU3 is not an authentication
    expect(agg.factors).toEqual({ webauthn: 1, sms_passcode: 1, duo_push: 14 });
    expect(agg.topNonSuccessReasons).toHaveLength(10);
    expect(agg.topNonSuccessReasons[0]).toEqual({ reason: 'r05', count: 2 });
    expect(authLogAggregateSignal(aggOf(mix(10, 0)), { now: T0, truncated: true }).status).toBe('warning');
  });
});
