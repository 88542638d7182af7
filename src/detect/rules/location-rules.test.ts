import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../engine.js';
import { openGeo, type GeoLookup } from '../geo.js';
import { auth, DAY_MS, history, HOUR_MS, MIN, only, run, T0 } from '../test-events.test-helpers.js';

// Real addresses from the offline GeoLite2-based database: London (GB), Wichita area (US), Sydney (AU).
const LONDON = '81.2.69.142';
const US = '8.8.4.4';

let geo: GeoLookup;
beforeAll(async () => {
  geo = await openGeo();
});

describe('duo.new_ip and duo.new_country (baseline excludes the window tested)', () => {
  it('fires on a first-seen IP and country after ≥ 3 days of history', async () => {
    const events = [...history(5), auth(T0, { ip: '5.31.1.1', country: 'Russia', city: 'Moscow' })];
    const alerts = await run(events);
    expect(only(alerts, 'duo.new_ip')).toHaveLength(1);
    expect(only(alerts, 'duo.new_country')[0]?.severity).toBe('medium');
  });
  it('does not fire with less than 3 days of history', async () => {
    const events = [...history(2), auth(T0, { ip: '5.31.1.1', country: 'Russia' })];
    const alerts = await run(events);
    expect(only(alerts, 'duo.new_ip')).toEqual([]);
    expect(only(alerts, 'duo.new_country')).toEqual([]);
  });
  it('does not fire for a known IP and country, nor a denied login, nor a trusted network', async () => {
    const events = [
      ...history(5),
      auth(T0),
      auth(T0, { ip: '5.31.1.1', country: 'Russia', result: 'denied', reason: 'user_mistake' }),
      auth(T0 + MIN, { ip: '10.8.0.7', country: null }),
    ];
    const alerts = await run(events, {
      config: { enabled: true, rules: {}, allow: { trustedNetworks: ['10.0.0.0/8'] }, orgs: {} },
    });
    expect(only(alerts, 'duo.new_ip')).toEqual([]);
    expect(only(alerts, 'duo.new_country')).toEqual([]);
  });
  it('an IP seen only inside the tested hour is still new (the window is not its own baseline)', async () => {
    const events = [
      ...history(5),
      auth(T0, { ip: '5.31.1.1', country: 'Russia' }),
      auth(T0 + 30 * MIN, { ip: '5.31.1.1', country: 'Russia' }),
    ];
    expect(only(await run(events), 'duo.new_ip')[0]?.count).toBe(2);
  });
  it('an IP last seen more than 14 days ago is new again', async () => {
    const again = auth(T0, { ip: '203.0.113.9' });
    const events = [
      ...history(30, {}, T0 - 20 * DAY_MS),
      auth(T0 - 25 * DAY_MS, { ip: '203.0.113.9' }),
      ...history(5),
      again,
    ];
    const alerts = only(await run(events), 'duo.new_ip');
    expect(alerts.filter((a) => a.events.includes(again.id))).toHaveLength(1);
  });
});

describe('duo.impossible_travel (≥ 500 km at ≥ 800 km/h, offline GeoIP)', () => {
  it('fires for London then the US 30 minutes later, with distance and speed', async () => {
    const events = [auth(T0, { ip: LONDON }), auth(T0 + 30 * MIN, { ip: US, country: 'United States' })];
    const [alert] = only(await run(events, { geo }), 'duo.impossible_travel');
    expect(alert?.events).toEqual(events.map((e) => e.id));
  });
  it('does not fire when the flight time is plausible, nor without coordinates', async () => {
    const slow = [auth(T0, { ip: LONDON }), auth(T0 + 12 * HOUR_MS, { ip: US })];
    expect(only(await run(slow, { geo }), 'duo.impossible_travel')).toEqual([]);
    const privateIp = [auth(T0, { ip: LONDON }), auth(T0 + MIN, { ip: '192.168.1.10' })];
    expect(only(await run(privateIp, { geo }), 'duo.impossible_travel')).toEqual([]);
  });
  it('does not fire when Duo places both logins in the same city (GeoIP misplacing an address)', async () => {
    const events = [auth(T0, { ip: LONDON }), auth(T0 + 30 * MIN, { ip: US })]; // Duo says London both times
    expect(only(await run(events, { geo }), 'duo.impossible_travel')).toEqual([]);
  });
  it('honours minKm / minKmh from the configuration', async () => {
    const events = [auth(T0, { ip: LONDON }), auth(T0 + 30 * MIN, { ip: US })];
    const alerts = await run(events, {
      geo,
      config: {
        enabled: true,
        rules: { 'duo.impossible_travel': { params: { minKmh: 20_000 } } },
        allow: {},
        orgs: {},
      },
    });
    expect(only(alerts, 'duo.impossible_travel')).toEqual([]);
  });
  it('a traveller on the VPN does not jump to the egress and back (trusted networks teach no location)', async () => {
    const vpn = { ip: US, country: 'United States', city: 'Wichita' };
    const events = [
      auth(T0, { ip: LONDON }),
      auth(T0 + 10 * MIN, vpn), // through the VPN egress
      auth(T0 + 20 * MIN, { ip: LONDON }), // back on the hotel network
    ];
    const trusted = { enabled: true, rules: {}, allow: { trustedNetworks: ['8.8.4.0/24'] }, orgs: {} };
    expect(only(await run(events, { geo, config: trusted }), 'duo.impossible_travel')).toEqual([]);
    // Without the allow-list the same logins are two jumps, one alert folded.
    expect(only(await run(events, { geo }), 'duo.impossible_travel')).toHaveLength(1);
  });
});

describe('duo.remembered_device_excessive (sliding 24 h, cap and own baseline)', () => {
  const rd = (ts: number) => auth(ts, { factor: 'remembered_device', reason: 'remembered_device' });
  it('fires at 30 in 24 h for a user whose busiest day was 5', async () => {
    const past = [3, 2, 1].flatMap((d) =>
      Array.from({ length: 5 }, (_, i) => rd(T0 - d * DAY_MS + i * HOUR_MS)),
    );
    const burst = Array.from({ length: 30 }, (_, i) => rd(T0 + i * 20 * MIN));
    expect(only(await run([...past, ...burst]), 'duo.remembered_device_excessive')).toHaveLength(1);
  });
  it('does not fire for a user whose normal day is that busy, nor for 29', async () => {
    const past = [4, 3, 2].flatMap((d) =>
      Array.from({ length: 20 }, (_, i) => rd(T0 - d * DAY_MS + i * MIN)),
    );
    const burst = Array.from({ length: 30 }, (_, i) => rd(T0 + i * 20 * MIN));
    expect(only(await run([...past, ...burst]), 'duo.remembered_device_excessive')).toEqual([]);
    expect(only(await run(burst.slice(1)), 'duo.remembered_device_excessive')).toEqual([]);
  });
  it('counts across a midnight boundary (a daily bin would split 15 + 15)', async () => {
    const midnight = Date.parse('2026-03-03T00:00:00Z');
    const burst = Array.from({ length: 30 }, (_, i) => rd(midnight - 15 * 10 * MIN + i * 10 * MIN));
    expect(only(await run(burst), 'duo.remembered_device_excessive')).toHaveLength(1);
  });
});

describe('duo.remembered_device_new_location', () => {
  it('fires on a remembered-device success from a new IP and country', async () => {
    const events = [
      ...history(5),
      auth(T0, { factor: 'remembered_device', ip: '5.31.1.1', country: 'Russia' }),
    ];
    expect(only(await run(events), 'duo.remembered_device_new_location')).toHaveLength(1);
  });
  it('does not fire from a known country or for a push', async () => {
    const events = [
      ...history(5),
      auth(T0, { factor: 'remembered_device', ip: '81.2.69.200' }),
      auth(T0, { user: 'alice', ip: '5.31.1.1', country: 'Russia' }),
    ];
    expect(only(await run(events), 'duo.remembered_device_new_location')).toEqual([]);
  });
  it('does not fire from a new private address Duo cannot place (an on-premises workstation)', async () => {
    const events = [
      ...history(5),
      auth(T0, { factor: 'remembered_device', ip: '10.44.1.9', country: null, city: null }),
    ];
    expect(only(await run(events), 'duo.remembered_device_new_location')).toEqual([]);
  });
});

describe('organization places: shared addresses and company travel destinations', () => {
  const SHARED = '198.51.100.7'; // a carrier's NAT address or the office egress
  /** `n` colleagues who logged in from `o` every day for 5 days before `end`. */
  const colleagues = (n: number, o: Parameters<typeof auth>[1], end = T0) =>
    Array.from({ length: n }, (_, i) => history(5, { ...o, user: `colleague${i}` }, end)).flat();

  it('duo.new_ip: an address 3 colleagues passed MFA from is not new; with 2 it is', async () => {
    const mine = auth(T0, { ip: SHARED });
    const shared = await run([...history(5), ...colleagues(3, { ip: SHARED }), mine]);
    expect(only(shared, 'duo.new_ip').filter((a) => a.events.includes(mine.id))).toEqual([]);
    const fewer = await run([...history(5), ...colleagues(2, { ip: SHARED }), mine]);
    expect(only(fewer, 'duo.new_ip').filter((a) => a.events.includes(mine.id))).toHaveLength(1);
  });
  it('duo.new_ip: colleagues count only when the company first saw the address before the tested hour', async () => {
    // Three accounts logging in from one fresh address within the hour make it no less new (window edge).
    const fresh = [0, 1, 2].map((i) => auth(T0 - 59 * MIN + i * MIN, { user: `colleague${i}`, ip: SHARED }));
    const mine = auth(T0, { ip: SHARED });
    const alerts = await run([...history(5), ...fresh, mine]);
    expect(only(alerts, 'duo.new_ip').filter((a) => a.events.includes(mine.id))).toHaveLength(1);
    const hourOld = [0, 1, 2].map((i) => auth(T0 - HOUR_MS + i * MIN, { user: `colleague${i}`, ip: SHARED }));
    const quiet = await run([...history(5), ...hourOld, mine]);
    // The first colleague came exactly an hour before: the address is known, three colleagues used it.
    expect(only(quiet, 'duo.new_ip').filter((a) => a.events.includes(mine.id))).toEqual([]);
  });
  it('duo.new_ip: colleagues last seen there more than 14 days ago do not count', async () => {
    const mine = auth(T0, { ip: SHARED });
    const old = colleagues(3, { ip: SHARED }, T0 - 15 * DAY_MS);
    const alerts = await run([...old, ...history(5), mine]);
    expect(only(alerts, 'duo.new_ip').filter((a) => a.events.includes(mine.id))).toHaveLength(1);
  });
  it('duo.new_ip: logins without MFA (bypass) vouch for no address', async () => {
    const mine = auth(T0, { ip: SHARED });
    const bypass = colleagues(3, { ip: SHARED, reason: 'bypass_user', factor: null });
    const alerts = await run([...history(5), ...bypass, mine]);
    expect(only(alerts, 'duo.new_ip').filter((a) => a.events.includes(mine.id))).toHaveLength(1);
  });
  it('duo.new_ip: a private address (an on-premises application) is not judged; a public one is', async () => {
    const inside = auth(T0, { ip: '10.20.30.40', country: null, city: null });
    const outside = auth(T0 + MIN, { ip: '203.0.113.80' });
    const alerts = only(await run([...history(5), inside, outside]), 'duo.new_ip');
    expect(alerts.map((a) => a.events)).toEqual([[outside.id]]);
  });
  it('duo.new_ip: one digest per organization for every user, the count and the users kept', async () => {
    const events = [
      ...history(5, { user: 'a' }),
      ...history(5, { user: 'b' }),
      auth(T0, { user: 'a', ip: '203.0.113.1' }),
      auth(T0 + HOUR_MS, { user: 'b', ip: '203.0.113.2' }),
    ];
    const alerts = only(await run(events), 'duo.new_ip');
    expect(alerts.map((a) => [a.entity, a.count])).toEqual([['acme', 2]]);
    const dets = (await createEngine().process(events)).filter((d) => d.rule === 'duo.new_ip');
    expect(dets.at(-1)?.fields).toMatchObject({ users: 2, entities: ['a', 'b'], user: 'b', digest: true });
  });
  it('duo.new_country: medium for a country new to the company; low, in a digest, where 2 colleagues logged in', async () => {
    const paris = { ip: '90.151.81.186', country: 'France', city: 'Paris' };
    const mine = auth(T0, { ...paris });
    const destination = await run([...history(5), ...colleagues(2, paris), mine]);
    expect(only(destination, 'duo.new_country').map((a) => [a.entity, a.severity, a.events])).toEqual([
      ['acme', 'low', [mine.id]],
    ]);
    const once = await run([...history(5), ...colleagues(1, paris), mine]);
    expect(only(once, 'duo.new_country').map((a) => [a.entity, a.severity])).toEqual([['alice', 'medium']]);
    const viaBypass = await run([
      ...history(5),
      ...colleagues(2, { ...paris, reason: 'bypass_user', factor: null }),
      mine,
    ]);
    expect(only(viaBypass, 'duo.new_country').map((a) => a.severity)).toEqual(['medium']);
  });
});
