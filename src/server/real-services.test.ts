import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantCredentials } from '../emulator/index.js';
import type { Client, Harness } from './harness.test-helpers.js';
import { realDuo, type RealDuo } from './real-harness.test-helpers.js';

/**
 * The API over the lead's REAL services and the emulator over TLS on loopback (no fake below the HTTP
 * layer): Test before Save, evidence, history, export, runs and audit through the routes, tenant checks,
 * and no secret key in any response.
 */
let duo: RealDuo;
let creds: TenantCredentials;
let h: Harness;
let admin: Client;
const seen: string[] = [];

async function call(client: Client, method: string, path: string, body?: unknown): Promise<Response> {
  const res = await h.call(client, method, path, body);
  seen.push(await res.clone().text());
  return res;
}

beforeAll(async () => {
  duo = await realDuo('server-api', 40);
  creds = duo.creds;
  h = await duo.server({ realClock: true });
  admin = await h.login('admin-a');
});

afterAll(async () => {
  await duo?.close();
});

describe('the API over the real services', () => {
  it('Test before Save refuses a wrong secret key with Duo code 40103 and saves the right one', async () => {
    const candidate = {
      kind: 'admin',
      apiHost: creds.hostname,
      ikey: creds.admin.ikey,
      skey: creds.admin.skey,
    };
    const bad = await call(admin, 'POST', '/api/v1/orgs/acme/integrations', {
      ...candidate,
      skey: 'x'.repeat(40),
    });
    expect(bad.status).toBe(200);
    const badBody = (await bad.json()) as {
      saved: boolean;
      report: { checks: Array<{ status: string; code?: number }> };
    };
    expect(badBody.saved).toBe(false);
    expect(badBody.report.checks.find((c) => c.status === 'fail')?.code).toBe(40103);
    const tested = await call(admin, 'POST', '/api/v1/orgs/acme/integrations/test', candidate);
    expect(((await tested.json()) as { ok: boolean; clockSkewMs: number | null }).ok).toBe(true);
    const saved = await call(admin, 'POST', '/api/v1/orgs/acme/integrations', candidate);
    expect(saved.status).toBe(201);
    const list = (await (await call(admin, 'GET', '/api/v1/orgs/acme/integrations')).json()) as {
      integrations: Array<{ health: { state: string } }>;
    };
    expect(list.integrations).toHaveLength(1);
    expect(list.integrations[0]?.health.state).toBe('ok');
  });

  it('serves the evidence, its history, exports, runs and the audit trail', async () => {
    await h.services.evidence.sync(h.orgs.a.id, {}, { id: 'system' });
    const evidence = (await (await call(admin, 'GET', '/api/v1/orgs/acme/evidence')).json()) as {
      signals: Array<{ id: string; status: string }>;
      extended?: unknown[];
    };
    expect(evidence.signals.map((s) => s.id).sort()).toEqual([
      'account_settings',
      'admin_inventory',
      'auth_log_aggregate',
      'global_policy',
      'mfa_enrollment',
    ]);
    expect(Array.isArray(evidence.extended)).toBe(true);
    const history = (await (
      await call(admin, 'GET', '/api/v1/orgs/acme/evidence/mfa_enrollment/history')
    ).json()) as {
      records: unknown[];
    };
    expect(history.records.length).toBeGreaterThanOrEqual(1);
    for (const format of ['json', 'csv', 'html']) {
      const res = await call(admin, 'GET', `/api/v1/orgs/acme/evidence/export?format=${format}`);
      expect(res.status).toBe(200);
    }
    const runs = (await (await call(admin, 'GET', '/api/v1/orgs/acme/runs')).json()) as {
      runs: Array<{ kind: string }>;
    };
    expect(runs.runs.length).toBeGreaterThanOrEqual(1);
    const audit = (await (await call(admin, 'GET', '/api/v1/orgs/acme/audit')).json()) as {
      entries: Array<{ action: string }>;
    };
    expect(audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['evidence.export']));
    expect(audit.entries.length).toBeGreaterThanOrEqual(3);
    const orgs = (await (await call(admin, 'GET', '/api/v1/orgs')).json()) as {
      organizations: Array<{ worstStatus: string | null }>;
    };
    expect(orgs.organizations[0]?.worstStatus).not.toBeNull();
  });

  it("keeps other tenants out, and a service's not_found stays a 404", async () => {
    const other = await h.login('owner-b');
    expect((await call(other, 'GET', '/api/v1/orgs/acme/evidence')).status).toBe(404);
    const auditor = await h.login('auditor-a');
    expect((await call(auditor, 'POST', '/api/v1/orgs/acme/integrations/test', {})).status).toBe(403);
    const unknown = await call(admin, 'GET', '/api/v1/orgs/acme/evidence/no_such_signal/history');
    expect([400, 404]).toContain(unknown.status);
  });

  it('never sends the secret key back', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const text of seen) expect(text.includes(creds.admin.skey)).toBe(false);
    for (const line of h.logs) expect(line.includes(creds.admin.skey)).toBe(false);
  });
});
