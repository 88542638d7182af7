import { describe, expect, it } from 'vitest';
import { HOTP, Secret } from 'otpauth';
import {
  createClock,
  createTenant,
  isWorldError,
  parseTenantFixture,
  PUSH_TIMEOUT_MS,
  type AuthResult,
  type Tenant,
  type WorldError,
} from './index.js';
import { seededBase32 } from './prng.js';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const flush = () => new Promise((r) => setImmediate(r));

const FIXTURE = `
settings: {lockout_threshold: 3}
users:
  - {username: alice, factors: [push]}
  - {username: bob, factors: [push], behaviour: {kind: deny, afterS: 4}}
  - {username: carol, factors: [push], behaviour: {kind: ignore}}
  - {username: dave, factors: [push], behaviour: {kind: fraud, afterS: 1}}
  - {username: erin, factors: [hardware_token]}
  - {username: frank, status: bypass, factors: [push]}
  - {username: gina, status: disabled, factors: [push]}
  - {username: hank, status: locked out, factors: [push]}
  - {username: ivan, factors: []}
  - {username: judy, factors: [sms]}
  - {username: kim, factors: [landline]}
`;

function world(extra = '') {
  const clock = createClock({ realNow: () => NOW });
  const fixture = parseTenantFixture(FIXTURE + extra, 'yaml');
  const t = createTenant(
    { hostname: 'api-auth.duosecurity.com', seed: 'auth', users: 0, now: NOW, fixture },
    clock,
  );
  return { clock, t };
}

function lastAuth(t: Tenant, now: number) {
  const page = t.authLog({ mintime: NOW - 1000, maxtime: now, limit: 1, sort: 'ts:desc' });
  return page.events[0];
}

describe('preauth', () => {
  const { t } = world();
  it('answers per user state', () => {
    const r = t.preauth({ username: 'alice' });
    expect(r).toMatchObject({ result: 'auth' });
    if (isWorldError(r) || r.devices === undefined) throw new Error('no devices');
    expect(r.devices[0]?.capabilities).toEqual(['auto', 'push', 'sms', 'phone', 'mobile_otp']);
    expect(r.devices[0]?.device).toMatch(/^DP[A-Z0-9]{18}$/);
    expect(r.devices[0]?.type).toBe('phone');
    expect(t.preauth({ username: 'erin' })).toMatchObject({ result: 'auth', devices: [{ type: 'token' }] });
    expect(t.preauth({ username: 'frank' })).toMatchObject({ result: 'allow' });
    expect(t.preauth({ username: 'gina' })).toMatchObject({ result: 'deny' });
    expect(t.preauth({ username: 'hank' })).toMatchObject({ result: 'deny' });
    expect(t.preauth({ username: 'ivan' })).toMatchObject({ result: 'enroll' });
    const unknown = t.preauth({ username: 'nobody' });
    expect(unknown).toMatchObject({ result: 'enroll' });
    expect((unknown as { enroll_portal_url: string }).enroll_portal_url).toMatch(
      /^https:\/\/api-auth\.duosecurity\.com\/portal\?/,
    );
    expect(t.preauth({ user_id: t.userByName('alice')?.user_id ?? '' })).toMatchObject({ result: 'auth' });
    expect(t.preauth({})).toEqual({
      error: { status: 400, code: 40001, message: 'Missing required request parameters', detail: 'username' },
    });
  });

  it('follows the new-user and authentication policies', () => {
    const deny = world('policies: {global: {new_user_behavior: deny}}\n').t;
    expect(deny.preauth({ username: 'nobody' })).toMatchObject({ result: 'deny' });
    const open = world('policies: {global: {new_user_behavior: no-mfa}}\n').t;
    expect(open.preauth({ username: 'nobody' })).toMatchObject({ result: 'allow' });
    const bypass = world('policies: {global: {authentication_policy: bypass}}\n').t;
    expect(bypass.preauth({ username: 'alice' })).toMatchObject({ result: 'allow' });
    const closed = world('policies: {global: {authentication_policy: deny}}\n').t;
    expect(closed.preauth({ username: 'frank' })).toMatchObject({ result: 'deny' });
  });
});

describe('auth with simulated users on a fake clock', () => {
  it('push approved after N seconds resolves exactly when the clock is advanced', async () => {
    const { t, clock } = world();
    t.setUserBehaviour('alice', { kind: 'approve', afterS: 5 });
    let result: AuthResult | WorldError | undefined;
    const p = t
      .auth({
        username: 'alice',
        factor: 'push',
        device: 'auto',
        ipaddr: '198.51.100.7',
        hostname: 'laptop-7',
      })
      .then((r) => (result = r));
    clock.advance(4999);
    await flush();
    expect(result).toBeUndefined();
    clock.advance(1);
    await p;
    expect(result).toEqual({ result: 'allow', status: 'allow', status_msg: 'Success. Logging you in...' });
    const e = lastAuth(t, clock.now());
    expect(e).toMatchObject({
      result: 'success',
      reason: 'user_approved',
      factor: 'duo_push',
      user: { name: 'alice' },
    });
    expect(e?.timestamp).toBe(Math.floor((NOW + 5000) / 1000));
    // Duo logs the caller's ipaddr/hostname and the Auth API application that asked.
    const authApp = t.applications().find((a) => a.kind === 'auth');
    expect(e?.access_device.ip).toBe('198.51.100.7');
    expect(e?.access_device.hostname).toBe('laptop-7');
    expect(e?.access_device.browser).toBeNull();
    expect(e?.application).toEqual({ key: authApp?.ikey, name: authApp?.name });
    expect(t.userByName('alice')?.last_login).toBe(Math.floor((NOW + 5000) / 1000));
  });

  it('deny, timeout and fraud end as Duo says and are logged', async () => {
    const { t, clock } = world();
    const bob = t.auth({ username: 'bob', factor: 'push', device: 'auto' });
    clock.advance(4000);
    expect(await bob).toMatchObject({ result: 'deny', status: 'deny' });
    expect(lastAuth(t, clock.now())).toMatchObject({
      result: 'denied',
      reason: 'user_mistake',
      factor: 'duo_push',
    });

    const carol = t.auth({ username: 'carol', factor: 'push', device: 'auto' });
    clock.advance(PUSH_TIMEOUT_MS - 1);
    await flush();
    clock.advance(1);
    expect(await carol).toMatchObject({ result: 'deny', status: 'timeout' });
    expect(lastAuth(t, clock.now())).toMatchObject({ result: 'denied', reason: 'no_response' });

    const dave = t.auth({ username: 'dave', factor: 'auto', device: 'auto' });
    clock.advance(1000);
    expect(await dave).toMatchObject({ result: 'deny', status: 'fraud' });
    expect(lastAuth(t, clock.now())).toMatchObject({
      result: 'fraud',
      reason: 'user_marked_fraud',
      factor: 'duo_push',
    });
  });

  it('async auth and auth_status long-poll wake on the state change', async () => {
    const { t, clock } = world();
    t.setUserBehaviour('alice', { kind: 'approve', afterS: 10 });
    const started = t.authAsync({ username: 'alice', factor: 'push', device: 'auto', async: '1' });
    if (isWorldError(started)) throw new Error('async failed');
    expect(await t.authStatus(started.txid, { waitMs: 0 })).toMatchObject({
      result: 'waiting',
      status: 'pushed',
      auth_delayed: false,
    });
    // A poll holding for 30 s returns at 10 s, when the user answers.
    let polled: unknown;
    const poll = t.authStatus(started.txid, { waitMs: 30_000 }).then((r) => (polled = r));
    clock.advance(9_000);
    await flush();
    expect(polled).toBeUndefined();
    clock.advance(1_000);
    await poll;
    expect(polled).toMatchObject({ result: 'allow', status: 'allow' });
    // A poll on a still-waiting transaction returns "waiting" when its wait ends.
    t.setUserBehaviour('alice', { kind: 'ignore' });
    const again = t.authAsync({ username: 'alice', factor: 'push', device: 'auto' });
    if (isWorldError(again)) throw new Error('async failed');
    const waitEnd = t.authStatus(again.txid, { waitMs: 5_000 });
    clock.advance(5_000);
    expect(await waitEnd).toMatchObject({ result: 'waiting' });
    expect(await t.authStatus('nope')).toMatchObject({ error: { code: 40002 } });
    // The first poll of a new push answers at once with the state it has not reported yet (waiting/pushed);
    // after that, without waitMs, a poll holds until the transaction ends (here: the 60 s push timeout).
    const third = t.authAsync({ username: 'alice', factor: 'push', device: 'auto' });
    if (isWorldError(third)) throw new Error('async failed');
    expect(await t.authStatus(third.txid)).toMatchObject({ result: 'waiting', status: 'pushed' });
    let held: unknown;
    const hold = t.authStatus(third.txid).then((r) => (held = r));
    clock.advance(PUSH_TIMEOUT_MS - 1);
    await flush();
    expect(held).toBeUndefined();
    clock.advance(1);
    await hold;
    expect(held).toMatchObject({ result: 'deny', status: 'timeout' });
  });

  it('phone calls and SMS leave telephony rows; sms answers "sent"; no capable device is 40002', async () => {
    const { t, clock } = world();
    const call = t.auth({ username: 'kim', factor: 'phone', device: 'auto' });
    clock.advance(3000);
    expect(await call).toMatchObject({ result: 'allow' });
    expect(lastAuth(t, clock.now())).toMatchObject({ factor: 'phone_call', result: 'success' });
    const sms = await t.auth({ username: 'judy', factor: 'sms', device: 'auto' });
    expect(sms).toEqual({ result: 'deny', status: 'sent', status_msg: 'New SMS passcodes sent.' });
    const tel = t.telephonyLog({ mintime: NOW, maxtime: clock.now(), limit: 10, sort: 'ts:asc' });
    expect(tel.items.map((i) => i.type)).toEqual(['phone', 'sms']);
    expect(await t.auth({ username: 'kim', factor: 'push', device: 'auto' })).toEqual({
      error: { status: 400, code: 40002, message: 'Invalid request parameters', detail: 'no capable device' },
    });
    expect(await t.auth({ username: 'alice', factor: 'push' })).toMatchObject({ error: { code: 40001 } });
    expect(await t.auth({ username: 'alice', factor: 'carrier' })).toMatchObject({ error: { code: 40002 } });
  });

  it('verifies hardware-token and Duo Mobile passcodes once each (HOTP), and locks out after failures', async () => {
    const { t, clock } = world();
    const code = t.validPasscode('erin');
    expect(code).toMatch(/^\d{6}$/);
    clock.advance(1000); // distinct timestamps, so "last" is unambiguous
    expect(await t.auth({ username: 'erin', factor: 'passcode', passcode: code ?? '' })).toMatchObject({
      result: 'allow',
    });
    expect(lastAuth(t, clock.now())).toMatchObject({
      result: 'success',
      reason: 'valid_passcode',
      factor: 'hardware_token',
    });
    clock.advance(1000); // distinct timestamps, so "last" is unambiguous
    expect(await t.auth({ username: 'erin', factor: 'passcode', passcode: code ?? '' })).toMatchObject({
      result: 'deny',
    });
    expect(lastAuth(t, clock.now())).toMatchObject({
      result: 'failure',
      reason: 'invalid_passcode',
      factor: 'passcode',
    });
    // An independent HOTP computation agrees with the emulator (otpauth, RFC 4226); the next code works.
    const next = t.validPasscode('erin');
    expect(next).not.toBe(code);
    const erinId = t.userByName('erin')?.user_id ?? '';
    const secret = Secret.fromBase32(seededBase32(20, `${erinId}:hardware_token`));
    expect(code).toBe(new HOTP({ secret }).generate({ counter: 0 }));
    expect(next).toBe(new HOTP({ secret }).generate({ counter: 1 }));
    clock.advance(1000); // distinct timestamps, so "last" is unambiguous
    expect(await t.auth({ username: 'erin', factor: 'passcode', passcode: next ?? '' })).toMatchObject({
      result: 'allow',
    });
    const mobile = t.validPasscode('alice');
    clock.advance(1000); // distinct timestamps, so "last" is unambiguous
    expect(await t.auth({ username: 'alice', factor: 'passcode', passcode: mobile ?? '' })).toMatchObject({
      result: 'allow',
    });
    expect(lastAuth(t, clock.now())).toMatchObject({ factor: 'duo_mobile_passcode' });
    for (let i = 0; i < 3; i++) await t.auth({ username: 'alice', factor: 'passcode', passcode: '000000' });
    expect(t.userByName('alice')?.status).toBe('locked out');
    expect(t.preauth({ username: 'alice' })).toMatchObject({ result: 'deny' });
  });

  it('bypass codes work for their reuse count; bypass users are allowed and logged as bypass_user', async () => {
    const { t, clock } = world();
    const code = t.createBypassCode('alice', { reuseCount: 1 });
    clock.advance(1000); // distinct timestamps, so "last" is unambiguous
    expect(await t.auth({ username: 'alice', factor: 'passcode', passcode: code })).toMatchObject({
      result: 'allow',
    });
    expect(lastAuth(t, clock.now())).toMatchObject({ factor: 'bypass_code', result: 'success' });
    clock.advance(1000); // distinct timestamps, so "last" is unambiguous
    expect(await t.auth({ username: 'alice', factor: 'passcode', passcode: code })).toMatchObject({
      result: 'deny',
    });
    expect(t.bypassCodes(t.userByName('alice')?.user_id)).toHaveLength(0);
    clock.advance(1000); // distinct timestamps, so "last" is unambiguous
    expect(await t.auth({ username: 'frank', factor: 'push', device: 'auto' })).toMatchObject({
      result: 'allow',
    });
    expect(lastAuth(t, clock.now())).toMatchObject({ reason: 'bypass_user', result: 'success' });
    clock.advance(1000); // distinct timestamps, so "last" is unambiguous
    expect(await t.auth({ username: 'gina', factor: 'push', device: 'auto' })).toMatchObject({
      result: 'deny',
    });
    expect(lastAuth(t, clock.now())).toMatchObject({ reason: 'user_disabled', result: 'denied' });
    const admin = t.adminLog(Math.floor(NOW / 1000), 1000, Math.floor(clock.now() / 1000));
    expect(
      admin.some(
        (r) =>
          r.action === 'bypass_create' &&
          (JSON.parse(r.description) as { user_id?: string }).user_id === t.userByName('alice')?.user_id,
      ),
    ).toBe(true);
  });

  it('a sync auth can be aborted', async () => {
    const { t } = world();
    const ac = new AbortController();
    const p = t.auth({ username: 'carol', factor: 'push', device: 'auto' }, { signal: ac.signal });
    ac.abort(new Error('client gone'));
    await expect(p).rejects.toThrow('client gone');
  });

  it('enroll creates an unenrolled user; enroll_status turns success when the simulated user activates', () => {
    const { t, clock } = world();
    const e = t.enroll({ username: 'newbie' });
    if (isWorldError(e)) throw new Error('enroll failed');
    expect(e.user_id).toMatch(/^DU[A-Z0-9]{18}$/);
    expect(e.activation_code).toMatch(/^duo:\/\//);
    expect(t.userByName('newbie')?.is_enrolled).toBe(false);
    expect(t.enrollStatus({ user_id: e.user_id, activation_code: e.activation_code })).toBe('waiting');
    clock.advance(3000);
    expect(t.enrollStatus({ user_id: e.user_id, activation_code: e.activation_code })).toBe('success');
    expect(t.userByName('newbie')?.is_enrolled).toBe(true);
    expect(t.enrollStatus({ user_id: e.user_id, activation_code: 'duo://wrong' })).toBe('invalid');
    expect(t.enroll({ username: 'alice' })).toMatchObject({ error: { code: 40002 } });
  });
});
