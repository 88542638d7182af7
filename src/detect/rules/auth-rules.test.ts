import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine.js';
import { auth, DAY_MS, history, HOUR_MS, MIN, only, run, rulesOf, T0 } from '../test-events.test-helpers.js';

const denial = (ts: number, reason = 'no_response', user = 'alice') =>
  auth(ts, { user, result: 'denied', reason, factor: 'duo_push' });

describe('duo.fraud', () => {
  it('fires on a fraud result, case-insensitively, and folds repeats within 15 minutes', async () => {
    const alerts = await run([
      auth(T0, { result: 'FRAUD', reason: 'user_marked_fraud' }),
      auth(T0 + 14 * MIN, { result: 'fraud', reason: 'user_marked_fraud' }),
      auth(T0 + 15 * MIN, { result: 'fraud', reason: 'user_marked_fraud' }),
    ]);
    const fraud = only(alerts, 'duo.fraud');
    expect(fraud.map((a) => a.count)).toEqual([2, 1]);
    expect(fraud[0]?.severity).toBe('high');
  });
  it('does not fire on denied or success', async () => {
    expect(
      only(await run([auth(T0, { result: 'denied', reason: 'user_mistake' }), auth(T0)]), 'duo.fraud'),
    ).toEqual([]);
  });
});

describe('duo.mfa_fatigue (sliding 10 min, ≥ 5 denials)', () => {
  it('fires at the fifth denial inside 10 minutes with the five event ids', async () => {
    const events = [0, 1, 2, 3, 4].map((i) =>
      denial(T0 + i * MIN, i % 2 === 0 ? 'no_response' : 'user_mistake'),
    );
    const [alert] = only(await run(events), 'duo.mfa_fatigue');
    expect(alert?.events).toEqual(events.map((e) => e.id));
    expect(alert?.first_seen).toBe(new Date(T0 + 4 * MIN).toISOString());
  });
  it('does not fire for four denials, nor for five spread over more than 10 minutes (window edge)', async () => {
    expect(only(await run([0, 1, 2, 3].map((i) => denial(T0 + i * MIN))), 'duo.mfa_fatigue')).toEqual([]);
    // 0, 2.5, 5, 7.5, 10 minutes: the first falls out exactly when the fifth arrives.
    const edge = [0, 2.5, 5, 7.5, 10].map((m) => denial(T0 + m * MIN));
    expect(only(await run(edge), 'duo.mfa_fatigue')).toEqual([]);
    const inside = [0, 2.5, 5, 7.5, 9.99].map((m) => denial(T0 + m * MIN));
    expect(only(await run(inside), 'duo.mfa_fatigue')).toHaveLength(1);
  });
  it('catches a burst that straddles a 10-minute bin boundary (a tumbling bin would see 3 + 2)', async () => {
    const bin = Date.parse('2026-03-02T12:10:00Z');
    const events = [-3, -2, -1, 1, 2].map((m) => denial(bin + m * MIN));
    expect(only(await run(events), 'duo.mfa_fatigue')).toHaveLength(1);
  });
  it('does not count denials that are not fatigue (policy, location, another user)', async () => {
    const events = [
      ...[0, 1, 2].map((i) => denial(T0 + i * MIN)),
      auth(T0 + 3 * MIN, { result: 'denied', reason: 'denied_by_policy', factor: null }),
      auth(T0 + 4 * MIN, { result: 'denied', reason: 'location_restricted', factor: null }),
      denial(T0 + 5 * MIN, 'no_response', 'bob'),
    ];
    expect(only(await run(events), 'duo.mfa_fatigue')).toEqual([]);
  });
});

describe('duo.mfa_fatigue_success', () => {
  it('is critical when a success follows five denials within 10 minutes', async () => {
    const events = [...[0, 1, 2, 3, 4].map((i) => denial(T0 + i * MIN)), auth(T0 + 6 * MIN)];
    const [alert] = only(await run(events), 'duo.mfa_fatigue_success');
    expect(alert?.severity).toBe('critical');
    expect(alert?.events).toHaveLength(6);
  });
  it('does not fire when the success comes after the burst left the window', async () => {
    const events = [...[0, 1, 2, 3, 4].map((i) => denial(T0 + i * MIN)), auth(T0 + 10 * MIN)];
    expect(only(await run(events), 'duo.mfa_fatigue_success')).toEqual([]);
  });
});

describe('duo.bypass_used (new or out-of-place bypass, not every login of a bypass account)', () => {
  const bypassStatus = (ts: number, o: Parameters<typeof auth>[1] = {}) =>
    auth(ts, { reason: 'bypass_user', factor: null, ...o });
  const code = (ts: number, o: Parameters<typeof auth>[1] = {}) =>
    auth(ts, { reason: 'valid_passcode', factor: 'bypass_code', ...o });

  it('fires when a user with MFA history is newly in bypass status, at the first such login only', async () => {
    const events = [
      ...history(5, { user: 'a' }),
      bypassStatus(T0, { user: 'a' }),
      bypassStatus(T0 + MIN, { user: 'a' }),
    ];
    const alerts = only(await run(events), 'duo.bypass_used');
    expect(alerts.map((x) => [x.entity, x.count])).toEqual([['a', 1]]);
  });
  it('does not fire, day after day, for an account in bypass status for weeks, from its usual places', async () => {
    const events = [
      ...history(20, { user: 'a', reason: 'bypass_user', factor: null }),
      bypassStatus(T0, { user: 'a' }),
    ];
    const alerts = only(await run(events), 'duo.bypass_used');
    expect(alerts.filter((x) => x.events.includes(events[events.length - 1]?.id ?? ''))).toEqual([]);
  });
  it('fires for a long-standing bypass account that logs in from a new country', async () => {
    const far = bypassStatus(T0, { user: 'a', ip: '5.31.1.1', country: 'Russia', city: 'Moscow' });
    const events = [...history(20, { user: 'a', reason: 'bypass_user', factor: null }), far];
    const alerts = only(await run(events), 'duo.bypass_used');
    expect(alerts.filter((x) => x.events.includes(far.id))).toHaveLength(1);
  });
  it('a long-standing bypass account in a company travel destination is medium; new to the company, high', async () => {
    // The business trip of a user the help desk left in bypass: colleagues passed MFA from Frankfurt this week.
    const frankfurt = { ip: '87.20.255.26', country: 'Germany', city: 'Frankfurt am Main' };
    const colleagues = [0, 1].flatMap((i) => history(5, { ...frankfurt, user: `colleague${i}` }));
    const trip = bypassStatus(T0, { user: 'a', ...frankfurt });
    const standing = history(20, { user: 'a', reason: 'bypass_user', factor: null });
    const travel = only(await run([...standing, ...colleagues, trip]), 'duo.bypass_used');
    expect(travel.map((x) => [x.entity, x.severity, x.events])).toEqual([['a', 'medium', [trip.id]]]);
    // One colleague is not a destination of the company (window: 2 other users in the 14-day baseline).
    const one = only(
      await run([...standing, ...history(5, { ...frankfurt, user: 'c0' }), trip]),
      'duo.bypass_used',
    );
    expect(one.map((x) => x.severity)).toEqual(['high']);
    // Colleagues who were there more than 14 days ago do not count either.
    const stale = [0, 1].flatMap((i) => history(5, { ...frankfurt, user: `old${i}` }, T0 - 15 * DAY_MS));
    const old = only(await run([...stale, ...standing, trip]), 'duo.bypass_used');
    expect(old.map((x) => x.severity)).toEqual(['high']);
  });
  it('a user newly in bypass status is high even in a company travel destination', async () => {
    const frankfurt = { ip: '87.20.255.26', country: 'Germany', city: 'Frankfurt am Main' };
    const colleagues = [0, 1].flatMap((i) => history(5, { ...frankfurt, user: `colleague${i}` }));
    const first = bypassStatus(T0, { user: 'a', ...frankfurt });
    const alerts = only(await run([...history(5, { user: 'a' }), ...colleagues, first]), 'duo.bypass_used');
    expect(alerts.map((x) => [x.entity, x.severity])).toEqual([['a', 'high']]);
  });
  it('fires on a bypass code from an address new for the user, or for a user without history', async () => {
    const away = code(T0, { user: 'a', ip: '203.0.113.50' });
    const fresh = code(T0, { user: 'b' });
    const abroad = code(T0, { user: 'c', ip: '5.31.1.1', country: 'Russia', city: 'Moscow' });
    const events = [...history(5, { user: 'a' }), ...history(5, { user: 'c' }), away, fresh, abroad];
    const alerts = only(await run(events), 'duo.bypass_used');
    // A new address in a known country is medium; no history or a new country is high.
    expect(alerts.map((x) => [x.entity, x.severity]).sort()).toEqual([
      ['a', 'medium'],
      ['b', 'high'],
      ['c', 'high'],
    ]);
  });
  it('does not fire on a bypass code from the company’s trusted networks (VPN egress, offices)', async () => {
    const alerts = await run([...history(5, { user: 'a' }), code(T0, { user: 'a', ip: '10.8.0.7' })], {
      config: { enabled: true, rules: {}, allow: { trustedNetworks: ['10.0.0.0/8'] }, orgs: {} },
    });
    expect(only(alerts, 'duo.bypass_used')).toEqual([]);
  });
  it('does not fire on a bypass code used from the user’s usual address (the help-desk case)', async () => {
    const alerts = await run([...history(5, { user: 'a' }), code(T0, { user: 'a' })]);
    expect(only(alerts, 'duo.bypass_used')).toEqual([]);
  });
  it('does not fire on a denied bypass code, nor for a listed service account', async () => {
    const alerts = await run(
      [
        auth(T0, { result: 'denied', reason: 'invalid_passcode', factor: 'bypass_code' }),
        code(T0, { user: 'svc-backup' }),
      ],
      { config: { enabled: true, rules: {}, allow: { serviceAccounts: ['svc-backup'] }, orgs: {} } },
    );
    expect(only(alerts, 'duo.bypass_used')).toEqual([]);
  });
});

describe('duo.anomalous_push_denied and duo.endpoint_trust_failure', () => {
  it('fire on their reasons', async () => {
    const alerts = await run([
      auth(T0, { result: 'denied', reason: 'anomalous_push' }),
      auth(T0, { user: 'bob', result: 'denied', reason: 'endpoint_is_not_trusted', factor: null }),
    ]);
    expect(rulesOf(alerts)).toContain('duo.anomalous_push_denied');
    expect(only(alerts, 'duo.endpoint_trust_failure').map((a) => a.entity)).toEqual(['bob']);
  });
  it('do not fire on other denials', async () => {
    const alerts = await run([auth(T0, { result: 'denied', reason: 'user_mistake' })]);
    expect(rulesOf(alerts)).not.toContain('duo.anomalous_push_denied');
    expect(rulesOf(alerts)).not.toContain('duo.endpoint_trust_failure');
  });
});

describe('duo.many_failures (> 10 per 10 min)', () => {
  const fail = (m: number) => auth(T0 + m * MIN, { result: 'failure', reason: 'error', factor: null });
  it('fires at the eleventh failure or denial in a sliding 10 minutes', async () => {
    const events = Array.from({ length: 11 }, (_, i) => fail(i * 0.5));
    expect(only(await run(events), 'duo.many_failures')).toHaveLength(1);
  });
  it('does not fire at ten, nor for eleven over 10 minutes or more', async () => {
    expect(only(await run(Array.from({ length: 10 }, (_, i) => fail(i * 0.5))), 'duo.many_failures')).toEqual(
      [],
    );
    expect(only(await run(Array.from({ length: 11 }, (_, i) => fail(i))), 'duo.many_failures')).toEqual([]);
  });
});

describe('duo.unexpected_factor', () => {
  it('fires on SMS and phone-call successes: one digest per organization and day, naming the users', async () => {
    const events = [
      auth(T0, { factor: 'sms_passcode', reason: 'valid_passcode' }),
      auth(T0 + HOUR_MS, { user: 'b', factor: 'phone_call' }),
      auth(T0 + 2 * HOUR_MS, { factor: 'sms_passcode', reason: 'valid_passcode' }),
    ];
    const alerts = only(await run(events), 'duo.unexpected_factor');
    expect(alerts.map((a) => [a.entity, a.count, a.severity, a.events])).toEqual([
      ['acme', 3, 'low', events.map((e) => e.id)],
    ]);
    const last = (await createEngine().process(events))
      .filter((d) => d.rule === 'duo.unexpected_factor')
      .pop();
    expect(last?.fields).toMatchObject({ users: 2, entities: ['alice', 'b'], user: 'alice' });
  });
  it('opens the next digest 24 h after the first detection, not before (window edge)', async () => {
    const events = [
      auth(T0, { factor: 'sms_passcode' }),
      auth(T0 + DAY_MS - 1, { user: 'b', factor: 'sms_passcode' }),
      auth(T0 + DAY_MS, { user: 'c', factor: 'sms_passcode' }),
    ];
    const alerts = only(await run(events), 'duo.unexpected_factor');
    expect(alerts.map((a) => a.count)).toEqual([2, 1]);
    // In one batch: the first digest's two firings are one detection standing for both (with the second's
    // users), the next digest's one another.
    const dets = (await createEngine().process(events)).filter((d) => d.rule === 'duo.unexpected_factor');
    expect(dets.map((d) => [d.count, d.fields['users']])).toEqual([
      [2, 2],
      [1, 1],
    ]);
  });
  it('with digest: 0 in the configuration, alerts per user as before', async () => {
    const alerts = await run(
      [auth(T0, { factor: 'sms_passcode' }), auth(T0, { user: 'b', factor: 'phone_call' })],
      {
        config: {
          enabled: true,
          rules: { 'duo.unexpected_factor': { params: { digest: 0 } } },
          allow: {},
          orgs: {},
        },
      },
    );
    expect(only(alerts, 'duo.unexpected_factor').map((a) => a.entity)).toEqual(['alice', 'b']);
  });
  it('does not fire on push, WebAuthn, remembered device, or a factor the organization allows', async () => {
    const events = [
      auth(T0),
      auth(T0, { factor: 'webauthn_credential' }),
      auth(T0, { factor: 'remembered_device' }),
      auth(T0, { user: 'c', factor: 'sms_passcode' }),
    ];
    const alerts = await run(events, {
      config: {
        enabled: true,
        rules: {},
        allow: {},
        orgs: { acme: { allow: { factors: ['sms_passcode'] } } },
      },
    });
    expect(only(alerts, 'duo.unexpected_factor')).toEqual([]);
  });
  it('does not fire on the phishing-resistant and app-bound factors as the auth log names them', async () => {
    // The values Duo writes in the auth log (docs/duo-wire.md), not the names other APIs use.
    const wire = [
      'duo_push',
      'verified_duo_push',
      'duo_mobile_passcode',
      'webauthn',
      'u2f_token',
      'yubikey_passcode',
      'hardware_token',
      'digipass_go_7_token',
    ];
    const alerts = await run(wire.map((factor, i) => auth(T0, { user: `u${i}`, factor })));
    expect(only(alerts, 'duo.unexpected_factor')).toEqual([]);
    const phishable = await run(
      ['sms_passcode', 'phone_call', 'sms_refresh'].map((factor, i) => auth(T0, { user: `p${i}`, factor })),
    );
    expect(only(phishable, 'duo.unexpected_factor').map((a) => a.count)).toEqual([3]);
  });
});
