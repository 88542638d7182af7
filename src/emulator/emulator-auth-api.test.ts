import { describe, expect, it } from 'vitest';
import { createClock } from './world/index.js';
import { createEmulator, type TenantCredentials } from './index.js';
import { signedCall, type KeyPair } from './signed-call.test-helpers.js';

const FIXED = Date.UTC(2026, 10, 22, 12, 0, 0);

async function setup() {
  const clock = createClock({ realNow: () => FIXED });
  const emu = await createEmulator({ seed: 'auth-seed', users: 30, clock, rateLimit: false });
  const t = emu.credentials()[0] as TenantCredentials;
  const call = (key: KeyPair, method: string, path: string, params: Record<string, string> = {}) =>
    signedCall(emu.app, key, method, path, params, { host: t.hostname, date: new Date(clock.now()) });
  const tenant = emu.world.tenant(t.hostname);
  const active = tenant
    .users()
    .find((u) => u.status === 'active' && u.phones.some((p) => p.capabilities.includes('push')));
  if (active === undefined) throw new Error('no active push user in the generated tenant');
  return { emu, clock, t, call, tenant, user: active };
}

const resp = (r: { json: () => unknown }): Record<string, unknown> =>
  (r.json() as { response: Record<string, unknown> }).response;

describe('Auth API v2 over the wire', () => {
  it('blocks a synchronous push until the simulated user approves, in emulator time', async () => {
    const { emu, clock, t, call, user } = await setup();
    emu.control.setUserBehaviour(t.hostname, user.username, { kind: 'approve', afterS: 5 });
    const pending = call(t.auth, 'POST', '/auth/v2/auth', {
      username: user.username,
      factor: 'push',
      device: 'auto',
    });
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    clock.advance(5_000);
    const r = await pending;
    expect(r.status).toBe(200);
    expect(resp(r)).toMatchObject({ result: 'allow' });
  });

  it('answers async auth with a txid and auth_status long-polls until the answer', async () => {
    const { emu, clock, t, call, user } = await setup();
    emu.control.setUserBehaviour(t.hostname, user.username, { kind: 'deny', afterS: 3 });
    const started = await call(t.auth, 'POST', '/auth/v2/auth', {
      username: user.username,
      factor: 'push',
      device: 'auto',
      async: '1',
    });
    const txid = resp(started)['txid'] as string;
    expect(txid).toMatch(/\S/);
    // The first poll reports the intermediate state at once, as Duo's published example shows.
    const first = resp(await call(t.auth, 'GET', '/auth/v2/auth_status', { txid }));
    expect(first).toMatchObject({ result: 'waiting', status: 'pushed', auth_delayed: false });
    // The next one really holds the request until the state changes.
    let settled = false;
    const poll = call(t.auth, 'GET', '/auth/v2/auth_status', { txid }).then((r) => {
      settled = true;
      return r;
    });
    clock.advance(2_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    clock.advance(1_000);
    expect(resp(await poll)).toMatchObject({ result: 'deny', status: 'deny' });
    // A finished transaction answers its final state at once, every time.
    const final = resp(await call(t.auth, 'GET', '/auth/v2/auth_status', { txid }));
    expect(final).toMatchObject({ result: 'deny', status: 'deny' });
  });

  it('verifies passcodes and bypass codes handed out by the control API', async () => {
    const { emu, t, call, user } = await setup();
    const control = (method: string, path: string, b?: unknown) =>
      emu.app.request(`https://x.example/_emulator${path}`, {
        method,
        headers: { Authorization: `Bearer ${emu.controlToken}` },
        ...(b === undefined ? {} : { body: JSON.stringify(b) }),
      });
    const pass = await control('GET', `/tenants/${t.hostname}/users/${user.username}/passcode`);
    // The chosen user has Duo Mobile (push), which also shows passcodes.
    expect(pass.status).toBe(200);
    const { passcode } = (await pass.json()) as { passcode: string };
    const ok = await call(t.auth, 'POST', '/auth/v2/auth', {
      username: user.username,
      factor: 'passcode',
      passcode,
    });
    expect(resp(ok)).toMatchObject({ result: 'allow' });
    const created = await control('POST', `/tenants/${t.hostname}/users/${user.username}/bypass_codes`, {});
    expect(created.status).toBe(201);
    const { bypass_code } = (await created.json()) as { bypass_code: string };
    const byp = await call(t.auth, 'POST', '/auth/v2/auth', {
      username: user.username,
      factor: 'passcode',
      passcode: bypass_code,
    });
    expect(resp(byp)).toMatchObject({ result: 'allow' });
    const wrong = await call(t.auth, 'POST', '/auth/v2/auth', {
      username: user.username,
      factor: 'passcode',
      passcode: '000000000',
    });
    expect(resp(wrong)).toMatchObject({ result: 'deny' });
  });

  it('sends SMS passcodes that the control API reads back, each valid once', async () => {
    const { emu, t, call, tenant } = await setup();
    const texter = tenant
      .users()
      .find((u) => u.status === 'active' && u.phones.some((p) => p.capabilities.includes('sms')));
    if (texter === undefined) throw new Error('no SMS-capable user in the generated tenant');
    const control = (path: string) =>
      emu.app.request(`https://x.example/_emulator${path}`, {
        headers: { Authorization: `Bearer ${emu.controlToken}` },
      });
    const before = (await (await control(`/tenants/${t.hostname}/users/${texter.username}/sms`)).json()) as {
      passcodes: string[];
    };
    expect(before.passcodes).toEqual([]);
    const sent = await call(t.auth, 'POST', '/auth/v2/auth', {
      username: texter.username,
      factor: 'sms',
      device: 'auto',
    });
    expect(resp(sent)).toEqual({ result: 'deny', status: 'sent', status_msg: 'New SMS passcodes sent.' });
    const read = (await (await control(`/tenants/${t.hostname}/users/${texter.username}/sms`)).json()) as {
      passcodes: string[];
    };
    const code = read.passcodes[0];
    if (code === undefined) throw new Error('no SMS passcode was recorded');
    expect(code).toMatch(/^\d{7}$/);
    const p = { username: texter.username, factor: 'passcode', passcode: code };
    expect(resp(await call(t.auth, 'POST', '/auth/v2/auth', p))).toMatchObject({ result: 'allow' });
    expect(resp(await call(t.auth, 'POST', '/auth/v2/auth', p))).toMatchObject({ result: 'deny' });
  });

  it('a telephony fault fails calls and SMS while push and passcodes work, and the auth log shows it', async () => {
    const { emu, clock, t, call, tenant } = await setup();
    const caller = tenant
      .users()
      .find(
        (u) =>
          u.status === 'active' &&
          u.phones.some((p) => p.capabilities.includes('phone') && p.capabilities.includes('sms')),
      );
    const pusher = tenant
      .users()
      .find((u) => u.status === 'active' && u.phones.some((p) => p.capabilities.includes('push')));
    if (caller === undefined || pusher === undefined) throw new Error('no phone/push user in the tenant');
    const added = await emu.app.request(`https://x.example/_emulator/faults`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${emu.controlToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ fault: 'telephony' }),
    });
    expect(added.status).toBe(201);
    // The user would approve at once; a call the provider never connects still times out.
    emu.control.setUserBehaviour(t.hostname, caller.username, { kind: 'approve', afterS: 1 });
    const phone = call(t.auth, 'POST', '/auth/v2/auth', {
      username: caller.username,
      factor: 'phone',
      device: 'auto',
    });
    await new Promise((r) => setTimeout(r, 20));
    clock.advance(60_000);
    expect(resp(await phone)).toMatchObject({ result: 'deny', status: 'timeout' });
    const sms = await call(t.auth, 'POST', '/auth/v2/auth', {
      username: caller.username,
      factor: 'sms',
      device: 'auto',
    });
    expect(resp(sms)).toMatchObject({ result: 'deny', status: 'deny' });
    expect(tenant.smsPasscodes(caller.username)).toEqual([]);
    emu.control.setUserBehaviour(t.hostname, pusher.username, { kind: 'approve', afterS: 1 });
    const push = call(t.auth, 'POST', '/auth/v2/auth', {
      username: pusher.username,
      factor: 'push',
      device: 'auto',
    });
    await new Promise((r) => setTimeout(r, 20));
    clock.advance(1_000);
    expect(resp(await push)).toMatchObject({ result: 'allow' });
    const log = tenant.authLog({
      mintime: clock.now() - 120_000,
      maxtime: clock.now(),
      limit: 10,
      sort: 'ts:asc',
    });
    // Same emulated second for the call and the SMS: compare in factor order.
    const rows = log.events
      .map((e) => [e.factor, e.result, e.reason])
      .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(rows).toEqual([
      ['duo_push', 'success', 'user_approved'],
      ['phone_call', 'denied', 'call_timed_out'],
      ['sms_refresh', 'error', 'error'],
    ]);
    // Cleared, telephony works again.
    emu.control.clearFaults();
    const sent = await call(t.auth, 'POST', '/auth/v2/auth', {
      username: caller.username,
      factor: 'sms',
      device: 'auto',
    });
    expect(resp(sent)).toMatchObject({ status: 'sent' });
  });

  it('rate-limits the Auth API per credential (429 42901) when limits are on', async () => {
    const clock = createClock({ realNow: () => FIXED });
    const emu = await createEmulator({ seed: 'auth-rl', users: 5, clock });
    emu.control.configureRateLimits({ limits: { auth: 3 } });
    const t = emu.credentials()[0] as TenantCredentials;
    const user = emu.world.tenant(t.hostname).users()[0];
    if (user === undefined) throw new Error('no user');
    const pre = () =>
      signedCall(
        emu.app,
        t.auth,
        'POST',
        '/auth/v2/preauth',
        { username: user.username },
        {
          host: t.hostname,
          date: new Date(clock.now()),
        },
      );
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await pre()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // /auth/v2/check and ping are not counted (the monitoring heartbeat must keep working).
    const check = await signedCall(
      emu.app,
      t.auth,
      'GET',
      '/auth/v2/check',
      {},
      {
        host: t.hostname,
        date: new Date(clock.now()),
      },
    );
    expect(check.status).toBe(200);
    clock.advance(60_000);
    expect((await pre()).status).toBe(200);
  });

  it('rejects a missing factor with 40001 and answers enroll_status with a bare string', async () => {
    const { t, call, user } = await setup();
    const missing = await call(t.auth, 'POST', '/auth/v2/auth', { username: user.username });
    expect([missing.status, missing.text]).toEqual([
      400,
      '{"code": 40001, "message": "Missing required request parameters", "stat": "FAIL"}',
    ]);
    const enrolled = resp(await call(t.auth, 'POST', '/auth/v2/enroll', { username: 'brand-new-user' }));
    const status = await call(t.auth, 'POST', '/auth/v2/enroll_status', {
      user_id: enrolled['user_id'] as string,
      activation_code: enrolled['activation_code'] as string,
    });
    expect(status.text).toBe('{"response": "waiting", "stat": "OK"}');
  });
});

describe('Admin API writes', () => {
  it('DELETE /admin/v1/users/{id} answers "" and leaves the trail Duo would', async () => {
    const { t, call, user, tenant, clock } = await setup();
    const r = await call(t.admin, 'DELETE', `/admin/v1/users/${user.user_id}`);
    expect([r.status, r.text]).toEqual([200, '{"response": "", "stat": "OK"}']);
    expect(r.headers.get('etag')).toBeNull();
    expect(tenant.user(user.user_id)?.status).toBe('pending deletion');
    const rows = tenant.adminLog(Math.floor(clock.now() / 1000) - 60, 1000, Math.floor(clock.now() / 1000));
    expect(rows.some((row) => row.action === 'user_delete' && row.username === 'API')).toBe(true);
    expect((await call(t.admin, 'DELETE', '/admin/v1/users/DUNOSUCHUSER00000000')).status).toBe(404);
  });
});
