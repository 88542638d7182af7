import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFailModeAdvisor, healthRepository } from '../../health/index.js';
import { VERIFY_DEFAULTS } from '../config-schema.js';
import { verifyStore } from '../verify-store.js';
import {
  serverFor,
  verifyWorld,
  type TestClient,
  type VerifyWorld,
} from '../test-support/verify-world.test-helpers.js';
import { createLoginStep } from './create-login-step.js';

// The login's second step when Duo is down, decided by the health capability's real fail-mode advisor:
// owners and admins fail closed whatever the policy says; a role the policy lets in gets a password-only
// session that says so, an audit row and an alert.
let w: VerifyWorld;
let s: ReturnType<typeof serverFor>;

type Session = {
  state: string;
  secondFactor?: { mfa: boolean; factor: string | null; reason: string } | null;
  error?: { code: string };
};

beforeAll(async () => {
  w = await verifyWorld('verify-fail-open');
  const failMode = createFailModeAdvisor({
    store: w.store,
    repo: healthRepository(w.store),
    applications: () => [{ name: 'duowatch', mode: 'open_for_roles', roles: ['auditor'] }],
    alerts: w.alertRaiser,
  });
  const step = createLoginStep(
    {
      ...VERIFY_DEFAULTS.login,
      mode: 'required',
      org: 'acme',
      usernameMap: { 'fo-admin': w.users.push, 'fo-auditor': w.users.push },
    },
    {
      store: w.store,
      clients: w.clients,
      services: w.services,
      shared: { logEvents: null as never, alerts: w.alertRaiser, failMode },
    },
    verifyStore(w.store),
    () => Date.now(),
  );
  if (step === null) throw new Error('the step should be on');
  s = serverFor(w, { secondFactor: step });
  await s.operator('fo-admin', 'admin');
  await s.operator('fo-auditor', 'auditor');
});
afterAll(async () => w.close());

async function password(username: string): Promise<{ status: number; body: Session }> {
  const client: TestClient = { cookie: '', csrf: '' };
  const res = await s.call(client, 'POST', '/api/v1/session', {
    username,
    password: 'correct horse battery staple',
  });
  return { status: res.status, body: (await res.json()) as Session };
}

describe('Duo down during the duowatch login, with the health fail-mode policy', () => {
  it('refuses an admin, lets the listed role in with the password only (audited, alerted)', async () => {
    const fault = w.emulator.control.addFault({ kind: 'error', path: '/auth/v2/*', status: 503 });
    try {
      const admin = await password('fo-admin');
      expect(admin.status).toBe(403);
      expect(admin.body.error?.code).toBe('second_factor_unavailable');

      const auditor = await password('fo-auditor');
      expect(auditor.status).toBe(200);
      expect(auditor.body.state).toBe('authenticated');
      expect(auditor.body.secondFactor).toMatchObject({ mfa: false, factor: null });
      expect(auditor.body.secondFactor?.reason).toMatch(/^password only: Duo unreachable/);
      expect(auditor.body.secondFactor?.reason).not.toMatch(/password only: password only/);

      const audit = await w.store.auditLog.list(null, { limit: 100 });
      const open = audit.filter(
        (e) => e.action === 'session.second_factor' && e.details?.['decision'] === 'fail_open',
      );
      expect(open.map((e) => e.target)).toEqual(['fo-auditor']);
      expect(
        audit.some(
          (e) =>
            e.action === 'session.second_factor' &&
            e.target === 'fo-admin' &&
            e.details?.['decision'] === 'fail_closed',
        ),
      ).toBe(true);
      const alerts = w.alerts.filter((a) => a.entity === 'fo-auditor');
      expect(alerts.map((a) => a.rule)).toEqual(
        expect.arrayContaining(['verify.login_fail_open', 'health.fail_open']),
      );
    } finally {
      w.emulator.control.removeFault(fault.id);
    }
  });
});

describe('Duo refusing one request is not an outage', () => {
  it('a factor Duo refuses (no capable device) keeps the step pending and never fails open', async () => {
    const client: TestClient = { cookie: '', csrf: '' };
    const start = await s.call(client, 'POST', '/api/v1/session', {
      username: 'fo-auditor',
      password: 'correct horse battery staple',
    });
    expect(((await start.json()) as Session).state).toBe('pending');
    const before = (await w.store.auditLog.list(null, { limit: 200 })).filter(
      (e) => e.details?.['decision'] === 'fail_open',
    ).length;
    const res = await s.call(client, 'POST', '/api/v1/session/2fa', {
      factor: 'push',
      device: 'DPNOSUCHDEVICE000000',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Session & { secondStep?: { state: string; message: string } };
    expect(body.state).toBe('pending');
    expect(body.secondStep).toMatchObject({ state: 'choose' });
    expect(body.secondStep?.message).toMatch(/^Duo refused that: .*40002/);
    const after = (await w.store.auditLog.list(null, { limit: 200 })).filter(
      (e) => e.details?.['decision'] === 'fail_open',
    ).length;
    expect(after).toBe(before);
    expect((await s.call(client, 'GET', '/api/v1/session')).status).toBe(401);
  });
});
