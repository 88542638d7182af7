import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuoDispatcher } from '../../duo/index.js';
import { createFailModeAdvisor, healthRepository } from '../../health/index.js';
import { VERIFY_DEFAULTS } from '../config-schema.js';
import { verifyStore } from '../verify-store.js';
import {
  serverFor,
  verifyWorld,
  PASSWORD,
  type TestClient,
  type VerifyWorld,
} from '../test-support/verify-world.test-helpers.js';
import { createLoginStep } from './create-login-step.js';

// Duo's Universal Prompt on the duowatch login: the real server routes and store, the emulator's OIDC
// endpoints over TLS through the guarded Duo transport; the browser's part (following redirects, pressing the
// prompt's button) is done here with plain HTTP requests.
let w: VerifyWorld;
let s: ReturnType<typeof serverFor>;
let dispatcher: DuoDispatcher;
let universalCfg: typeof VERIFY_DEFAULTS.login.universal;
const CALLBACK = 'http://127.0.0.1/api/v1/session/duo/callback';

type Session = {
  state: string;
  next: string | null;
  secondStep?: { state: string; redirectUrl?: string } | null;
  error?: { code: string };
};

const duoFetch = (url: string, init: RequestInit = {}) =>
  undiciFetch(url, { ...(init as object), dispatcher, redirect: 'manual' }) as unknown as Promise<Response>;

beforeAll(async () => {
  w = await verifyWorld('verify-universal');
  dispatcher = new DuoDispatcher(w.clients.transportOptions);
  const app = w.emulator.control.addApplication(w.creds.hostname, 'websdk', { name: 'duowatch' });
  const secretFile = join(w.dir, 'duo-client-secret');
  writeFileSync(secretFile, `${app.skey}\n`, { mode: 0o600 });
  universalCfg = {
    apiHost: w.creds.hostname,
    clientId: app.ikey,
    clientSecretFile: secretFile,
    redirectUri: CALLBACK,
  };
  const step = createLoginStep(
    {
      ...VERIFY_DEFAULTS.login,
      mode: 'required',
      method: 'universal',
      org: 'acme',
      usernameMap: { 'u-owner': w.users.push, 'u-admin': w.users.push, 'u-auditor': w.users.push },
      universal: universalCfg,
    },
    {
      store: w.store,
      clients: w.clients,
      services: w.services,
      // The health capability's real advisor: auditors fail open, as in login-fail-open.test.ts.
      shared: {
        logEvents: null as never,
        alerts: w.alertRaiser,
        failMode: createFailModeAdvisor({
          store: w.store,
          repo: healthRepository(w.store),
          applications: () => [{ name: 'duowatch', mode: 'open_for_roles', roles: ['auditor'] }],
          alerts: w.alertRaiser,
        }),
      },
    },
    verifyStore(w.store),
    undefined,
    { fetch: duoFetch },
  );
  if (step === null) throw new Error('the step should be on');
  s = serverFor(w, { secondFactor: step });
  await s.operator('u-owner', 'owner');
  await s.operator('u-admin', 'admin');
  await s.operator('u-auditor', 'auditor');
});
afterAll(async () => {
  await dispatcher.close();
  await w.close();
});

async function password(username: string) {
  const client: TestClient = { cookie: '', csrf: '' };
  const res = await s.call(client, 'POST', '/api/v1/session', { username, password: PASSWORD });
  return {
    client,
    status: res.status,
    body: (await res.json()) as Session,
    setCookie: res.headers.getSetCookie(),
  };
}

/** The browser at Duo: opens the prompt, presses its button, and answers where Duo sends it back. */
async function atDuo(redirectUrl: string): Promise<URL> {
  const page = await duoFetch(redirectUrl);
  expect(page.status).toBe(200);
  const sid = /name="sid" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const back = await duoFetch(new URL('/frame/v4/prompt', redirectUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ sid, factor: 'push' }).toString(),
  });
  expect(back.status).toBe(302);
  return new URL(back.headers.get('location') ?? '');
}

async function callback(client: TestClient, back: URL): Promise<string> {
  const res = await s.call(client, 'GET', `/api/v1/session/duo/callback${back.search}`);
  expect(res.status).toBe(302);
  return res.headers.get('location') ?? '';
}

const behave = (kind: 'approve' | 'deny') =>
  w.emulator.control.setUserBehaviour(w.creds.hostname, w.users.push, { kind, afterS: 0 });

describe("Duo's Universal Prompt on the duowatch login", () => {
  it('redirects to Duo, comes back with a code, opens the session with the factor recorded', async () => {
    behave('approve');
    const p = await password('u-owner');
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ state: 'pending', next: 'duo_2fa', secondStep: { state: 'redirect' } });
    const to = new URL(p.body.secondStep?.redirectUrl ?? '');
    expect(to.host).toBe(w.creds.hostname);
    expect(to.pathname).toBe('/oauth/v1/authorize');
    // The pending cookie must survive Duo's cross-site redirect back: Lax, HttpOnly, no session yet.
    expect(p.setCookie.find((c) => c.startsWith('dw_2fa='))).toMatch(
      /HttpOnly.*SameSite=Lax|SameSite=Lax.*HttpOnly/i,
    );
    expect((await s.call(p.client, 'GET', '/api/v1/session')).status).toBe(401);

    const back = await atDuo(to.toString());
    expect(back.origin + back.pathname).toBe(CALLBACK);
    expect(back.searchParams.get('duo_code')).not.toBeNull();
    const pendingCookie = p.client.cookie;
    expect(await callback(p.client, back)).toBe('/');
    expect((await s.call(p.client, 'GET', '/api/v1/session')).status).toBe(200);
    const login = (await w.store.auditLog.list(null, { limit: 30 })).find(
      (e) => e.action === 'session.login' && e.target === 'u-owner' && e.details?.['outcome'] === 'success',
    );
    expect(login?.details?.['secondFactor']).toMatchObject({ mfa: true, factor: 'universal' });

    // Replaying the same return (same pending cookie, same state and code) opens nothing.
    const replay: TestClient = { cookie: pendingCookie, csrf: '' };
    expect(await callback(replay, back)).toBe('/?login_error=second_factor_replayed');
    expect((await s.call(replay, 'GET', '/api/v1/session')).status).toBe(401);
  });

  it("refuses another sign-in's state, and that sign-in is spent afterwards", async () => {
    behave('approve');
    const a = await password('u-auditor');
    const b = await password('u-auditor');
    const backB = await atDuo(b.body.secondStep?.redirectUrl ?? '');
    // B's answer presented with A's cookie: the state is not A's.
    expect(await callback(a.client, backB)).toBe('/?login_error=second_factor_state');
    expect((await s.call(a.client, 'GET', '/api/v1/session')).status).toBe(401);
    // B's own return still works once.
    expect(await callback(b.client, backB)).toBe('/');
  });

  it('a push denied at Duo comes back as a refusal', async () => {
    behave('deny');
    const p = await password('u-auditor');
    const back = await atDuo(p.body.secondStep?.redirectUrl ?? '');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(await callback(p.client, back)).toBe('/?login_error=second_factor_denied');
    expect((await s.call(p.client, 'GET', '/api/v1/session')).status).toBe(401);
  });

  it('Duo down at the code exchange: an owner fails closed after the prompt, no session', async () => {
    behave('approve');
    const p = await password('u-owner');
    const back = await atDuo(p.body.secondStep?.redirectUrl ?? '');
    const f = w.emulator.control.addFault({ kind: 'error', status: 503, path: '/oauth/v1/token' });
    try {
      expect(await callback(p.client, back)).toBe('/?login_error=second_factor_unavailable');
      expect((await s.call(p.client, 'GET', '/api/v1/session')).status).toBe(401);
    } finally {
      w.emulator.control.removeFault(f.id);
    }
  });

  it('a callback without a pending sign-in is refused', async () => {
    const none: TestClient = { cookie: '', csrf: '' };
    expect(await callback(none, new URL(`${CALLBACK}?state=${'x'.repeat(43)}&duo_code=abc`))).toBe(
      '/?login_error=no_second_step',
    );
  });

  it('a wrong client secret is a refusal, not an outage: even an auditor is refused, never let in', async () => {
    const wrongFile = join(w.dir, 'wrong-secret');
    writeFileSync(wrongFile, 'W'.repeat(40), { mode: 0o600 });
    const step = createLoginStep(
      {
        ...VERIFY_DEFAULTS.login,
        mode: 'required',
        method: 'universal',
        org: 'acme',
        usernameMap: { 'u-auditor': w.users.push },
        universal: { ...universalCfg, clientSecretFile: wrongFile },
      },
      {
        store: w.store,
        clients: w.clients,
        services: w.services,
        shared: { logEvents: null as never, alerts: w.alertRaiser },
      },
      verifyStore(w.store),
      undefined,
      { fetch: duoFetch },
    );
    if (step === null) throw new Error('the step should be on');
    const other = serverFor(w, { secondFactor: step });
    const res = await other.call({ cookie: '', csrf: '' }, 'POST', '/api/v1/session', {
      username: 'u-auditor',
      password: PASSWORD,
    });
    expect(res.status).toBe(403);
    const body = (await res.json()) as Session;
    expect(body.error?.code).toBe('second_factor_refused');
    expect(JSON.stringify(body)).not.toContain('W'.repeat(40));
  });

  it('Duo down at the health check: an admin is refused, an auditor let in "password only" per the policy', async () => {
    const f = w.emulator.control.addFault({ kind: 'error', status: 503, path: '/oauth/v1/health_check' });
    try {
      const p = await password('u-admin');
      expect(p.status).toBe(403);
      expect(p.body.error?.code).toBe('second_factor_unavailable');
      const row = (await w.store.auditLog.list(null, { limit: 30 })).find(
        (e) => e.action === 'session.second_factor' && e.target === 'u-admin',
      );
      expect(row?.details).toMatchObject({ decision: 'fail_closed', cause: 'down' });
      const open = await password('u-auditor');
      expect(open.status).toBe(200);
      expect(open.body).toMatchObject({ state: 'authenticated', secondFactor: { mfa: false } });
      expect((open.body as { secondFactor?: { reason: string } }).secondFactor?.reason).toMatch(
        /^password only/,
      );
      expect(w.alerts.some((x) => x.rule === 'verify.login_fail_open' && x.entity === 'u-auditor')).toBe(
        true,
      );
      const audited = (await w.store.auditLog.list(null, { limit: 30 })).find(
        (e) =>
          e.action === 'session.second_factor' &&
          e.target === 'u-auditor' &&
          e.details?.['decision'] === 'fail_open',
      );
      expect(audited).toBeDefined();
    } finally {
      w.emulator.control.removeFault(f.id);
    }
  });
});
