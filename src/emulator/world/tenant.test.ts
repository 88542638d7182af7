import { describe, expect, it } from 'vitest';
import { createAccountsWorld, createClock, createTenant, type Tenant } from './index.js';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const DAY = 86_400_000;

function make(seed: string, users: number): Tenant {
  return createTenant(
    { hostname: 'api-test0001.duosecurity.com', seed, users, now: NOW },
    createClock({ realNow: () => NOW }),
  );
}

function snapshot(t: Tenant): string {
  const window = { mintime: NOW - 2 * DAY, maxtime: NOW, limit: 300, sort: 'ts:asc' as const };
  return JSON.stringify({
    users: t.users(),
    admins: t.admins(),
    groups: t.groups(),
    integrations: t.integrations(),
    apps: t.applications(),
    policies: t.policies(),
    settings: t.settings(),
    info: t.infoSummary(),
    auth: t.authLog(window),
    telephony: t.telephonyLog(window),
    activity: t.activityLog(window),
    trust: t.trustMonitor({ mintime: NOW - 60 * DAY, maxtime: NOW, limit: 50 }),
    admin: t.adminLog(Math.floor((NOW - 3 * DAY) / 1000), 1000, NOW / 1000),
    offline: t.offlineEnrollmentLog(Math.floor((NOW - 30 * DAY) / 1000), 1000, NOW / 1000),
  });
}

describe('deterministic tenant', () => {
  it('the same seed gives byte-identical tenant and logs; another seed differs', () => {
    const a = snapshot(make('alpha', 150));
    const b = snapshot(make('alpha', 150));
    const c = snapshot(make('beta', 150));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a.length).toBeGreaterThan(100_000);
  });

  it('a bigger tenant from the same seed extends the smaller one', () => {
    const small = make('grow', 50)
      .users()
      .map((u) => u.user_id);
    const big = make('grow', 80)
      .users()
      .map((u) => u.user_id);
    expect(big.slice(0, 50)).toEqual(small);
  });
});

describe('realistic directory', () => {
  const t = make('mix', 3000);
  const users = t.users();

  it('has Duo statuses in a realistic mix', () => {
    const share = (s: string) => users.filter((u) => u.status === s).length / users.length;
    expect(share('active')).toBeGreaterThan(0.84);
    expect(share('active')).toBeLessThan(0.92);
    for (const s of ['bypass', 'disabled', 'locked out', 'pending deletion']) {
      expect(share(s)).toBeGreaterThan(0.005);
      expect(share(s)).toBeLessThan(0.08);
    }
    expect(users.filter((u) => u.status === 'locked out').every((u) => u.lockout_reason !== null)).toBe(true);
  });

  it('has every kind of factor, and some users with none', () => {
    const count = (f: (u: (typeof users)[number]) => boolean) => users.filter(f).length;
    expect(count((u) => u.phones.some((p) => p.capabilities.includes('push')))).toBeGreaterThan(
      users.length * 0.7,
    );
    expect(count((u) => u.phones.some((p) => p.type === 'Landline'))).toBeGreaterThan(0);
    expect(count((u) => u.tokens.some((t) => t.type === 'h6'))).toBeGreaterThan(0);
    expect(count((u) => u.tokens.some((t) => t.type === 'yk'))).toBeGreaterThan(0);
    expect(count((u) => u.webauthncredentials.length > 0)).toBeGreaterThan(users.length * 0.1);
    expect(count((u) => u.u2ftokens.length > 0)).toBeGreaterThan(0);
    expect(count((u) => u.desktoptokens.length > 0)).toBeGreaterThan(0);
    const none = count((u) => !u.is_enrolled);
    expect(none / users.length).toBeGreaterThan(0.04);
    expect(none / users.length).toBeLessThan(0.12);
    expect(users.filter((u) => !u.is_enrolled).every((u) => u.phones.length + u.tokens.length === 0)).toBe(
      true,
    );
  });

  it('uses 20-character ids with Duo prefixes, unique usernames', () => {
    const id = (prefix: string) => new RegExp(`^${prefix}[A-Z0-9]{18}$`);
    for (const u of users) {
      expect(u.user_id).toMatch(id('DU'));
      for (const p of u.phones) expect(p.phone_id).toMatch(id('DP'));
      for (const k of u.tokens) expect(k.token_id).toMatch(id('DH'));
      for (const g of u.groups) expect(g.group_id).toMatch(id('DG'));
    }
    expect(new Set(users.map((u) => u.username)).size).toBe(users.length);
    for (const i of t.integrations()) expect(i.integration_key).toMatch(id('DI'));
    for (const p of t.policies()) expect(p.policy_key).toMatch(id('PO'));
    expect(t.accountId).toMatch(id('DA'));
    const device = t.applications().find((a) => a.kind === 'device');
    expect(device?.mkey).toMatch(id('DM'));
    for (const a of t.applications()) expect(a.skey).toMatch(/^[A-Za-z0-9]{40}$/);
  });

  it('has admins with roles, one Owner, last logins; policies and settings with Duo defaults', () => {
    const admins = t.admins();
    expect(admins.filter((a) => a.role === 'Owner')).toHaveLength(1);
    expect(admins.some((a) => a.last_login !== null)).toBe(true);
    const g = t.globalPolicy();
    expect(g.is_global_policy).toBe(true);
    expect(g.sections['authentication_policy']).toEqual({ authentication_policy: 'enforce' });
    expect(g.sections['new_user']).toEqual({ new_user_behavior: 'enroll' });
    expect(t.policies().filter((p) => !p.is_global_policy).length).toBeGreaterThan(0);
    expect(t.settings().lockout_threshold).toBe(10);
    expect(t.settings().minimum_password_length).toBe(12);
    const info = t.infoSummary();
    expect(info.user_count).toBe(3000);
    expect(info.admin_count).toBe(admins.length);
    expect(t.policySummary().global_policy_key).toBe(g.policy_key);
  });

  it('lists phones and tokens with their users, and bypass codes after one is made', () => {
    expect(t.phones().every((p) => p.users.length === 1)).toBe(true);
    expect(t.tokens().every((k) => k.users.length === 1 && Array.isArray(k.admins))).toBe(true);
    const seeded = t.bypassCodes();
    expect(seeded.length).toBeGreaterThan(20);
    expect(seeded.length).toBeLessThan(300);
    const holders = new Set(seeded.map((b) => b.user.user_id));
    const u = users.find((x) => x.status === 'active' && !holders.has(x.user_id)) as (typeof users)[number];
    expect(t.bypassCodes(u.user_id)).toHaveLength(0);
    const code = t.createBypassCode(u.user_id, { reuseCount: 2 });
    expect(code).toMatch(/^\d{9}$/);
    const [listed] = t.bypassCodes(u.user_id);
    expect(listed?.reuse_count).toBe(2);
    expect(listed?.user.user_id).toBe(u.user_id);
    expect(JSON.stringify(t.bypassCodes())).not.toContain(code);
  });

  it('manages applications: grants, rotation, new keys', () => {
    const admin = t.applications().find((a) => a.kind === 'admin');
    if (admin === undefined) throw new Error('no admin app');
    const before = admin.skey;
    t.rotateSecret(admin.ikey);
    expect(t.application(admin.ikey)?.skey).not.toBe(before);
    t.setGrants(admin.ikey, { read_log: false });
    expect(t.application(admin.ikey)?.grants.read_log).toBe(false);
    expect(t.integrations().find((i) => i.integration_key === admin.ikey)?.adminapi_read_log).toBe(false);
    const added = t.addApplication('device', { os: 'linux' });
    expect(added.os).toBe('linux');
    expect(t.deviceCaches(added.mkey ?? '')?.os).toBe('linux');
  });
});

describe('accounts world', () => {
  it('has children reachable by account_id and hostname', () => {
    const w = createAccountsWorld(
      { seed: 'msp', children: 3, usersPerChild: 20, now: NOW },
      createClock({ realNow: () => NOW }),
    );
    const list = w.list();
    expect(list).toHaveLength(3);
    for (const row of list) {
      expect(row.account_id).toMatch(/^DA[A-Z0-9]{18}$/);
      expect(row.api_hostname).toMatch(/^api-[0-9a-f]{8}\.duosecurity\.com$/);
      expect(w.child(row.account_id)?.hostname).toBe(row.api_hostname);
      expect(w.childByHostname(row.api_hostname)?.accountId).toBe(row.account_id);
    }
    expect(new Set(list.map((r) => r.api_hostname)).size).toBe(3);
    expect(w.parent.applications().some((a) => a.kind === 'accounts')).toBe(true);
  });
});
