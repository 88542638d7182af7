import { appDispatcher } from '../duo/test-support/app-dispatcher.test-helpers.js';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDuoClient, LimiterRegistry, systemClock, type DuoClient } from '../duo/index.js';
import { createEmulator, type Emulator, type TenantCredentials } from '../emulator/index.js';
import { evidencePortsFromDuoClient, runAuthLogPoll, runIdentitySync, type AuthEventLike } from './index.js';
import { connectionProbe, testConnection } from '../integrations/index.js';
import { createMemoryEvidenceStore } from './memory-store.test-helpers.js';

// Through the real parts: the Duo wire client (signing, paging, errors) talking in-process to the emulator
// (request verification, grants, byte-exact responses), each tenant built from a fixture.

interface Harness {
  emulator: Emulator;
  tenant: TenantCredentials;
  clock: { now(): number };
}

/** An emulator whose tenant comes from a fixture file path, or from a fixture written inline as JSON text. */
async function tenantFrom(fixture: object | string): Promise<Harness> {
  const emulator = await createEmulator({
    seed: 'evidence-integration',
    rateLimit: false,
    tenantFile: typeof fixture === 'string' ? fixture : 'inline.json',
    ...(typeof fixture === 'string' ? {} : { readTextFile: () => Promise.resolve(JSON.stringify(fixture)) }),
  });
  const tenant = emulator.credentials()[0];
  if (tenant === undefined) throw new Error('no tenant');
  return { emulator, tenant, clock: { now: () => emulator.control.time().now } };
}

function clientOf(h: Harness, skey = h.tenant.admin.skey): DuoClient {
  return createDuoClient({
    ikey: h.tenant.admin.ikey,
    skey,
    host: h.tenant.hostname,
    dispatcher: appDispatcher(h.emulator.app),
    // Spacing is the limiter's job and is tested there; here it would only slow the test down.
    limiter: new LimiterRegistry({
      clock: systemClock,
      ratesPerMinute: { auth_log: Infinity, log: Infinity, admin_read: Infinity },
    }),
  });
}

async function sync(fixture: object | string) {
  const h = await tenantFrom(fixture);
  const store = createMemoryEvidenceStore();
  const out = await runIdentitySync({
    org: 'acme',
    integration: 'int',
    reader: evidencePortsFromDuoClient(clientOf(h)),
    store,
    clock: h.clock,
  });
  const status = (id: string) => out.signals.find((s) => s.id === id)?.status;
  return { out, status, store };
}

const quiet = { logs: { authsPerUserPerDay: 0 } };

describe('evidence over the Duo client and the emulator', () => {
  it.each([
    [{ active: 95, bypass: 5 }, 'warning'], // bypass exactly 5 %
    [{ active: 94, bypass: 6 }, 'fail'],
    [{ active: 100, enrolled: 80 }, 'warning'], // share exactly 80 %
    [{ active: 100, enrolled: 79 }, 'fail'],
    [{ active: 100, enrolled: 95 }, 'pass'], // share exactly 95 %
    [{ active: 100, enrolled: 94 }, 'warning'],
    [{ active: 0 }, 'warning'], // zero-user tenant
  ] as const)('mfa_enrollment on a fixture tenant %j → %s', async (generate, expected) => {
    const { status, out } = await sync({ generate, ...quiet });
    expect(out.outcome).toBe('ok');
    expect(status('mfa_enrollment')).toBe(expected);
  });

  it('more than one page of users: every user is listed (three pages of 300)', async () => {
    const { out } = await sync({ generate: { active: 650 }, ...quiet });
    const mfa = out.signals.find((s) => s.id === 'mfa_enrollment');
    expect(mfa).toMatchObject({ truncated: false, status: 'pass', metrics: { total: 650, enrolled: 650 } });
  });

  it('a page cap that cuts the listing short is never Pass, and says so', async () => {
    const h = await tenantFrom({ generate: { active: 650 }, ...quiet });
    const out = await runIdentitySync({
      org: 'acme',
      integration: 'int',
      reader: evidencePortsFromDuoClient(clientOf(h)),
      store: createMemoryEvidenceStore(),
      clock: h.clock,
      caps: { maxPages: 2, pageSize: 300 },
    });
    const mfa = out.signals.find((s) => s.id === 'mfa_enrollment');
    expect(mfa?.truncated).toBe(true);
    expect(mfa?.status).not.toBe('pass');
    expect(mfa?.notes.join(' ')).toMatch(/\d/);
  });

  it.each([
    [10, 'pass'],
    [11, 'fail'], // more than 10 administrators
    [0, 'warning'], // none at all
  ] as const)('admin_inventory with %i administrators → %s', async (n, expected) => {
    const admins = Array.from({ length: n }, (_, i) => ({
      name: `Admin ${String(i)}`,
      email: `a${String(i)}@example.com`,
      role: i === 0 ? 'Owner' : 'Administrator',
    }));
    expect((await sync({ generate: { active: 5 }, ...quiet, admins })).status('admin_inventory')).toBe(
      expected,
    );
  });

  it.each([
    [{ lockout_threshold: 10, lockout_expire_duration: 30 }, 'pass'],
    [{ lockout_threshold: 10, lockout_expire_duration: 0 }, 'warning'],
    [{ lockout_threshold: 0, lockout_expire_duration: 30 }, 'warning'],
  ] as const)('account_settings %j → %s', async (settings, expected) => {
    expect((await sync({ generate: { active: 5 }, ...quiet, settings })).status('account_settings')).toBe(
      expected,
    );
  });

  it('global policy, admin inventory and settings rules on fixture tenants', async () => {
    const base = { generate: { active: 10 }, ...quiet };
    expect(
      (await sync({ ...base, policies: { global: { authentication_policy: 'enforce' } } })).status(
        'global_policy',
      ),
    ).toBe('pass');
    expect(
      (await sync({ ...base, policies: { global: { authentication_policy: 'bypass' } } })).status(
        'global_policy',
      ),
    ).toBe('fail');
    expect(
      (await sync({ ...base, policies: { global: { new_user_behavior: 'no-mfa' } } })).status(
        'global_policy',
      ),
    ).toBe('fail');
    const owners = Array.from({ length: 6 }, (_, i) => ({
      name: `Owner ${String(i)}`,
      email: `o${String(i)}@example.com`,
      role: 'Owner',
    }));
    const inv = await sync({ ...base, admins: owners });
    expect(inv.status('admin_inventory')).toBe('fail');
    expect(inv.out.signals.find((s) => s.id === 'admin_inventory')?.metrics['ownerNames']).toHaveLength(6);
    expect((await sync({ ...base, admins: owners.slice(0, 5) })).status('admin_inventory')).toBe('pass');
    expect((await sync({ ...base, settings: { lockout_threshold: 0 } })).status('account_settings')).toBe(
      'warning',
    );
  });

  it('a fixture file tenant: every identity signal, Owners, bypass members, extended signals', async () => {
    const { out } = await sync(fileURLToPath(new URL('./fixtures/acme-mixed.yaml', import.meta.url)));
    const sig = (id: string) => [...out.signals, ...out.extended].find((s) => s.id === id);
    // 10 users, 8 enrolled (dan and eve have no factor): 80 %; 1 bypass of 10 = 10 % → Fail.
    expect(sig('mfa_enrollment')?.metrics).toMatchObject({ total: 10, enrolled: 8, bypassCount: 1 });
    expect(sig('mfa_enrollment')?.metrics['bypassMembers']).toEqual([
      expect.objectContaining({ username: 'eve' }),
    ]);
    expect(sig('mfa_enrollment')?.status).toBe('fail');
    expect(sig('global_policy')?.status).toBe('pass');
    expect(sig('admin_inventory')?.metrics['ownerNames']).toEqual(['Olga Owner']);
    expect(sig('account_settings')?.status).toBe('pass');
    expect(sig('admins_never_logged_in')?.metrics['names']).toEqual(['Nick Never']);
    expect(sig('locked_out_users')?.metrics['usernames']).toEqual(['fay']);
    expect(sig('admin_password_policy')?.status).toBe('warning');
  });

  it('Test Connection passes, then names removed grants with 40301', async () => {
    const h = await tenantFrom({ generate: { active: 3 } });
    const ports = connectionProbe(clientOf(h));
    const good = await testConnection(ports, { clock: h.clock });
    expect(good.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(good.ok).toBe(true);
    h.emulator.control.setGrants(h.tenant.hostname, h.tenant.admin.ikey, {
      read_log: false,
      administrators_read: false,
    });
    const bad = await testConnection(ports, { clock: h.clock });
    expect(bad.checks.filter((c) => c.status === 'fail').map((c) => [c.id, c.code])).toEqual([
      ['grant_read_log', 40301],
      ['grant_administrators_read', 40301],
    ]);
  });

  it('a wrong Secret key marks the credential auth_failed for 24 h', async () => {
    const h = await tenantFrom({ generate: { active: 3 } });
    const store = createMemoryEvidenceStore();
    const out = await runIdentitySync({
      org: 'o',
      integration: 'i',
      reader: evidencePortsFromDuoClient(clientOf(h, 'x'.repeat(40))),
      store,
      clock: h.clock,
    });
    expect(out.outcome).toBe('failed');
    expect(out.error?.code).toBe(40103);
    expect(out.health?.state).toBe('auth_failed');
    expect((out.health?.until?.getTime() ?? 0) - (out.health?.updatedAt.getTime() ?? 0)).toBe(86_400_000);
  });

  it('auth-log poll: one user-reported fraud in the window fails the aggregate', async () => {
    const h = await tenantFrom({ generate: { active: 10 }, ...quiet });
    const clean = await runAuthLogPoll({
      org: 'o',
      integration: 'i',
      reader: evidencePortsFromDuoClient(clientOf(h)),
      store: createMemoryEvidenceStore(),
      clock: h.clock,
    });
    expect(clean.signals[0]?.metrics['fraud']).toBe(0);
    // Injected ten minutes ago, so it is past Duo's two-minute visibility delay.
    h.emulator.control.inject(h.tenant.hostname, { kind: 'fraud', at: h.clock.now() - 600_000 });
    const out = await runAuthLogPoll({
      org: 'o2',
      integration: 'i',
      reader: evidencePortsFromDuoClient(clientOf(h)),
      store: createMemoryEvidenceStore(),
      clock: h.clock,
    });
    expect(out.signals[0]?.metrics['fraud']).toBe(1);
    expect(out.signals[0]?.status).toBe('fail');
  });

  it('auth-log poll: counts exactly the events Duo holds in the window, and stores none of their details', async () => {
    const h = await tenantFrom({ generate: { active: 20 }, logs: { authsPerUserPerDay: 40 } });
    const client = clientOf(h);
    const store = createMemoryEvidenceStore();
    const out = await runAuthLogPoll({
      org: 'o',
      integration: 'i',
      reader: evidencePortsFromDuoClient(client),
      store,
      clock: h.clock,
    });
    expect(out.outcome).toBe('ok');
    const agg = out.signals[0]?.metrics ?? {};
    const now = h.clock.now();
    // Read the same window directly to know what was there.
    const direct: AuthEventLike[] = [];
    const mintime = Math.floor((now - 86_400_000) / 1000) * 1000;
    for await (const page of client.logs.authentication({
      mintime,
      maxtime: now - 120_000,
      pageSize: 1000,
    })) {
      direct.push(...page.items);
    }
    expect(direct.length).toBeGreaterThan(0);
    expect((agg['total'] as number) + (agg['enrollmentEvents'] as number)).toBe(direct.length);
    const dump = store.dump();
    for (const e of direct.slice(0, 300) as Array<Record<string, unknown>>) {
      expect(dump).not.toContain(String(e['txid']));
      const user = e['user'] as { name?: string; key?: string } | null;
      if (typeof user?.name === 'string') expect(dump).not.toContain(`"${user.name}"`);
      if (typeof user?.key === 'string') expect(dump).not.toContain(user.key);
      const ip = (e['access_device'] as { ip?: string } | null)?.ip;
      if (typeof ip === 'string') expect(dump).not.toContain(ip);
    }
  });
});
