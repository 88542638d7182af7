import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { raiserOf, type NewAlert } from '../app/index.js';
import { harness, type Harness } from '../server/harness.test-helpers.js';
import { healthConfigSchema } from './config-schema.js';
import { createFailModeAdvisor } from './failmode/advisor.js';
import { createEmulator, type Emulator } from '../emulator/index.js';
import { demoFaults, type DemoFaults } from './monitor/demo-faults.js';
import { RecentProbes } from './monitor/recent-probes.js';
import { maintenanceRepository } from './store/maintenance-repository.js';
import { healthStatus } from './monitor/status.js';
import type { ProbeOutcome } from './probe/probe-types.js';
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
  maintenance: [
    { org: 'acme', start: '2026-11-22T11:30:00Z', end: '2026-11-22T12:30:00Z', reason: 'IdP upgrade' },
    { org: 'acme', start: '2026-10-01T00:00:00Z', end: '2026-10-01T01:00:00Z', reason: 'long past' },
    { org: 'globex', start: '2026-11-22T11:00:00Z', end: '2026-11-22T13:00:00Z' },
  ],
});
let recent: RecentProbes;
let emulator: Emulator;
let faults: DemoFaults;
let readings: Array<{
  factor: 'push' | 'phone_call' | 'sms' | 'passcode';
  attempts: number;
  failures: number;
  share: number | null;
  baselineAttempts: number;
  baselineShare: number | null;
  degraded: boolean;
}>;
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
            owns: (o, i) => need().owns(o, i),
            transitions: (o) => need().transitions(o),
            buckets: (i, r, f, t) => need().buckets(i, r, f, t),
            decide: (q) => need().decide(q),
            decisions: (o, f, t) => need().decisions(o, f, t),
            policy: (slug) => need().policy(slug),
            factors: (o) => need().factors(o),
            maintenance: (slug) => need().maintenance(slug),
            windows: {
              add: (w) => need().windows.add(w),
              list: (o, e) => need().windows.list(o, e),
              remove: (o, i) => need().windows.remove(o, i),
            },
            probes: (i) => need().probes(i),
            demoFaults: (slug) => need().demoFaults(slug),
            now: () => need().now(),
          }),
      ],
    },
  });
  const migrations = healthMigrations(h.store.dialect);
  await migrations['400-health-tables']?.up(h.store.db as never);
  await migrations['402-health-recent-probes']?.up(h.store.db as never);
  await migrations['403-health-maintenance-windows']?.up(h.store.db as never);
  const repo = healthRepository(h.store);
  const now = () => h.now.t;
  recent = new RecentProbes(h.store, 3);
  // A real emulator in process: the route must set and clear faults its control really applies.
  emulator = await createEmulator({ seed: 'health-routes', users: 3 });
  faults = demoFaults(emulator.control);
  readings = [];
  const advisor = createFailModeAdvisor({
    store: h.store,
    repo,
    applications: () => config.failMode.applications,
    alerts: raiserOf((a) => Promise.resolve(void alerts.push(a))),
    now,
  });
  late.deps = {
    status: (orgId) => healthStatus(h.store, repo, config, now(), orgId),
    owns: async (orgId, id) => (await h.store.integrations.get(orgId, id)) !== undefined,
    transitions: (orgId) => repo.transitions(orgId),
    buckets: (id, r, f, t) => repo.buckets(id, r, f, t),
    decide: (q) => advisor.decideRecorded(q),
    decisions: (orgId, f, t) => repo.decisions(orgId, f, t),
    policy: (slug) => config.failMode.applications.filter((a) => a.org === undefined || a.org === slug),
    factors: (orgId) => (orgId === h.orgs.a.id ? readings : []),
    maintenance: (slug) => config.maintenance.filter((w) => w.org === slug),
    windows: maintenanceRepository(h.store),
    probes: (id) => recent.list(id),
    // In this test "acme" plays the demo organization.
    demoFaults: (slug) => (slug === 'acme' ? faults : null),
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

function outcome(integrationId: string, at: number, total: number): ProbeOutcome {
  const phases = { dns: 0, connect: 0.4, tls: 5.1, ttfb: total - 6, total };
  const step = {
    ok: true,
    ms: total,
    httpStatus: 200,
    stat: 'OK' as const,
    code: null,
    errorKind: null,
    message: null,
    phases,
  };
  return {
    orgId: h.orgs.a.id,
    integrationId,
    kind: 'admin',
    apiHost: 'api-12345678.duosecurity.com',
    check: 'GET /admin/v1/settings',
    at: new Date(at),
    ping: { ...step, ms: 3 },
    signed: step,
    clockSkewS: 0,
    healthy: true,
    reason: 'ok',
  };
}

describe('GET /api/v1/orgs/{org}/health (dashboard parts)', () => {
  it('lists per-factor health and the maintenance windows of this organization only', async () => {
    // The windows below are fixed in time; the harness clock starts at the wall clock's now.
    h.now.t = Date.parse('2026-11-22T12:00:00Z');
    readings = [
      {
        factor: 'phone_call',
        attempts: 12,
        failures: 9,
        share: 0.75,
        baselineAttempts: 50,
        baselineShare: 0.02,
        degraded: true,
      },
    ];
    const c = await h.login('auditor-a');
    const view = (await (await h.call(c, 'GET', '/api/v1/orgs/acme/health')).json()) as {
      factors: unknown[];
      maintenance: Array<{ reason: string; active: boolean; integration: string | null }>;
    };
    expect(view.factors).toEqual([
      { factor: 'phone_call', attempts: 12, failures: 9, share: 0.75, baseline_share: 0.02, degraded: true },
    ]);
    // The window around the harness clock (12:00) is open; one that ended weeks ago is not listed.
    expect(view.maintenance).toEqual([
      {
        id: null,
        source: 'config',
        integration: null,
        start: '2026-11-22T11:30:00Z',
        end: '2026-11-22T12:30:00Z',
        reason: 'IdP upgrade',
        active: true,
        created_by: null,
      },
    ]);
  });

  it('schedules and deletes maintenance windows (admin, audited) next to the config ones', async () => {
    h.now.t = Date.parse('2026-11-22T12:00:00Z');
    const mine = await h.store.integrations.create(h.orgs.a.id, {
      kind: 'admin',
      apiHost: 'api-12345678.duosecurity.com',
      label: 'acme admin',
      mkey: null,
      ikey: 'DIWJ8X6AEYOR5OMC6TQ1',
      skey: 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep',
    });
    const admin = await h.login('admin-a');
    const add = (body: Record<string, unknown>) =>
      h.call(admin, 'POST', '/api/v1/orgs/acme/health/maintenance', body);
    const created = await add({
      integration: mine.id,
      start: '2026-11-22T13:00:00Z',
      end: '2026-11-22T14:00:00Z',
      reason: 'firewall change',
    });
    expect(created.status).toBe(201);
    const w = (await created.json()) as { id: number };
    expect(w).toMatchObject({ source: 'api', integration: mine.id, active: false, created_by: 'admin-a' });
    const view = async (slug = 'acme', who = 'auditor-a') =>
      (
        (await (await h.call(await h.login(who), 'GET', `/api/v1/orgs/${slug}/health`)).json()) as {
          maintenance: Array<{ id: number | null; source: string; reason: string }>;
        }
      ).maintenance;
    expect((await view()).map((m) => [m.source, m.reason])).toEqual([
      ['config', 'IdP upgrade'],
      ['api', 'firewall change'],
    ]);
    // Another organization sees none of it and cannot delete it.
    expect((await view('globex', 'owner-b')).filter((m) => m.source === 'api')).toEqual([]);
    const owner = await h.login('owner-b');
    expect(
      (await h.call(owner, 'DELETE', `/api/v1/orgs/globex/health/maintenance/${String(w.id)}`)).status,
    ).toBe(404);
    // Bad windows: a clear code, nothing stored.
    for (const bad of [
      { start: '2026-11-22T14:00:00Z', end: '2026-11-22T13:00:00Z' },
      { start: '2026-11-22T10:00:00Z', end: '2026-11-22T11:00:00Z' },
      { start: '2026-11-22T13:00:00Z', end: '2027-01-22T13:00:00Z' },
      { integration: 'not-ours', start: '2026-11-22T13:00:00Z', end: '2026-11-22T14:00:00Z' },
    ]) {
      const res = await add(bad);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('health.bad_window');
    }
    expect((await add({ start: 'tomorrow', end: '2026-11-22T14:00:00Z' })).status).toBe(400);
    const auditor = await h.login('auditor-a');
    expect(
      (
        await h.call(auditor, 'POST', '/api/v1/orgs/acme/health/maintenance', {
          start: '2026-11-22T13:00:00Z',
          end: '2026-11-22T14:00:00Z',
        })
      ).status,
    ).toBe(403);
    expect((await view()).filter((m) => m.source === 'api')).toHaveLength(1);
    const del = await h.call(admin, 'DELETE', `/api/v1/orgs/acme/health/maintenance/${String(w.id)}`);
    expect(del.status).toBe(200);
    expect((await view()).map((m) => m.source)).toEqual(['config']);
    expect(
      (await h.call(admin, 'DELETE', `/api/v1/orgs/acme/health/maintenance/${String(w.id)}`)).status,
    ).toBe(404);
    const audited = (await h.audit()).filter((a) => a.action.startsWith('health.maintenance'));
    expect(audited.map((a) => [a.action, a.details['reason']])).toEqual([
      ['health.maintenance_add', 'firewall change'],
      ['health.maintenance_delete', 'firewall change'],
    ]);
  });

  it('answers the last probes with phases for an integration of this organization, not of another', async () => {
    const mine = await h.store.integrations.create(h.orgs.a.id, {
      kind: 'admin',
      apiHost: 'api-12345678.duosecurity.com',
      label: 'acme admin',
      mkey: null,
      ikey: 'DIWJ8X6AEYOR5OMC6TQ1',
      skey: 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep',
    });
    const theirs = await h.store.integrations.create(h.orgs.b.id, {
      kind: 'admin',
      apiHost: 'api-87654321.duosecurity.com',
      label: 'globex admin',
      mkey: null,
      ikey: 'DIWJ8X6AEYOR5OMC6TQ2',
      skey: 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Eq',
    });
    const t0 = Date.parse('2026-11-22T11:58:00Z');
    // The series' default range ends at the harness clock, which starts at the wall clock's now.
    h.now.t = Date.parse('2026-11-22T12:00:00Z');
    for (let i = 0; i < 4; i += 1) await recent.add(outcome(mine.id, t0 + i * 1000, 20 + i), 'UP');
    await recent.add(outcome(theirs.id, t0, 30), 'DOWN');
    const c = await h.login('auditor-a');
    const res = await h.call(c, 'GET', `/api/v1/orgs/acme/health/probes?integration=${mine.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { probes: Array<{ at: string; phases_ms: { total: number } }> };
    // The store keeps the last three per integration, oldest first.
    expect(body.probes.map((p) => p.phases_ms.total)).toEqual([21, 22, 23]);
    expect(body.probes[0]).toMatchObject({
      at: '2026-11-22T11:58:01.000Z',
      healthy: true,
      state: 'UP',
      ping_ms: 3,
      signed_ms: 21,
      phases_ms: { dns: 0, connect: 0.4, tls: 5.1, ttfb: 15, total: 21 },
    });
    const other = await h.call(c, 'GET', `/api/v1/orgs/acme/health/probes?integration=${theirs.id}`);
    expect(((await other.json()) as { probes: unknown[] }).probes).toEqual([]);
    // The buckets answer the same way: another organization's integration has none here.
    const repo = healthRepository(h.store);
    await repo.count(h.orgs.b.id, theirs.id, t0, 'up', 20);
    await repo.count(h.orgs.a.id, mine.id, t0, 'up', 20);
    const series = async (id: string) =>
      (
        (await (await h.call(c, 'GET', `/api/v1/orgs/acme/health/series?integration=${id}`)).json()) as {
          points: unknown[];
        }
      ).points.length;
    expect(await series(mine.id)).toBe(1);
    expect(await series(theirs.id)).toBe(0);
    expect((await h.call(c, 'GET', '/api/v1/orgs/acme/health/probes')).status).toBe(400);
  });
});

describe('POST /api/v1/orgs/{org}/health/demo-fault', () => {
  it('sets one fault at a time on the demo emulator, clears only its own, and is audited', async () => {
    const other = emulator.control.addFault({ kind: 'rate_limit', path: '/admin/v2/logs/*', id: 'mine' });
    const admin = await h.login('admin-a');
    const down = await h.call(admin, 'POST', '/api/v1/orgs/acme/health/demo-fault', { fault: 'down' });
    expect(down.status).toBe(200);
    expect(await down.json()).toEqual({ active: ['down'] });
    expect(emulator.control.faults().find((f) => f.id === 'dashboard-down')).toMatchObject({
      kind: 'error',
      status: 503,
    });
    const slow = await h.call(admin, 'POST', '/api/v1/orgs/acme/health/demo-fault', { fault: 'slow' });
    expect(await slow.json()).toEqual({ active: ['slow'] });
    const auditor = await h.login('auditor-a');
    const view = (await (await h.call(auditor, 'GET', '/api/v1/orgs/acme/health')).json()) as {
      demo_faults: string[] | null;
    };
    expect(view.demo_faults).toEqual(['slow']);
    const clear = await h.call(admin, 'POST', '/api/v1/orgs/acme/health/demo-fault', { fault: 'clear' });
    expect(await clear.json()).toEqual({ active: [] });
    expect(emulator.control.faults().map((f) => f.id)).toEqual([other.id]);
    const rows = (await h.audit()).filter((a) => a.action === 'health.demo_fault');
    expect(rows.map((r) => r.details['fault'])).toEqual(['down', 'slow', 'clear']);
  });

  it('breaks telephony alone and starts simulated logins the auth log shows failing', async () => {
    const admin = await h.login('admin-a');
    const host = emulator.control.credentials()[0]?.hostname ?? '';
    const started = emulator.control.time().now;
    const res = await h.call(admin, 'POST', '/api/v1/orgs/acme/health/demo-fault', { fault: 'telephony' });
    expect(await res.json()).toEqual({ active: ['telephony'] });
    expect(emulator.control.faults().map((f) => [f.id, f.kind])).toEqual([
      ['dashboard-telephony', 'telephony'],
    ]);
    // The simulated calls time out after 60 s of emulated time; SMS fail at once; push still works.
    emulator.control.advance(61_000);
    const count = (factor: string, result: string) =>
      emulator.control
        .tenant(host)
        .authLog({ mintime: started, maxtime: emulator.control.time().now, limit: 1000, sort: 'ts:asc' })
        .events.filter((e) => e.factor === factor && e.result === result).length;
    await vi.waitFor(
      () => {
        expect(count('phone_call', 'denied')).toBeGreaterThan(0);
        expect(count('sms_refresh', 'error')).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(count('phone_call', 'success') + count('sms_refresh', 'success')).toBe(0);
    await h.call(admin, 'POST', '/api/v1/orgs/acme/health/demo-fault', { fault: 'clear' });
    expect(emulator.control.faults()).toEqual([]);
  });

  it('is for admins of the demo organization only, with a stable code elsewhere', async () => {
    const auditor = await h.login('auditor-a');
    expect(
      (await h.call(auditor, 'POST', '/api/v1/orgs/acme/health/demo-fault', { fault: 'down' })).status,
    ).toBe(403);
    const owner = await h.login('owner-b');
    const res = await h.call(owner, 'POST', '/api/v1/orgs/globex/health/demo-fault', { fault: 'down' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('health.not_demo');
    const view = (await (await h.call(owner, 'GET', '/api/v1/orgs/globex/health')).json()) as {
      demo_faults: unknown;
    };
    expect(view.demo_faults).toBeNull();
    const admin = await h.login('admin-a');
    expect(
      (await h.call(admin, 'POST', '/api/v1/orgs/acme/health/demo-fault', { fault: 'melt' })).status,
    ).toBe(400);
    expect(emulator.control.faults()).toEqual([]);
  });
});
