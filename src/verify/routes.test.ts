import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountVerifyRoutes } from './routes.js';
import { verifyStore } from './verify-store.js';
import { createVerifyUser, type VerifyUser } from './verify-user.js';
import { serverFor, verifyWorld, type VerifyWorld } from './test-support/verify-world.test-helpers.js';

let w: VerifyWorld;
let s: ReturnType<typeof serverFor>;
let verifyUser: VerifyUser;
let vs: ReturnType<typeof verifyStore>;

beforeAll(async () => {
  w = await verifyWorld('verify-routes');
  vs = verifyStore(w.store);
  verifyUser = createVerifyUser({
    store: w.store,
    verifyStore: vs,
    clients: w.clients,
    services: w.services,
    alerts: w.alertRaiser,
    logger: { error: () => undefined },
    clock: () => new Date(),
  });
  s = serverFor(w, {
    routes: [
      (app, deps) =>
        mountVerifyRoutes(app, deps, {
          store: w.store,
          clients: w.clients,
          services: w.services,
          verifyUser,
          verifyStore: vs,
        }),
    ],
  });
  await s.operator('ann-admin', 'admin');
  await s.operator('aud-auditor', 'auditor');
  await s.operator('outsider', null);
});
afterAll(async () => {
  await verifyUser.close();
  await w.close();
});

describe('Auth API over REST', () => {
  it('check and preauth for auditors; push needs admin and is audited', async () => {
    const aud = await s.login('aud-auditor');
    const check = await s.call(aud, 'POST', '/api/v1/orgs/acme/auth/check', {});
    expect(check.status).toBe(200);
    expect(((await check.json()) as { response: { time: number } }).response.time).toBeGreaterThan(0);
    const pre = await s.call(aud, 'POST', '/api/v1/orgs/acme/auth/preauth', { user: w.users.push });
    expect(((await pre.json()) as { response: { result: string } }).response.result).toBe('auth');
    expect((await s.call(aud, 'POST', '/api/v1/orgs/acme/auth/push', { user: w.users.push })).status).toBe(
      403,
    );
    const outsider = await s.login('outsider');
    expect((await s.call(outsider, 'POST', '/api/v1/orgs/acme/auth/check', {})).status).toBe(404);

    const admin = await s.login('ann-admin');
    w.emulator.control.setUserBehaviour(w.creds.hostname, w.users.push, { kind: 'approve', afterS: 1 });
    const started = await s.call(admin, 'POST', '/api/v1/orgs/acme/auth/push', {
      user: w.users.push,
      async: true,
      pushinfo: { reason: 'test' },
    });
    expect(started.status).toBe(200);
    const r = ((await started.json()) as { response: Record<string, string> }).response;
    expect(r).toMatchObject({ result: 'waiting', status: 'pushed' });
    const status = await s.call(admin, 'POST', '/api/v1/orgs/acme/auth/status', { txid: r['txid'] });
    expect(((await status.json()) as { response: unknown }).response).toMatchObject({ result: 'allow' });
    const entries = await w.store.auditLog.list(w.orgId, { limit: 50 });
    expect(entries.some((e) => e.action === 'verify.auth.push' && e.target === w.users.push)).toBe(true);
  });

  it("a Duo error is an API error carrying Duo's code", async () => {
    const admin = await s.login('ann-admin');
    const res = await s.call(admin, 'POST', '/api/v1/orgs/acme/auth/push', { user: 'nobody-at-all' });
    // Duo refused the request: a bad gateway for our API, with Duo's code in the message.
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('verify_duo_error');
    expect(body.error.message).toMatch(/Duo 40002/);
  });
});

describe("the session's second factor", () => {
  it('is null without a second step, and the recorded factor of this session once there is one', async () => {
    const admin = await s.login('ann-admin');
    const none = await s.call(admin, 'GET', '/api/v1/verify/session');
    expect(none.status).toBe(200);
    expect(await none.json()).toEqual({ secondFactor: null });
    // The server stores the session as the SHA-256 of its cookie; the login step records the factor under it.
    const cookie = /dw_session=([^;]+)/.exec(admin.cookie)?.[1] ?? '';
    const op = await w.store.operators.findByUsername('ann-admin');
    await vs.recordLoginFactor(createHash('sha256').update(cookie).digest('hex'), {
      operatorId: op?.id ?? '',
      mfa: false,
      factor: null,
      reason: 'password only: Duo unreachable',
    });
    const body = (await (await s.call(admin, 'GET', '/api/v1/verify/session')).json()) as {
      secondFactor: { mfa: boolean; factor: string | null; reason: string };
    };
    expect(body.secondFactor).toMatchObject({
      mfa: false,
      factor: null,
      reason: 'password only: Duo unreachable',
    });
    // Another session of the same operator was not opened that way.
    const other = await s.login('ann-admin');
    expect(await (await s.call(other, 'GET', '/api/v1/verify/session')).json()).toEqual({
      secondFactor: null,
    });
    expect((await s.call(null, 'GET', '/api/v1/verify/session')).status).toBe(401);
  });
});

describe('verify this user', () => {
  it('pushes with the reason, records the approval and audits start and result', async () => {
    const admin = await s.login('ann-admin');
    w.emulator.control.setUserBehaviour(w.creds.hostname, w.users.push, { kind: 'approve', afterS: 0.5 });
    const res = await s.call(admin, 'POST', '/api/v1/orgs/acme/verify/users', {
      username: w.users.push,
      reason: 'IR-42: suspicious sign-in from a new country',
    });
    expect(res.status).toBe(201);
    const started = (await res.json()) as { id: string; state: string; txid: string };
    expect(started.state).toBe('waiting');
    await verifyUser.settled(started.id);
    const one = await s.call(admin, 'GET', `/api/v1/orgs/acme/verify/users/${started.id}`);
    expect(await one.json()).toMatchObject({ state: 'allow', result: 'allow', status: 'allow' });
    const actions = (await w.store.auditLog.list(w.orgId, { limit: 50 }))
      .filter((e) => e.details?.['requestId'] === started.id)
      .map((e) => `${e.action}:${String(e.details?.['outcome'])}`);
    expect(actions.sort()).toEqual(['verify.user.result:success', 'verify.user:success']);
  });

  it('a fraud report is recorded, audited as a failure and raises a critical alert', async () => {
    const admin = await s.login('ann-admin');
    w.emulator.control.setUserBehaviour(w.creds.hostname, w.users.push, { kind: 'fraud', afterS: 0.5 });
    const res = await s.call(admin, 'POST', '/api/v1/orgs/acme/verify/users', {
      username: w.users.push,
      reason: 'IR-43',
    });
    const started = (await res.json()) as { id: string };
    await verifyUser.settled(started.id);
    const list = await s.call(await s.login('aud-auditor'), 'GET', '/api/v1/orgs/acme/verify/users');
    const { requests } = (await list.json()) as {
      requests: Array<{ id: string; state: string; status: string }>;
    };
    expect(requests.find((r) => r.id === started.id)).toMatchObject({ state: 'deny', status: 'fraud' });
    expect(w.alerts.find((a) => a.fields?.['requestId'] === started.id)).toMatchObject({
      source: 'verify',
      rule: 'verify.user_fraud',
      severity: 'critical',
      entity: w.users.push,
    });
  });

  it('refuses an empty reason and an auditor', async () => {
    const admin = await s.login('ann-admin');
    expect(
      (await s.call(admin, 'POST', '/api/v1/orgs/acme/verify/users', { username: 'x', reason: '  ' })).status,
    ).toBe(400);
    const aud = await s.login('aud-auditor');
    expect(
      (await s.call(aud, 'POST', '/api/v1/orgs/acme/verify/users', { username: 'x', reason: 'why' })).status,
    ).toBe(403);
  });
});
