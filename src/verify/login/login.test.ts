import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERIFY_DEFAULTS } from '../config-schema.js';
import { verifyStore, type VerifyStore } from '../verify-store.js';
import {
  serverFor,
  verifyWorld,
  type TestClient,
  type VerifyWorld,
} from '../test-support/verify-world.test-helpers.js';
import { createLoginStep } from './create-login-step.js';

// Duo 2FA on the duowatch login, through the real server routes, the real store and the emulator over TLS.
let w: VerifyWorld;
let vs: VerifyStore;
let s: ReturnType<typeof serverFor>;
const now = { t: Date.now() };

type Session = {
  state: string;
  next: string | null;
  csrfToken: string | null;
  secondStep?: { state: string; message: string; factors: string[] } | null;
  secondFactor?: { mfa: boolean; factor: string | null; reason: string } | null;
};

/** The Duo step as `serve` builds it; each call is what another process (or a restarted one) would hold. */
function makeStep() {
  return createLoginStep(
    {
      ...VERIFY_DEFAULTS.login,
      mode: 'required',
      org: 'acme',
      exemptUsernames: ['exempt-viewer'],
      usernameMap: {
        'op-owner': w.users.push,
        'op-admin': w.users.push,
        'op-auditor': w.users.push,
        'op-fraud': w.users.push,
      },
      maxPendingPushes: 3,
    },
    {
      store: w.store,
      clients: w.clients,
      services: w.services,
      shared: { logEvents: null as never, alerts: w.alertRaiser },
    },
    vs,
    // Real time plus an offset the tests move (challenge expiry and push back-off).
    () => Date.now() + (now.t - Date.now() > 0 ? now.t - Date.now() : 0),
  );
}

beforeAll(async () => {
  w = await verifyWorld('verify-login');
  vs = verifyStore(w.store);
  const step = makeStep();
  if (step === null) throw new Error('the step should be on');
  s = serverFor(w, { secondFactor: step });
  await s.operator('op-owner', 'owner');
  await s.operator('op-admin', 'admin');
  await s.operator('op-auditor', 'auditor');
  await s.operator('exempt-viewer', 'auditor');
  await s.operator('op-fraud', 'auditor');
});
afterAll(async () => w.close());

async function password(username: string): Promise<{ client: TestClient; body: Session; status: number }> {
  const client: TestClient = { cookie: '', csrf: '' };
  const res = await s.call(client, 'POST', '/api/v1/session', {
    username,
    password: 'correct horse battery staple',
  });
  return { client, body: (await res.json()) as Session, status: res.status };
}
const choose = async (client: TestClient, body: unknown) => {
  const res = await s.call(client, 'POST', '/api/v1/session/2fa', body);
  return { status: res.status, body: (await res.json()) as Session & { error?: { code: string } } };
};
const poll = async (client: TestClient) => {
  const res = await s.call(client, 'GET', '/api/v1/session/2fa');
  return { status: res.status, body: (await res.json()) as Session & { error?: { code: string } } };
};
const behave = (kind: 'approve' | 'deny' | 'fraud', afterS = 0.3) =>
  w.emulator.control.setUserBehaviour(w.creds.hostname, w.users.push, { kind, afterS });

describe('Duo 2FA on the duowatch login', () => {
  it('push approve: pending after the password, waiting on the push, signed in with mfa recorded', async () => {
    behave('approve');
    const p = await password('op-owner');
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ state: 'pending', next: 'duo_2fa', csrfToken: null });
    expect(p.body.secondStep?.factors).toContain('push');
    // No session yet: the pending cookie is not a session.
    expect((await s.call(p.client, 'GET', '/api/v1/session')).status).toBe(401);
    const pushed = await choose(p.client, { factor: 'push' });
    expect(pushed.body.secondStep).toMatchObject({ state: 'waiting' });
    // Pressing push again while one is outstanding sends nothing new.
    const again = await choose(p.client, { factor: 'push' });
    expect(again.body.secondStep?.message).toMatch(/already waiting/);
    let done = await poll(p.client);
    for (let i = 0; i < 5 && done.body.state === 'pending'; i++) done = await poll(p.client);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'authenticated', secondFactor: { mfa: true, factor: 'push' } });
    p.client.csrf = done.body.csrfToken ?? '';
    expect((await s.call(p.client, 'GET', '/api/v1/session')).status).toBe(200);
    const login = (await w.store.auditLog.list(null, { limit: 20 })).find(
      (e) => e.action === 'session.login' && e.target === 'op-owner' && e.details?.['outcome'] === 'success',
    );
    expect(login?.details?.['secondFactor']).toMatchObject({ mfa: true, factor: 'push' });
  });

  it('a finished sign-in cannot be replayed with its challenge', async () => {
    behave('approve');
    const p = await password('op-admin');
    const stale = p.client.cookie;
    const code = w.emulator.control.passcode(w.creds.hostname, w.users.push);
    const done = await choose(p.client, { factor: 'passcode', passcode: code });
    expect(done.body).toMatchObject({
      state: 'authenticated',
      secondFactor: { mfa: true, factor: 'passcode' },
    });
    const replay = await choose({ cookie: stale, csrf: '' }, { factor: 'passcode', passcode: code });
    expect(replay.status).toBe(403);
    expect(replay.body.error?.code).toBe('second_factor_replayed');
  });

  it("a wrong passcode keeps the step pending with Duo's message", async () => {
    const p = await password('op-admin');
    const wrong = await choose(p.client, { factor: 'passcode', passcode: '000000001' });
    expect(wrong.status).toBe(200);
    expect(wrong.body).toMatchObject({ state: 'pending', secondStep: { state: 'choose' } });
    expect(wrong.body.secondStep?.message).toMatch(/Incorrect passcode/);
  });

  it('push deny and fraud refuse the sign-in; fraud raises a critical alert', async () => {
    behave('deny');
    const d = await password('op-auditor');
    await choose(d.client, { factor: 'push' });
    let r = await poll(d.client);
    for (let i = 0; i < 5 && r.status === 200; i++) r = await poll(d.client);
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('second_factor_denied');
    behave('fraud');
    // A fresh account: the others' next push would wait out the push back-off (tested below).
    const f = await password('op-fraud');
    await choose(f.client, { factor: 'push' });
    let q = await poll(f.client);
    for (let i = 0; i < 5 && q.status === 200; i++) q = await poll(f.client);
    expect(q.status).toBe(403);
    expect(q.body.error?.code).toBe('second_factor_fraud');
    expect(w.alerts.some((a) => a.rule === 'verify.login_fraud' && a.severity === 'critical')).toBe(true);
  });

  it('Duo down: an admin is refused; without the health capability everyone fails closed', async () => {
    const fault = w.emulator.control.addFault({ kind: 'error', path: '/auth/v2/*', status: 503 });
    try {
      for (const who of ['op-admin', 'op-auditor']) {
        const p = await password(who);
        expect(p.status).toBe(403);
        expect((p.body as Session & { error?: { code: string } }).error?.code).toBe(
          'second_factor_unavailable',
        );
      }
      const closed = (await w.store.auditLog.list(null, { limit: 50 })).filter(
        (e) => e.action === 'session.second_factor' && e.details?.['decision'] === 'fail_closed',
      );
      expect(closed.map((e) => e.target)).toEqual(expect.arrayContaining(['op-admin', 'op-auditor']));
    } finally {
      w.emulator.control.removeFault(fault.id);
    }
  });

  it('exempt accounts and the break-glass account sign in with the password only, audited (break-glass alerted)', async () => {
    const ex = await password('exempt-viewer');
    expect(ex.body).toMatchObject({
      state: 'authenticated',
      secondFactor: { mfa: false, reason: 'account exempt from Duo' },
    });
    const bg = await s.operator('break-glass', null, true);
    await vs.markBreakGlass(bg.id);
    const p = await password('break-glass');
    expect(p.body).toMatchObject({
      state: 'authenticated',
      secondFactor: { mfa: false, factor: null, reason: 'break-glass account' },
    });
    const used = (await w.store.auditLog.list(null, { limit: 50 })).filter(
      (e) => e.action === 'session.break_glass',
    );
    expect(used).toHaveLength(1);
    expect(w.alerts.some((a) => a.rule === 'verify.break_glass_used' && a.severity === 'critical')).toBe(
      true,
    );
  });

  it('pushes are limited per account: back-off between pushes and a cap per ten minutes', async () => {
    behave('deny', 0.1);
    const first = await password('op-auditor');
    await choose(first.client, { factor: 'push' });
    let r = await poll(first.client);
    for (let i = 0; i < 5 && r.status === 200; i++) r = await poll(first.client);
    // The denied attempts above count: a fresh sign-in's push must wait out the back-off.
    const second = await password('op-auditor');
    const refused = await choose(second.client, { factor: 'push' });
    expect(refused.body.secondStep?.message).toMatch(/Too many push requests|Wait \d+ s/);
    expect(refused.body.secondStep?.state).toBe('choose');
  });

  it('a pending sign-in survives a restart: another process finishes it, and only once', async () => {
    const p = await password('op-admin');
    expect(p.body).toMatchObject({ state: 'pending', next: 'duo_2fa' });
    const pendingCookie = p.client.cookie;
    // A second process (or this one restarted) over the same database: its own Duo step and server.
    const step = makeStep();
    if (step === null) throw new Error('the step should be on');
    const other = serverFor(w, { secondFactor: step });
    const code = w.emulator.control.passcode(w.creds.hostname, w.users.push);
    const res = await other.call(p.client, 'POST', '/api/v1/session/2fa', {
      factor: 'passcode',
      passcode: code,
    });
    expect(res.status).toBe(200);
    const done = (await res.json()) as Session;
    expect(done).toMatchObject({ state: 'authenticated', secondFactor: { mfa: true, factor: 'passcode' } });
    p.client.csrf = done.csrfToken ?? '';
    expect((await s.call(p.client, 'GET', '/api/v1/session')).status).toBe(200);
    // The first process sees it finished too: the same challenge opens no second session.
    const replay = await choose({ cookie: pendingCookie, csrf: '' }, { factor: 'passcode', passcode: code });
    expect(replay.status).toBe(403);
    expect(replay.body.error?.code).toBe('second_factor_replayed');
  });

  it('a challenge expires after its lifetime (on the injected clock)', async () => {
    const p = await password('op-admin');
    now.t = Date.now() + VERIFY_DEFAULTS.login.challengeTtlSeconds * 1000 + 1000;
    try {
      const late = await choose(p.client, { factor: 'passcode', passcode: '123456' });
      expect(late.status).toBe(403);
      expect(late.body.error?.code).toBe('second_factor_expired');
    } finally {
      now.t = 0;
    }
  });
});
