import { describe, expect, it } from 'vitest';
import { createClock, createTenant, type AuthLogCursor, type AuthLogEvent, type Tenant } from './index.js';
import { HOME_PLACES } from './catalog.js';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const DAY = 86_400_000;
const HOUR = 3_600_000;

function make(users: number, realNow = () => NOW) {
  const clock = createClock({ realNow });
  return {
    clock,
    t: createTenant({ hostname: 'api-logs.duosecurity.com', seed: 'logs', users, now: NOW }, clock),
  };
}

function walk(
  t: Tenant,
  mintime: number,
  maxtime: number,
  sort: 'ts:asc' | 'ts:desc',
  limit: number,
): AuthLogEvent[] {
  const out: AuthLogEvent[] = [];
  let after: AuthLogCursor | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = t.authLog({ mintime, maxtime, limit, sort, ...(after ? { after } : {}) });
    out.push(...page.events);
    if (page.next === null) return out;
    after = page.next;
  }
  throw new Error('walk did not end');
}

const key = (e: AuthLogEvent) => `${Date.parse(e.isotimestamp)}/${e.txid}`;

describe('authentication log', () => {
  const { t } = make(300);
  const lo = NOW - 3 * DAY;

  it('totals are exact and both sorts page the same events in opposite orders', () => {
    const asc = walk(t, lo, NOW, 'ts:asc', 137);
    const desc = walk(t, lo, NOW, 'ts:desc', 250);
    const total = t.authLog({ mintime: lo, maxtime: NOW, limit: 1, sort: 'ts:asc' }).total;
    expect(asc.length).toBe(total);
    expect(total).toBeGreaterThan(1000);
    expect(desc.map(key)).toEqual(asc.map(key).reverse());
    expect(new Set(asc.map((e) => e.txid)).size).toBe(total);
    for (let i = 1; i < asc.length; i++)
      expect(
        key(asc[i - 1] as AuthLogEvent) < key(asc[i] as AuthLogEvent) ||
          (asc[i - 1] as AuthLogEvent).timestamp < (asc[i] as AuthLogEvent).timestamp,
      ).toBe(true);
    for (const e of asc) {
      expect(e.timestamp * 1000).toBeGreaterThanOrEqual(lo - 1000);
      expect(e.timestamp).toBe(Math.floor(Date.parse(e.isotimestamp) / 1000));
      expect(e.isotimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
      expect(e.txid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('has a realistic, lowercase result/factor/reason mix with nullable and "unknown" fields', () => {
    const events = walk(t, NOW - 7 * DAY, NOW, 'ts:asc', 1000);
    const share = (f: (e: AuthLogEvent) => boolean) => events.filter(f).length / events.length;
    expect(share((e) => e.result === 'success')).toBeGreaterThan(0.8);
    expect(share((e) => e.result === 'denied')).toBeGreaterThan(0.01);
    expect(share((e) => e.factor === 'duo_push')).toBeGreaterThan(0.4);
    expect(share((e) => e.reason === 'bypass_user')).toBeGreaterThan(0);
    expect(share((e) => e.factor === 'remembered_device')).toBeGreaterThan(0);
    expect(share((e) => e.access_device.is_encryption_enabled === 'unknown')).toBeGreaterThan(0.3);
    expect(share((e) => e.access_device.hostname === null)).toBeGreaterThan(0.3);
    const allowed = new Set(['success', 'denied', 'failure', 'error', 'fraud']);
    expect(events.every((e) => allowed.has(e.result))).toBe(true);
    expect(events.every((e) => e.factor === null || e.factor === e.factor.toLowerCase())).toBe(true);
    // Business hours are busier than nights, in the users' local time (where Duo placed the login).
    const tzOf = new Map(HOME_PLACES.map((p) => [p.loc.city, p.tz]));
    const hours = events
      .filter((e) => tzOf.has(e.access_device.location.city))
      .map((e) =>
        new Date((e.timestamp + (tzOf.get(e.access_device.location.city) ?? 0) * 3600) * 1000).getUTCHours(),
      );
    expect(hours.filter((h) => h >= 9 && h < 12).length).toBeGreaterThan(
      hours.filter((h) => h >= 0 && h < 3).length * 3,
    );
  });

  it('looks like a real tenant over two weeks: travel, VPN, networks, harmless and policy denials', () => {
    const { t: big } = make(400);
    const events = walk(big, NOW - 14 * DAY, NOW, 'ts:asc', 1000);
    const countriesOf = new Map<string, Set<string>>();
    for (const e of events) {
      if (e.result !== 'success' || e.access_device.location.country === null) continue;
      const set = countriesOf.get(e.user.key) ?? new Set<string>();
      set.add(e.access_device.location.country);
      countriesOf.set(e.user.key, set);
    }
    const travellers = [...countriesOf.values()].filter((c) => c.size > 1).length;
    expect(travellers).toBeGreaterThan(5); // business trips abroad
    expect(new Set(events.map((e) => e.access_device.location.country)).size).toBeGreaterThan(5);
    const some = (f: (e: AuthLogEvent) => boolean) => events.filter(f).length;
    expect(some((e) => e.access_device.ip?.includes(':') === true)).toBeGreaterThan(0); // IPv6
    expect(some((e) => e.access_device.ip?.startsWith('10.') === true)).toBeGreaterThan(0); // on-premises
    expect(some((e) => e.access_device.ip === null)).toBeGreaterThan(0);
    expect(some((e) => e.reason === 'denied_by_policy')).toBeGreaterThan(0);
    expect(some((e) => e.reason === 'location_restricted')).toBeGreaterThan(0);
    expect(some((e) => e.factor === 'bypass_code' && e.result === 'success')).toBeGreaterThan(0);
    expect(some((e) => e.result === 'fraud')).toBe(0); // a fraud report is an attack: scenarios only
    expect(some((e) => Object.keys(e.adaptive_trust_assessments).length > 0)).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.application.name)).size).toBeGreaterThan(5);
    // Many distinct addresses, yet each user keeps coming back to a few of their own.
    const perUser = new Map<string, Map<string, number>>();
    for (const e of events) {
      if (e.access_device.ip === null) continue;
      const m = perUser.get(e.user.key) ?? new Map<string, number>();
      m.set(e.access_device.ip, (m.get(e.access_device.ip) ?? 0) + 1);
      perUser.set(e.user.key, m);
    }
    const busy = [...perUser.values()].filter((m) => [...m.values()].reduce((a, b) => a + b, 0) >= 40);
    const topThreeShare =
      busy
        .map((m) => {
          const counts = [...m.values()].sort((a, b) => b - a);
          return counts.slice(0, 3).reduce((a, b) => a + b, 0) / counts.reduce((a, b) => a + b, 0);
        })
        .reduce((a, b) => a + b, 0) / busy.length;
    expect(topThreeShare).toBeGreaterThan(0.6);
  });

  it('filters by user, result and factor with exact totals', () => {
    const all = walk(t, lo, NOW, 'ts:asc', 1000);
    const user = all[0]?.user.key ?? '';
    const byUser = t.authLog({
      mintime: lo,
      maxtime: NOW,
      limit: 1000,
      sort: 'ts:asc',
      filters: { users: [user] },
    });
    expect(byUser.total).toBe(all.filter((e) => e.user.key === user).length);
    expect(byUser.events.every((e) => e.user.key === user)).toBe(true);
    const denied = t.authLog({
      mintime: lo,
      maxtime: NOW,
      limit: 5,
      sort: 'ts:desc',
      filters: { results: ['denied'], factors: ['duo_push'] },
    });
    expect(denied.total).toBe(all.filter((e) => e.result === 'denied' && e.factor === 'duo_push').length);
    const group = t.groups()[0];
    const byGroup = t.authLog({
      mintime: lo,
      maxtime: NOW,
      limit: 1,
      sort: 'ts:asc',
      filters: { groups: [group?.group_id ?? ''] },
    });
    expect(byGroup.total).toBe(all.filter((e) => e.user.groups.includes(group?.name ?? '')).length);
  });

  it('has no events from the future or before history starts', () => {
    const future = t.authLog({ mintime: NOW, maxtime: NOW + DAY, limit: 10, sort: 'ts:asc' });
    expect(future.events.every((e) => e.timestamp * 1000 <= NOW)).toBe(true);
    expect(
      t.authLog({ mintime: NOW - 400 * DAY, maxtime: NOW - 200 * DAY, limit: 10, sort: 'ts:asc' }).total,
    ).toBe(0);
  });

  it('a cursor walk while time advances and events keep arriving has no gap and no duplicate', () => {
    let real = NOW;
    const { t: live, clock } = make(200, () => real);
    const seen: AuthLogEvent[] = [];
    const start = NOW - HOUR;
    let after: AuthLogCursor | undefined;
    for (let step = 0; step < 40; step++) {
      // A collector queries up to now − 2 min (the visibility delay), 100 per page, while the world moves on.
      const maxtime = clock.now() - 120_000;
      const page = live.authLog({
        mintime: start,
        maxtime,
        limit: 100,
        sort: 'ts:asc',
        ...(after ? { after } : {}),
      });
      seen.push(...page.events);
      if (page.events.length > 0) {
        const last = page.events[page.events.length - 1] as AuthLogEvent;
        after = page.next ?? { ts: Date.parse(last.isotimestamp.slice(0, 23) + 'Z'), txid: last.txid };
      }
      real += 7 * 60_000;
      if (step % 5 === 0) live.inject({ kind: 'fraud' });
      if (step % 7 === 0)
        void live.auth({ username: live.users()[3]?.username ?? '', factor: 'push', device: 'auto' });
    }
    const endMax = seen.length > 0 ? (seen[seen.length - 1] as AuthLogEvent).timestamp * 1000 + 999 : start;
    const truth = walk(live, start, Math.min(endMax, clock.now() - 120_000), 'ts:asc', 1000);
    expect(seen.map((e) => e.txid)).toEqual(truth.map((e) => e.txid).slice(0, seen.length));
    expect(new Set(seen.map((e) => e.txid)).size).toBe(seen.length);
    expect(seen.filter((e) => e.result === 'fraud').length).toBeGreaterThanOrEqual(7);
  });

  it('counts and pages a window of millions of events without materializing them', () => {
    const { t: big } = make(12_000);
    const before = process.memoryUsage().heapUsed;
    const q = { mintime: NOW - 179 * DAY, maxtime: NOW, limit: 1000, sort: 'ts:desc' as const };
    const first = big.authLog(q);
    const second = big.authLog({ ...q, after: first.next as AuthLogCursor });
    const grown = process.memoryUsage().heapUsed - before;
    expect(first.total).toBeGreaterThan(5_000_000);
    expect(second.total).toBe(first.total);
    expect(first.events).toHaveLength(1000);
    expect(second.events[0]?.txid).not.toBe(first.events[999]?.txid);
    // Five million events would be gigabytes; the query keeps only bucket counts and two pages.
    expect(grown).toBeLessThan(150 * 1024 * 1024);
  });
});

describe('other logs', () => {
  const { t } = make(500);

  it('administrator log v1: ascending from mintime, at most 1000, descriptions are JSON strings', () => {
    const min = Math.floor((NOW - 30 * DAY) / 1000);
    const rows = t.adminLog(min, 5000, NOW / 1000);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThanOrEqual(1000);
    for (let i = 1; i < rows.length; i++)
      expect((rows[i]?.timestamp ?? 0) >= (rows[i - 1]?.timestamp ?? 0)).toBe(true);
    expect(rows.every((r) => r.timestamp >= min && typeof JSON.parse(r.description) === 'object')).toBe(true);
    const next = t.adminLog((rows[rows.length - 1]?.timestamp ?? 0) + 1, 1000, NOW / 1000);
    expect(next.every((r) => r.timestamp > (rows[rows.length - 1]?.timestamp ?? 0))).toBe(true);
  });

  it('telephony v2 and v1 describe the same calls; activity uses upper-case results; cursors are "ts,id"', () => {
    const q = { mintime: NOW - 20 * DAY, maxtime: NOW, limit: 10, sort: 'ts:asc' as const };
    const p1 = t.telephonyLog(q);
    expect(p1.total).toBeGreaterThan(10);
    expect(p1.next).toMatch(/^\d{13},[0-9a-f-]{36}$/);
    const p2 = t.telephonyLog({ ...q, after: p1.next ?? '' });
    expect(p2.items[0]?.telephony_id).not.toBe(p1.items[9]?.telephony_id);
    const v1 = t.telephonyLogV1(Math.floor(q.mintime / 1000), 10, NOW / 1000);
    expect(v1.map((r) => r.phone)).toEqual(p1.items.map((i) => i.phone));
    const act = t.activityLog({ ...q, limit: 50 });
    expect(act.items.every((a) => a.outcome.result === 'SUCCESS' || a.outcome.result === 'FAILURE')).toBe(
      true,
    );
    expect(act.total).toBeGreaterThan(0);
  });

  it('trust monitor and offline enrollment have events with stable keys', () => {
    const tm = t.trustMonitor({ mintime: NOW - 120 * DAY, maxtime: NOW, limit: 5 });
    expect(tm.events.length).toBeGreaterThan(0);
    expect(tm.events[0]?.sekey).toMatch(/^SE[A-Z0-9]{18}$/);
    expect(tm.events.find((e) => e.type === 'auth')?.surfaced_auth?.txid).toMatch(/^[0-9a-f-]{36}$/);
    const off = t.offlineEnrollmentLog(Math.floor((NOW - 120 * DAY) / 1000), 1000, NOW / 1000);
    expect(off.length).toBeGreaterThan(0);
    expect(off.every((r) => r.action.startsWith('o2fa_user_'))).toBe(true);
  });

  it('authentication attempts count SUCCESS/FAILURE/ERROR/FRAUD over the window', () => {
    const a = t.authenticationAttempts((NOW - DAY) / 1000, NOW / 1000);
    const total = t.authLog({ mintime: NOW - DAY, maxtime: NOW + 999, limit: 1, sort: 'ts:asc' }).total;
    expect(Object.keys(a).sort()).toEqual(['ERROR', 'FAILURE', 'FRAUD', 'SUCCESS']);
    expect(Object.values(a).reduce((x, y) => x + y, 0)).toBe(total);
  });
});
