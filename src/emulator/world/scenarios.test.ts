import { describe, expect, it } from 'vitest';
import { createClock, createTenant, type ScenarioResult, type Tenant } from './index.js';
import { FOREIGN_PLACES } from './catalog.js';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const HOUR = 3_600_000;

function world() {
  let real = NOW;
  const clock = createClock({ realNow: () => real });
  const t = createTenant({ hostname: 'api-sc.duosecurity.com', seed: 'scen', users: 120, now: NOW }, clock);
  return { t, clock, later: (ms: number) => (real += ms) };
}

function trail(t: Tenant, r: ScenarioResult, until: number) {
  const window = { mintime: NOW, maxtime: until, limit: 1000, sort: 'ts:asc' as const };
  const auth = t.authLog(window).events.filter((e) => r.authTxids.includes(e.txid));
  const admin = t
    .adminLog(NOW / 1000, 1000, until / 1000)
    .filter((row) => r.adminActions.includes(row.action) && row.timestamp >= NOW / 1000);
  return { auth, admin };
}

describe('scenarios leave the trail Duo would', () => {
  it('push fatigue: a burst of denied pushes, then an approval, from one attacker IP', () => {
    const { t, later } = world();
    const r = t.inject({ kind: 'push_fatigue', pushes: 8 });
    later(2 * HOUR);
    const { auth } = trail(t, r, NOW + 2 * HOUR);
    expect(auth).toHaveLength(9);
    expect(auth.slice(0, 8).every((e) => e.result === 'denied' && e.factor === 'duo_push')).toBe(true);
    expect(auth[8]).toMatchObject({ result: 'success', reason: 'user_approved', factor: 'duo_push' });
    expect(new Set(auth.map((e) => e.access_device.ip)).size).toBe(1);
    expect(new Set(auth.map((e) => e.user.key))).toEqual(new Set([r.userId]));
    expect((auth[8]?.timestamp ?? 0) - (auth[0]?.timestamp ?? 0)).toBeLessThan(600);
  });

  it('fraud, bypass-code use, new country', () => {
    const { t, later } = world();
    const fraud = t.inject({ kind: 'fraud' });
    const code = t.inject({ kind: 'bypass_code_use' });
    const country = t.inject({ kind: 'new_country', country: 'Russia' });
    later(HOUR);
    expect(trail(t, fraud, NOW + HOUR).auth).toEqual([
      expect.objectContaining({ result: 'fraud', reason: 'user_marked_fraud' }),
    ]);
    const c = trail(t, code, NOW + HOUR);
    expect(c.auth).toEqual([expect.objectContaining({ result: 'success', factor: 'bypass_code' })]);
    const abroad = new Set(FOREIGN_PLACES.map((p) => p.loc.country));
    expect(abroad.has(c.auth[0]?.access_device.location.country ?? '')).toBe(true); // a code used from afar
    expect(c.admin.map((a) => a.action)).toContain('bypass_create');
    const n = trail(t, country, NOW + HOUR).auth[0];
    expect(n?.access_device.location.country).toBe('Russia');
    const tm = t.trustMonitor({ mintime: NOW, maxtime: NOW + HOUR, limit: 50 }).events;
    expect(tm.find((e) => country.trustMonitorKeys.includes(e.sekey))?.surfaced_auth?.txid).toBe(n?.txid);
  });

  it('impossible travel: home, then a far country minutes later, from addresses GeoIP can place', () => {
    const { t, later } = world();
    const r = t.inject({ kind: 'impossible_travel', country: 'Vietnam', minutes: 7 });
    later(HOUR);
    const [home, far] = trail(t, r, NOW + HOUR).auth;
    expect(home).toMatchObject({ result: 'success', user: { key: r.userId } });
    expect(far).toMatchObject({ result: 'success', user: { key: r.userId } });
    expect(far?.access_device.location.country).toBe('Vietnam');
    expect(home?.access_device.location.country).not.toBe('Vietnam');
    expect((far?.timestamp ?? 0) - (home?.timestamp ?? 0)).toBe(7 * 60);
    expect(far?.access_device.ip).toBe(FOREIGN_PLACES.find((p) => p.loc.country === 'Vietnam')?.anchorIp);
  });

  it('scenarios are spread across the protected applications', () => {
    const { t, later } = world();
    const results = Array.from({ length: 12 }, () => t.inject({ kind: 'fraud' }));
    later(HOUR);
    const apps = new Set(results.map((r) => trail(t, r, NOW + HOUR).auth[0]?.application.name));
    expect(apps.size).toBeGreaterThan(2);
  });

  it('a user put in bypass: status change, user_update row, bypass_user auth, trust-monitor event', () => {
    const { t, later } = world();
    const r = t.inject({ kind: 'user_to_bypass' });
    later(HOUR);
    expect(t.user(r.userId ?? '')?.status).toBe('bypass');
    const { auth, admin } = trail(t, r, NOW + HOUR);
    expect(admin).toHaveLength(1);
    expect(admin[0]?.action).toBe('user_update');
    expect(JSON.parse(admin[0]?.description ?? '{}')).toEqual({ status: 'Bypass' });
    expect(admin[0]?.description).toBe('{"status": "Bypass"}');
    expect(auth[0]).toMatchObject({ result: 'success', reason: 'bypass_user' });
    const tm = t.trustMonitor({ mintime: NOW, maxtime: NOW + HOUR, limit: 50 }).events;
    expect(tm.find((e) => r.trustMonitorKeys.includes(e.sekey))?.type).toBe('bypass_status');
    expect(t.preauth({ user_id: r.userId ?? '' })).toMatchObject({ result: 'allow' });
  });

  it('admin actions: bypass_create, user_delete, admin_create, integration_skey_view', () => {
    const { t, later } = world();
    const admins = t.admins().length;
    const results = (['bypass_create', 'user_delete', 'admin_create', 'integration_skey_view'] as const).map(
      (action) => t.inject({ kind: 'admin_action', action }),
    );
    later(HOUR);
    const rows = t.adminLog(NOW / 1000, 1000, (NOW + HOUR) / 1000).filter((r) => r.timestamp >= NOW / 1000);
    for (const action of ['bypass_create', 'user_delete', 'admin_create', 'integration_skey_view'])
      expect(
        rows.filter((r) => r.action === action && r.username === t.admins()[0]?.name).length,
      ).toBeGreaterThanOrEqual(1);
    const bypass = rows.find((r) => r.action === 'bypass_create');
    expect(Object.keys(JSON.parse(bypass?.description ?? '{}') as object).sort()).toEqual([
      'auto_generated',
      'bypass',
      'bypass_code_ids',
      'count',
      'remaining_uses',
      'user_id',
      'valid_secs',
    ]);
    expect(t.user(results[1]?.userId ?? '')?.status).toBe('pending deletion');
    expect(t.admins()).toHaveLength(admins + 1);
  });

  it('remembered-device abuse and telephony fraud', () => {
    const { t, later } = world();
    const rd = t.inject({ kind: 'remembered_device_abuse', count: 25 });
    const tel = t.inject({ kind: 'telephony_fraud', count: 30 });
    later(12 * HOUR);
    const auth = trail(t, rd, NOW + 12 * HOUR).auth;
    expect(auth).toHaveLength(25);
    expect(auth.every((e) => e.factor === 'remembered_device' && e.reason === 'remembered_device')).toBe(
      true,
    );
    expect(new Set(auth.map((e) => e.access_device.location.country)).size).toBe(2);
    const items = t
      .telephonyLog({ mintime: NOW, maxtime: NOW + 12 * HOUR, limit: 1000, sort: 'ts:asc' })
      .items.filter((i) => tel.telephonyIds.includes(i.telephony_id));
    expect(items).toHaveLength(30);
    expect(new Set(items.map((i) => i.phone)).size).toBeGreaterThan(25);
    const last = items[items.length - 1]?.ts ?? '';
    expect(Date.parse(last) - NOW).toBeLessThan(HOUR);
  });

  it('scenarios run forward from now, so nothing lands behind a reader that is already caught up', () => {
    const { t } = world();
    const r = t.inject({ kind: 'push_fatigue' });
    expect(
      t
        .authLog({ mintime: NOW - HOUR, maxtime: NOW - 1, limit: 1000, sort: 'ts:asc' })
        .events.some((e) => r.authTxids.includes(e.txid)),
    ).toBe(false);
  });
});
