import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator, type TenantCredentials } from '../emulator/index.js';
import { openStore, type Store } from '../store/index.js';
import { AUTH_LOG_BUDGET_NOTE, createServices, DuoClients } from './index.js';

// The whole path a user takes, with real parts: the emulator over TLS on loopback, the guarded client
// (resolve override + the emulator's CA), the SQLite store with its vault, and the evidence capability.
let emulator: Emulator;
let listening: Awaited<ReturnType<Emulator['listen']>>;
let creds: TenantCredentials;
let store: Store;
let clients: DuoClients;
let dir: string;
let services: ReturnType<typeof createServices>;
const actor = { id: 'cli' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duowatch-services-'));
  emulator = await createEmulator({ seed: 'services-test', users: 60, rateLimit: false });
  listening = await emulator.listen({ tlsDir: join(dir, 'tls') });
  const first = emulator.credentials()[0];
  if (first === undefined) throw new Error('emulator has no tenant');
  creds = first;
  store = await openStore({ dataDir: join(dir, 'data'), env: {} });
  clients = new DuoClients({
    transport: {
      resolve: { [creds.hostname]: { address: listening.address, port: listening.port } },
      extraCaPem: [readFileSync(listening.caFile, 'utf8')],
      allowPrivateAddresses: true,
    },
    // Duo allows about one auth-log request a minute; the test makes several within seconds.
    ratesPerMinute: { auth_log: 6000, log: 6000 },
  });
  services = createServices({ store, clients });
});

afterAll(async () => {
  await clients.close();
  await store.close();
  await listening.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('services over the emulator', () => {
  it('refuses to save an integration whose test fails, and says why', async () => {
    await services.orgs.create({ slug: 'acme', name: 'Acme' }, actor);
    const bad = await services.integrations.add(
      'acme',
      { kind: 'admin', apiHost: creds.hostname, ikey: creds.admin.ikey, skey: 'x'.repeat(40) },
      {},
      actor,
    );
    expect(bad.saved).toBe(false);
    expect(bad.integration).toBeNull();
    const sigCheck = bad.report.checks.find((c) => c.status === 'fail');
    expect(sigCheck?.code).toBe(40103);
    expect(await services.integrations.list('acme')).toHaveLength(0);
  });

  it('rejects a pasted URL before any request', async () => {
    await expect(
      services.integrations.add(
        'acme',
        {
          kind: 'admin',
          apiHost: `https://${creds.hostname}/`,
          ikey: creds.admin.ikey,
          skey: creds.admin.skey,
        },
        {},
        actor,
      ),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('saves after Test before Save passes, syncs the five signals and records runs and audit', async () => {
    const ok = await services.integrations.add(
      'acme',
      {
        kind: 'admin',
        apiHost: creds.hostname,
        ikey: creds.admin.ikey,
        skey: creds.admin.skey,
        label: 'main',
      },
      {},
      actor,
    );
    expect(ok.report.ok).toBe(true);
    expect(ok.saved).toBe(true);
    expect(ok.report.checks.map((c) => c.status)).not.toContain('fail');
    expect(ok.integration?.ikeyHint).not.toBe(creds.admin.ikey);

    const view = await services.evidence.sync('acme', {}, actor);
    expect(view.org).toBe('acme');
    expect(view.signals.map((s) => s.id).sort()).toEqual(
      ['account_settings', 'admin_inventory', 'auth_log_aggregate', 'global_policy', 'mfa_enrollment'].sort(),
    );
    const users = emulator.world.tenant(creds.hostname).users();
    const enrollment = view.signals.find((s) => s.id === 'mfa_enrollment');
    expect(enrollment?.metrics['totalUsers'] ?? enrollment?.metrics['total']).toBe(users.length);
    expect((view.extended ?? []).length).toBeGreaterThan(0);

    const latest = await services.evidence.latest('acme');
    expect(latest.signals.map((s) => s.status)).toEqual(view.signals.map((s) => s.status));
    const runs = await services.runs.list('acme', {});
    expect(runs.map((r) => r.kind).sort()).toEqual(['auth_log_poll', 'identity_sync']);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    const orgs = await services.orgs.list();
    expect(orgs[0]?.worstStatus).not.toBeNull();

    const actions = (await store.auditLog.list((await store.organizations.findBySlug('acme'))?.id ?? '')).map(
      (e) => e.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining(['organization.create', 'integration.create', 'evidence.sync']),
    );
  });

  it('lets a save reuse a passing test of the same candidate from the last minute, never a failed one', async () => {
    const candidate = {
      kind: 'admin' as const,
      apiHost: creds.hostname,
      ikey: creds.admin.ikey,
      skey: creds.admin.skey,
    };
    const first = await services.integrations.testCandidate(candidate);
    expect(first.ok).toBe(true);
    emulator.control.clearRequests();
    expect(await services.integrations.testCandidate(candidate)).toEqual(first);
    expect(emulator.control.requests({ host: creds.hostname })).toHaveLength(0);
    const wrong = { ...candidate, skey: 'z'.repeat(40) };
    await services.integrations.testCandidate(wrong);
    emulator.control.clearRequests();
    await services.integrations.testCandidate(wrong);
    expect(emulator.control.requests({ host: creds.hostname }).length).toBeGreaterThan(0);
  });

  it('reports each missing grant by name after Duo revokes it', async () => {
    emulator.control.setGrants(creds.hostname, creds.admin.ikey, {
      read_log: false,
      administrators_read: false,
    });
    const [integration] = await services.integrations.list('acme');
    const report = await services.integrations.test('acme', integration?.id ?? '');
    expect(report.ok).toBe(false);
    const failed = report.checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.code)).toEqual([40301, 40301]);
    expect(failed.every((c) => (c.fix ?? '').length > 0)).toBe(true);
    emulator.control.setGrants(creds.hostname, creds.admin.ikey, {
      read_log: true,
      administrators_read: true,
    });
  });

  it('updates a label without a test, and refuses an unreachable new hostname unless forced', async () => {
    const [integration] = await services.integrations.list('acme');
    const id = integration?.id ?? '';
    const renamed = await services.integrations.update('acme', id, { label: 'renamed' }, {}, actor);
    expect(renamed).toMatchObject({ saved: true, integration: { label: 'renamed' }, report: { checks: [] } });
    // A hostname this machine cannot reach (no resolve pin, and the DNS guard refuses private answers).
    const moved = await services.integrations.update(
      'acme',
      id,
      { apiHost: 'api-00000000.duosecurity.com' },
      {},
      actor,
    );
    expect(moved.saved).toBe(false);
    expect(moved.report.ok).toBe(false);
    expect((await services.integrations.list('acme'))[0]?.apiHost).toBe(creds.hostname);
  });

  it('exports evidence for auditors', async () => {
    const from = new Date(Date.now() - 86_400_000);
    const to = new Date(Date.now() + 60_000);
    const html = await services.evidence.export('acme', { from, to, format: 'html' });
    expect(html.contentType).toMatch(/text\/html/);
    expect(html.body).toContain('mfa_enrollment');
    expect(html.filename).toContain('acme');
  });

  it('keeps the credential state on a transient Duo failure but records the error', async () => {
    const fault = emulator.control.addFault({ kind: 'error', status: 500, path: '/admin/v1/users' });
    try {
      await services.evidence.sync('acme', { signal: 'mfa_enrollment' }, actor);
      const [integration] = await services.integrations.list('acme');
      expect(integration?.health.state).toBe('ok');
      expect(integration?.health.lastErrorKind).toBe('server_error');
      const [latestRun] = await services.runs.list('acme', { limit: 1 });
      expect(latestRun?.status).toBe('failed');
      expect(latestRun?.explanation).toMatch(/server error/);
    } finally {
      emulator.control.removeFault(fault.id);
    }
  });

  it('backs off for 24 hours after Duo rejects a rotated-away secret, and a rotation clears it', async () => {
    // Someone resets the secret key in the Duo Admin Panel: our stored one stops working.
    const rotated = emulator.control.rotateSecret(creds.hostname, creds.admin.ikey);
    const [integration] = await services.integrations.list('acme');
    const id = integration?.id ?? '';
    const org = (await services.orgs.get('acme'))?.id ?? '';
    const [manual] = await services.runEvidenceJob('identity_sync', org, { manual: true });
    expect(manual?.result.outcome).toBe('failed');
    const failed = (await services.integrations.list('acme'))[0];
    expect(failed?.health.state).toBe('auth_failed');
    const until = Date.parse(failed?.health.until ?? '');
    expect(until - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    // A scheduled run inside the back-off does not call Duo at all.
    emulator.control.clearRequests();
    const [scheduled] = await services.runEvidenceJob('identity_sync', org, {});
    expect(scheduled?.run.status).toBe('skipped');
    expect(emulator.control.requests({ host: creds.hostname })).toHaveLength(0);
    // Pasting the new secret (Test before Save passes) clears the back-off.
    const saved = await services.integrations.rotate('acme', id, { skey: rotated.skey }, {}, actor);
    expect(saved.saved).toBe(true);
    expect((await services.integrations.list('acme'))[0]?.health.state).toBe('ok');
    const [after] = await services.runEvidenceJob('identity_sync', org, {});
    expect(after?.run.status).toBe('succeeded');
    creds = { ...creds, admin: { ...creds.admin, skey: rotated.skey } };
  });

  it('never returns or stores the secret key in plain text', async () => {
    const everything = JSON.stringify([
      await services.orgs.list(),
      await services.integrations.list('acme'),
      await services.evidence.latest('acme'),
      await services.runs.list('acme', {}),
    ]);
    expect(everything).not.toContain(creds.admin.skey);
    for (const f of readdirSync(join(dir, 'data'))) {
      if (!f.startsWith('duowatch.sqlite')) continue;
      expect(readFileSync(join(dir, 'data', f)).includes(Buffer.from(creds.admin.skey))).toBe(false);
    }
  });
  it('shows the auth-log signal as pending, with the budget reason, while its first poll runs', async () => {
    const o = await services.orgs.create({ slug: 'waiting', name: 'Waiting' }, actor);
    expect((await services.evidence.latest('waiting')).pending).toBeUndefined();
    // The scheduler's recorder opens the run when the poll starts and closes it when the poll ends.
    const run = await store.jobRuns.create(o.id, { kind: 'auth_log_poll' });
    await store.jobRuns.start(o.id, run.id);
    const waiting = await services.evidence.latest('waiting');
    expect(waiting.pending?.map((p) => [p.signal, p.reason])).toEqual([
      ['auth_log_aggregate', AUTH_LOG_BUDGET_NOTE],
    ]);
    expect(waiting.pending?.[0]?.reason).toMatch(/one request a minute/);
    expect(Number.isNaN(Date.parse(waiting.pending?.[0]?.since ?? ''))).toBe(false);
    await store.jobRuns.finish(o.id, run.id, { status: 'succeeded' });
    expect((await services.evidence.latest('waiting')).pending).toBeUndefined();
  });
});
