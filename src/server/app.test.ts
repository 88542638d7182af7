import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bootstrapAdmin, verifyPassword } from '../accounts/index.js';
import { PASSWORD } from './harness.test-helpers.js';
import { listen } from './listen.js';
import { createLogger } from './logger.js';
import { realDuo, type RealDuo } from './real-harness.test-helpers.js';
import { sha256 } from '../accounts/index.js';

/** The server over the real services, the emulator over TLS and SQLite; a fresh store per test. */
let duo: RealDuo;
beforeAll(async () => {
  duo = await realDuo('server-app');
});
afterAll(async () => {
  await duo?.close();
});
const harness = () => duo.server();
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('HTTP surface', () => {
  it('sends the security headers on API, page, asset and error responses', async () => {
    const h = await harness();
    for (const path of [
      '/',
      '/app.js',
      '/api/v1/orgs',
      '/api/v1/nope',
      '/healthz',
      '/vendor/uplot/uPlot.iife.min.js',
    ]) {
      const res = await h.app.request(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
    }
  });

  it('serves the dashboard and uplot locally, and nothing outside public/', async () => {
    const h = await harness();
    const page = await h.app.request('/');
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)|style="|https?:\/\/(?!www\.w3\.org)/);
    expect((await h.app.request('/vendor/uplot/uPlot.iife.min.js')).status).toBe(200);
    expect((await h.app.request('/vendor/uplot/package.json')).status).toBe(404);
    expect((await h.app.request('/..%2Fpackage.json')).status).toBe(404);
    expect((await h.app.request('/%2e%2e/src/server/app.ts')).status).toBe(404);
    const etag = (await h.app.request('/app.js')).headers.get('etag') ?? '';
    expect((await h.app.request('/app.js', { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('publishes an OpenAPI 3.1 document with both security schemes', async () => {
    const h = await harness();
    const doc = (await (await h.app.request('/api/openapi.json')).json()) as {
      openapi: string;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'session']);
    expect(doc.components.schemas).toHaveProperty('Error');
    expect(doc.paths).toHaveProperty('/api/v1/orgs/{org}/evidence/{signal}/history');
  });

  it('lists every validation problem at once', async () => {
    const h = await harness();
    const admin = await h.login('admin-a');
    const res = await h.call(admin, 'POST', '/api/v1/orgs/acme/integrations', {
      kind: 'nope',
      apiHost: '',
      ikey: 'x',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: Array<{ path: string }> } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.path).sort()).toEqual([
      'json.apiHost',
      'json.ikey',
      'json.kind',
      'json.skey',
    ]);
    const malformed = await h.app.request('/api/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(malformed.status).toBe(400);
  });

  it('health: /healthz always, /readyz only while the database answers', async () => {
    const h = await harness();
    expect((await h.app.request('/healthz')).status).toBe(200);
    expect((await h.app.request('/readyz')).status).toBe(200);
    await h.store.close();
    const down = await h.app.request('/readyz');
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe('db_unreachable');
  });

  it('exposes runs, run errors by kind, credential states and request latency on /metrics', async () => {
    const h = await harness();
    const admin = await h.login('admin-a');
    expect((await h.call(admin, 'POST', '/api/v1/orgs/acme/integrations', duo.candidate)).status).toBe(201);
    // Later than the server's start, so /metrics counts what finishes from here on.
    h.now.t += 1000;
    // "Sync now" without a scheduler runs in the background against the emulator and records its run.
    await h.call(admin, 'POST', '/api/v1/orgs/acme/sync');
    await vi.waitFor(
      async () => {
        const [run] = await h.store.jobRuns.list(h.orgs.a.id, { kind: 'identity_sync' });
        expect(run?.status).toBe('succeeded');
      },
      { timeout: 30_000, interval: 100 },
    );
    // Runs as the scheduler records them in the store; /metrics reads those finished since it started.
    for (const [kind, status, errorKind] of [
      ['identity_sync', 'succeeded', null],
      ['auth_log_poll', 'failed', 'auth_failed'],
    ] as const) {
      const run = await h.store.jobRuns.create(h.orgs.a.id, { kind });
      await h.store.jobRuns.start(h.orgs.a.id, run.id, new Date(h.now.t));
      await h.store.jobRuns.finish(h.orgs.a.id, run.id, {
        status,
        finishedAt: new Date(h.now.t + 1200),
        errorKind,
      });
    }
    const text = await (await h.app.request('/metrics')).text();
    // The one "Sync now" ran and the one written here.
    expect(text).toMatch(/duowatch_runs_total\{kind="identity_sync",status="succeeded"\} 2/);
    expect(text).toMatch(/duowatch_run_errors_total\{kind="auth_log_poll",error_kind="auth_failed"\} 1/);
    // Credential states come from the store's health rows (security-edge.test.ts covers a failed one).
    expect(text).toMatch(
      /duowatch_http_requests_total\{method="POST",route="\/api\/v1\/orgs\/:org\/sync",status="202"\} 1/,
    );
    // Scraping twice must not count the same runs twice.
    const again = await (await h.app.request('/metrics')).text();
    expect(again).toMatch(/duowatch_runs_total\{kind="identity_sync",status="succeeded"\} 2/);
  });
});

describe('integrations through the API', () => {
  it('Test before Save: a failing candidate is not saved and the report explains the fix', async () => {
    const h = await harness();
    const admin = await h.login('admin-a');
    // The Admin API application lacks "Grant read log" on the tenant, until an administrator ticks it.
    const { hostname } = duo.creds;
    duo.emulator.control.setGrants(hostname, duo.candidate.ikey, { read_log: false });
    const res = await h.call(admin, 'POST', '/api/v1/orgs/acme/integrations', duo.candidate);
    duo.emulator.control.setGrants(hostname, duo.candidate.ikey, { read_log: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      saved: boolean;
      report: { checks: Array<{ id: string; status: string; code?: number; fix?: string }> };
    };
    expect(body.saved).toBe(false);
    expect(body.report.checks.find((c) => c.id === 'grant_read_log')).toMatchObject({
      status: 'fail',
      code: 40301,
    });
    const list = (await (await h.call(admin, 'GET', '/api/v1/orgs/acme/integrations')).json()) as {
      integrations: unknown[];
    };
    expect(list.integrations).toEqual([]);
    const saved = await h.call(admin, 'POST', '/api/v1/orgs/acme/integrations', duo.candidate);
    expect(saved.status).toBe(201);
  });

  it("refuses another org's integration id under this org's path", async () => {
    const h = await harness();
    const ownerB = await h.login('owner-b');
    const added = await h.call(ownerB, 'POST', '/api/v1/orgs/globex/integrations', duo.candidate);
    const idB = ((await added.json()) as { integration: { id: string } }).integration.id;
    const ownerA = await h.login('owner-a');
    const res = await h.call(ownerA, 'DELETE', `/api/v1/orgs/acme/integrations/${idB}`);
    expect(res.status).toBe(404);
    const stillThere = (await (await h.call(ownerB, 'GET', '/api/v1/orgs/globex/integrations')).json()) as {
      integrations: unknown[];
    };
    expect(stillThere.integrations).toHaveLength(1);
  });

  it('exports evidence as an attachment and audits the export', async () => {
    const h = await harness();
    const admin = await h.login('admin-a');
    await h.call(admin, 'POST', '/api/v1/orgs/acme/integrations', duo.candidate);
    const auditor = await h.login('auditor-a');
    for (const format of ['json', 'csv', 'html']) {
      const res = await h.call(auditor, 'GET', `/api/v1/orgs/acme/evidence/export?format=${format}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(
        new RegExp(`^attachment; filename="duowatch-evidence-acme-.*\\.${format}"$`),
      );
    }
    const exports = (await h.audit()).filter((e) => e.action === 'evidence.export');
    expect(exports).toHaveLength(3);
    expect(exports[0]?.actor).toBe(`operator:${h.users.auditorA.id}`);
    const bad = await h.call(
      auditor,
      'GET',
      '/api/v1/orgs/acme/evidence/export?from=2020-01-01&to=2026-01-01',
    );
    expect(await code(bad)).toBe('bad_range');
  });
});

describe('API tokens', () => {
  it('are stored hashed, work as Bearer for their org and role only, and stop working when revoked or expired', async () => {
    const h = await harness();
    const owner = await h.login('owner-a');
    const res = await h.call(owner, 'POST', '/api/v1/orgs/acme/tokens', {
      label: 'ci',
      role: 'auditor',
      expiresInDays: 1,
    });
    const { token, apiToken } = (await res.json()) as { token: string; apiToken: { id: string } };
    expect(token).toMatch(/^dwt_[\w-]{43}$/);
    const stored = await h.store.apiTokens.list(h.orgs.a.id);
    expect(stored[0]?.tokenHash).toBe(sha256(token));
    const bearer = { authorization: `Bearer ${token}` };
    expect((await h.app.request('/api/v1/orgs/acme/evidence', { headers: bearer })).status).toBe(200);
    expect((await h.app.request('/api/v1/orgs/acme/sync', { method: 'POST', headers: bearer })).status).toBe(
      403,
    );
    expect((await h.app.request('/api/v1/orgs/globex/evidence', { headers: bearer })).status).toBe(404);
    const orgs = (await (await h.app.request('/api/v1/orgs', { headers: bearer })).json()) as {
      organizations: Array<{ slug: string }>;
    };
    expect(orgs.organizations.map((o) => o.slug)).toEqual(['acme']);
    expect((await h.store.apiTokens.list(h.orgs.a.id))[0]?.lastUsedAt).not.toBeNull();
    h.now.t += 2 * 86_400_000;
    const expired = await h.app.request('/api/v1/orgs/acme/evidence', { headers: bearer });
    expect(expired.status).toBe(401);
    expect(await code(expired)).toBe('invalid_token');
    const again = await h.login('owner-a');
    expect((await h.call(again, 'DELETE', `/api/v1/orgs/acme/tokens/${apiToken.id}`)).status).toBe(200);
    expect((await h.call(again, 'DELETE', `/api/v1/orgs/acme/tokens/${apiToken.id}`)).status).toBe(404);
  });

  it('cannot be minted above your role, and a token cannot mint tokens', async () => {
    const h = await harness();
    const admin = await h.login('admin-a');
    const above = await h.call(admin, 'POST', '/api/v1/orgs/acme/tokens', { label: 'x', role: 'owner' });
    expect(above.status).toBe(403);
    const made = await h.call(admin, 'POST', '/api/v1/orgs/acme/tokens', { label: 'x', role: 'admin' });
    const { token } = (await made.json()) as { token: string };
    const byToken = await h.app.request('/api/v1/orgs/acme/tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'y', role: 'auditor' }),
    });
    expect(byToken.status).toBe(403);
    expect(await code(byToken)).toBe('session_required');
    expect((await h.audit()).filter((e) => e.action === 'api_token.create')).toHaveLength(1);
  });
});

describe('operators and the audit log', () => {
  it('a global admin creates users and grants roles; each change is audited and visible to the org', async () => {
    const h = await harness();
    const root = await h.login('root');
    const created = await h.call(root, 'POST', '/api/v1/users', {
      username: 'dana',
      password: 'a long enough passphrase',
    });
    expect(created.status).toBe(201);
    const dana = (await created.json()) as { id: string };
    const owner = await h.login('owner-a');
    expect(
      (await h.call(owner, 'PUT', `/api/v1/orgs/acme/members/${dana.id}`, { role: 'auditor' })).status,
    ).toBe(200);
    const danaClient = await h.login('dana', 'a long enough passphrase');
    expect((await h.call(danaClient, 'GET', '/api/v1/orgs/acme/evidence')).status).toBe(200);
    expect((await h.call(root, 'PATCH', `/api/v1/users/${dana.id}`, { disabled: true })).status).toBe(200);
    expect((await h.call(danaClient, 'GET', '/api/v1/orgs/acme/evidence')).status).toBe(401);
    const log = (await (await h.call(owner, 'GET', '/api/v1/orgs/acme/audit')).json()) as {
      entries: Array<{ action: string; outcome: string }>;
    };
    expect(log.entries.map((e) => e.action)).toContain('member.set');
    const all = (await (await h.call(root, 'GET', '/api/v1/audit?limit=500')).json()) as {
      entries: Array<{ action: string; outcome: string }>;
    };
    expect(all.entries.filter((e) => e.action === 'session.login').length).toBeGreaterThanOrEqual(3);
    expect(all.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['user.create', 'user.update']));
  });
});

describe('bootstrapAdmin, listen, logger', () => {
  it('creates the first administrator once with a generated password, audited without the password', async () => {
    const h = await harness();
    // The harness already made operators, so nothing happens here…
    expect(await bootstrapAdmin(h.store)).toEqual({ created: false, username: 'admin' });
    const empty = await harness();
    for (const op of await empty.store.operators.list())
      await empty.store.db.deleteFrom('operators').where('id', '=', op.id).execute();
    const first = await bootstrapAdmin(empty.store, { scrypt: { N: 1024, r: 8, p: 1 } });
    expect(first.created).toBe(true);
    expect(first.password).toMatch(/^[\w-]{24}$/);
    const op = await empty.store.operators.findByUsername('admin');
    expect(op?.superadmin).toBe(true);
    expect(await verifyPassword(first.password ?? '', op?.passwordHash ?? '')).toBe(true);
    const entries = JSON.stringify(await empty.store.auditLog.listAll());
    expect(entries).toContain('"bootstrap":true');
    expect(entries).not.toContain(first.password);
    const given = await bootstrapAdmin(empty.store, { password: PASSWORD });
    expect(given.created).toBe(false);
  });

  it('listens on 127.0.0.1 and closes despite an idle keep-alive connection', async () => {
    const h = await harness();
    const server = await listen(h.app, { host: '127.0.0.1', port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/healthz`, { headers: { connection: 'keep-alive' } });
    expect(res.status).toBe(200);
    await res.text();
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('redacts secrets from structured logs', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ destination: sink });
    logger.info(
      {
        skey: duo.candidate.skey,
        req: { headers: { authorization: 'Bearer dwt_secret', cookie: 'dw_session=abc' } },
        input: { password: PASSWORD, token: 'dwt_x' },
      },
      'x',
    );
    const text = lines.join('');
    for (const secret of [duo.candidate.skey, 'dwt_secret', 'dw_session=abc', PASSWORD, 'dwt_x'])
      expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});
