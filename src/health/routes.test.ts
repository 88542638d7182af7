import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewAlert } from '../app/index.js';
import { harness, type Harness } from '../server/harness.test-helpers.js';
import { healthConfigSchema } from './config-schema.js';
import { createFailModeAdvisor } from './failmode/advisor.js';
import { healthStatus } from './monitor/status.js';
import { mountHealthRoutes, type HealthRouteDeps } from './routes.js';
import { healthRepository } from './store/health-repository.js';
import { healthMigrations } from './store/migrations.js';

// The decision API through the real server (sessions, roles, CSRF, error shape) over the real store.
const config = healthConfigSchema.parse({
  failMode: {
    applications: [
      { name: 'vpn', mode: 'open_for_roles', roles: ['viewer', 'student'], owner: 'netops' },
      { name: 'wiki', mode: 'open', owner: 'it' },
      { name: 'payroll', mode: 'closed', owner: 'hr' },
      { name: 'wiki', org: 'globex', mode: 'closed' },
    ],
  },
});
let h: Harness;
let alerts: NewAlert[];

beforeEach(async () => {
  alerts = [];
  // Routes are mounted when the app is built; their dependencies are filled in once the store exists.
  const late: { deps?: HealthRouteDeps } = {};
  const need = (): HealthRouteDeps => {
    if (late.deps === undefined) throw new Error('health route deps not ready');
    return late.deps;
  };
  h = await harness({
    options: {
      routes: [
        (app, deps) =>
          mountHealthRoutes(app, deps, {
            status: (o) => need().status(o),
            transitions: (o) => need().transitions(o),
            buckets: (i, r, f, t) => need().buckets(i, r, f, t),
            decide: (q) => need().decide(q),
            decisions: (o, f, t) => need().decisions(o, f, t),
            policy: (slug) => need().policy(slug),
            now: () => need().now(),
          }),
      ],
    },
  });
  await healthMigrations(h.store.dialect)['400-health-tables']?.up(h.store.db as never);
  const repo = healthRepository(h.store);
  const now = () => h.now.t;
  const advisor = createFailModeAdvisor({
    store: h.store,
    repo,
    applications: () => config.failMode.applications,
    alerts: { raise: (a) => Promise.resolve(void alerts.push(a)) },
    now,
  });
  late.deps = {
    status: (orgId) => healthStatus(h.store, repo, config, now(), orgId),
    transitions: (orgId) => repo.transitions(orgId),
    buckets: (id, r, f, t) => repo.buckets(id, r, f, t),
    decide: (q) => advisor.decideRecorded(q),
    decisions: (orgId, f, t) => repo.decisions(orgId, f, t),
    policy: (slug) => config.failMode.applications.filter((a) => a.org === undefined || a.org === slug),
    now,
  };
});

afterEach(async () => {
  await h.close();
});

const decide = async (org: string, body: Record<string, unknown>) => {
  const c = await h.login('admin-a');
  const res = await h.call(c, 'POST', `/api/v1/orgs/${org}/failmode/decide`, body);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('POST /api/v1/orgs/{org}/failmode/decide', () => {
  it('fails open only where the policy says so, as a password-only login, audited and alerted', async () => {
    const r = await decide('acme', {
      application: 'vpn',
      role: 'student',
      username: 'ann',
      cause: 'timeout',
      ip: '192.0.2.7',
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      allow: true,
      mode: 'open_for_roles',
      mfa: false,
      authentication_context: 'password-only',
      health_state: null,
      reason: 'password only: Duo timed out (no health probe yet) (policy open_for_roles for student)',
    });
    const audit = (await h.audit()).filter((a) => a.action === 'failmode.open');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'failmode:vpn',
      orgId: h.orgs.a.id,
      details: { mfa: false, auth_context: 'password-only', role: 'student' },
    });
    expect(alerts.map((a) => [a.rule, a.entity, a.severity])).toEqual([['health.fail_open', 'ann', 'high']]);
  });

  it('stays closed for duowatch owners/admins, unlisted roles, closed or unknown applications, and error answers', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      [
        'acme',
        { application: 'wiki', role: 'admin', username: 'a', cause: 'down' },
        /duowatch admins always fail closed/,
      ],
      [
        'acme',
        { application: 'wiki', role: 'owner', username: 'a', cause: 'down' },
        /duowatch owners always fail closed/,
      ],
      [
        'acme',
        { application: 'vpn', role: 'staff', username: 'b', cause: 'down' },
        /does not list role staff/,
      ],
      [
        'acme',
        { application: 'payroll', role: 'viewer', username: 'c', cause: 'down' },
        /policy closed for payroll/,
      ],
      [
        'acme',
        { application: 'crm', role: 'viewer', username: 'd', cause: 'timeout' },
        /no policy for application "crm": default closed/,
      ],
      [
        'acme',
        { application: 'wiki', role: 'viewer', username: 'e', cause: 'error' },
        /an error answer is not an outage/,
      ],
    ];
    for (const [org, body, why] of cases) {
      const r = await decide(org, body);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ allow: false, mfa: false, authentication_context: null });
      expect(String(r.body['reason'])).toMatch(why);
    }
    expect((await h.audit()).filter((a) => a.action === 'failmode.open')).toEqual([]);
    expect(alerts).toEqual([]);
    // Every decision is kept (closed ones too), for the dashboard and the evidence export.
    expect(await healthRepository(h.store).decisions(h.orgs.a.id, 0, Date.now() + 1)).toHaveLength(
      cases.length,
    );
  });

  it('an open application is open; the health view lists the policy and every fail-open', async () => {
    expect(
      (await decide('acme', { application: 'wiki', role: 'viewer', username: 'f', cause: 'down' })).body,
    ).toMatchObject({ allow: true, mode: 'open' });
    const c = await h.login('auditor-a');
    const view = (await (await h.call(c, 'GET', '/api/v1/orgs/acme/health')).json()) as {
      policy: Array<{ name: string }>;
      fail_open: Array<{ username: string }>;
    };
    expect(view.policy.map((p) => p.name)).toEqual(['vpn', 'wiki', 'payroll']);
    expect(view.fail_open.map((d) => d.username)).toEqual(['f']);
  });

  it("rejects bad input with the server error shape, and other organizations' members", async () => {
    const r = await decide('acme', { application: 'vpn', role: 'viewer', username: 'x', cause: 'maybe' });
    expect(r.status).toBe(400);
    const owner = await h.login('owner-b');
    const res = await h.call(owner, 'POST', '/api/v1/orgs/acme/failmode/decide', {
      application: 'vpn',
      role: 'viewer',
      username: 'x',
      cause: 'down',
    });
    expect([403, 404]).toContain(res.status);
  });
});
