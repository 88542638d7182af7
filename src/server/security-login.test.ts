import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, TEST_SCRYPT, type Harness } from './harness.test-helpers.js';
import { DEFAULT_SCRYPT, hashPassword, verifyPassword } from '../accounts/index.js';
import { realDuo, type RealDuo } from './real-harness.test-helpers.js';

/**
 * Attacks on sign-in and password change (issue: harden the service edge, items 2, 3, 6, 7, 8), each
 * against the server over the real services, the emulator and SQLite.
 */
let duo: RealDuo;
beforeAll(async () => {
  duo = await realDuo('security-login');
});
afterAll(async () => {
  await duo?.close();
});

const proxied = { options: { config: { trustProxy: true, scrypt: TEST_SCRYPT } } };

function login(
  h: Harness,
  username: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return h.call(null, 'POST', '/api/v1/session', { username, password }, headers);
}

const statuses = (responses: Response[]) => responses.map((r) => r.status);
const count = (list: number[], status: number) => list.filter((s) => s === status).length;

async function auditRows(h: Harness) {
  return (await h.store.auditLog.listAll({ limit: 1000 })).reverse();
}

describe('concurrent guesses against the login lock (item 2)', () => {
  it('checks at most the free five of 15 concurrent wrong passwords', async () => {
    const h = await duo.server();
    const burst = await Promise.all(Array.from({ length: 15 }, () => login(h, 'owner-a', 'wrong password')));
    const got = statuses(burst);
    expect(count(got, 401)).toBe(5);
    expect(count(got, 429)).toBe(10);
  });

  it('a burst of 11 wrong passwords and the right one does not sign in', async () => {
    const h = await duo.server();
    const wrong = Array.from({ length: 11 }, () => login(h, 'owner-a', 'wrong password'));
    const right = login(h, 'owner-a', PASSWORD);
    const got = statuses(await Promise.all([...wrong, right]));
    expect(got.at(-1)).toBe(429);
    expect(count(got, 200)).toBe(0);
    expect(count(got, 401)).toBe(5);
  });
});

describe('X-Forwarded-For and X-Forwarded-Proto behind a proxy (item 3)', () => {
  it('takes the rightmost hop, so a forged leftmost entry neither dodges the IP lock nor reaches the audit log', async () => {
    const h = await duo.server(proxied);
    for (let i = 0; i < 20; i += 1) {
      // A fresh forged address each time, then the address our proxy appended.
      const res = await login(h, `user${i}`, 'x', { 'x-forwarded-for': `10.9.${i}.1, 203.0.113.9` });
      expect(res.status).toBe(401);
    }
    const blocked = await login(h, 'owner-a', PASSWORD, { 'x-forwarded-for': '10.99.0.1, 203.0.113.9' });
    expect(blocked.status).toBe(429);
    const elsewhere = await login(h, 'owner-a', PASSWORD, { 'x-forwarded-for': '203.0.113.10' });
    expect(elsewhere.status).toBe(200);
    const ips = (await auditRows(h)).map((e) => e.ip);
    expect(ips.filter((ip) => ip?.startsWith('10.'))).toEqual([]);
    expect(ips).toContain('203.0.113.9');
  });

  it('counts trusted proxies from the right and ignores forwarding headers when no proxy is trusted', async () => {
    const two = await duo.server({
      options: { config: { trustProxy: true, trustedProxies: 2, scrypt: TEST_SCRYPT } },
    });
    await two.login('owner-a', PASSWORD, { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.0.0.2' });
    expect((await auditRows(two)).at(-1)?.ip).toBe('198.51.100.7');

    const direct = await duo.server();
    await direct.login('owner-a', PASSWORD, { 'x-forwarded-for': '6.6.6.6' });
    expect((await auditRows(direct)).at(-1)?.ip).not.toBe('6.6.6.6');
  });

  it('honours X-Forwarded-Proto from a trusted proxy only (Secure cookies)', async () => {
    const behind = await duo.server(proxied);
    const tls = await login(behind, 'owner-a', PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(tls.status).toBe(200);
    for (const c of tls.headers.getSetCookie()) expect(c).toMatch(/; Secure/);

    const direct = await duo.server();
    const plain = await login(direct, 'owner-a', PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(plain.status).toBe(200);
    for (const c of plain.headers.getSetCookie()) expect(c).not.toMatch(/; Secure/);
  });
});

describe('password change throttling (item 6)', () => {
  it('locks current-password guesses on a stolen session, audits the lock once, and lets the owner in after it', async () => {
    const h = await duo.server();
    const stolen = await h.login('owner-a');
    const change = (currentPassword: string) =>
      h.call(stolen, 'POST', '/api/v1/session/password', {
        currentPassword,
        newPassword: 'a brand new passphrase',
      });
    for (let i = 0; i < 5; i += 1) expect((await change(`guess ${i}`)).status).toBe(400);
    const locked = await change(PASSWORD);
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe('login_throttled');
    expect(locked.headers.get('retry-after')).toBe('1');
    expect((await change('guess 6')).status).toBe(429);
    const rows = (await h.audit()).filter((e) => e.action === 'user.password');
    expect(rows.filter((e) => e.details.reason === 'throttled')).toHaveLength(1);
    h.now.t += 1_001;
    expect((await change(PASSWORD)).status).toBe(200);
  });

  it('refuses concurrent current-password guesses beyond the free five', async () => {
    const h = await duo.server();
    const stolen = await h.login('admin-a');
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.call(stolen, 'POST', '/api/v1/session/password', {
          currentPassword: `guess ${i}`,
          newPassword: 'a brand new passphrase',
        }),
      ),
    );
    const got = statuses(burst);
    expect(count(got, 400)).toBe(5);
    expect(count(got, 429)).toBe(7);
  });
});

describe('lockout as denial of service, and audit floods (item 7)', () => {
  it("a stranger's lock on a username does not keep out a device that signed in before", async () => {
    const h = await duo.server(proxied);
    // The owner signs in once from their browser, which keeps the device cookie.
    const first = await login(h, 'owner-a', PASSWORD, { 'x-forwarded-for': '198.51.100.20' });
    const device = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0] ?? '')
      .find((c) => c.startsWith('dw_device='));
    expect(device).toBeDefined();
    // An attacker locks the username from elsewhere.
    for (let i = 0; i < 6; i += 1)
      await login(h, 'owner-a', 'guess', { 'x-forwarded-for': `203.0.113.${i}` });
    expect((await login(h, 'owner-a', PASSWORD, { 'x-forwarded-for': '203.0.113.99' })).status).toBe(429);
    // The known device still gets in with the right password, from the same or another address.
    const known = await login(h, 'owner-a', PASSWORD, {
      'x-forwarded-for': '192.0.2.44',
      cookie: device ?? '',
    });
    expect(known.status).toBe(200);
  });

  it('a known device guessing wrong is still throttled, on its own key', async () => {
    const h = await duo.server();
    const first = await login(h, 'auditor-a', PASSWORD);
    const device = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0] ?? '')
      .find((c) => c.startsWith('dw_device='));
    const tries = [];
    for (let i = 0; i < 6; i += 1)
      tries.push((await login(h, 'auditor-a', 'guess', { cookie: device ?? '' })).status);
    expect(tries).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('writes one audit row per locked key however many attempts the lock refuses', async () => {
    const h = await duo.server(proxied);
    // 100 attempts from one address, each with an invented username.
    for (let i = 0; i < 100; i += 1) {
      await login(h, `nobody-${i}-${Math.random().toString(36).slice(2)}`, 'x', {
        'x-forwarded-for': '203.0.113.50',
      });
    }
    // 100 attempts at one username from rotating addresses.
    for (let i = 0; i < 100; i += 1) {
      await login(h, 'owner-b', 'x', { 'x-forwarded-for': `198.51.100.${i + 1}` });
    }
    const logins = (await auditRows(h)).filter((e) => e.action === 'session.login');
    const throttled = logins.filter((e) => e.details?.reason === 'throttled');
    expect(throttled.map((e) => e.details?.lock)).toEqual(['ip', 'user']);
    // The checked attempts before each lock (20 for the IP, 5 for the username) plus one row per lock.
    expect(logins).toHaveLength(20 + 5 + 2);
  });
});

describe('password hashing cost (item 8)', () => {
  it('hashes with N=2^17, r=8, p=1 by default', async () => {
    expect(DEFAULT_SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    const hash = await hashPassword('a long enough passphrase');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('a long enough passphrase', hash)).toBe(true);
  });

  it('rehashes a weaker stored hash at the next successful sign-in', async () => {
    const stronger = { N: 2 ** 11, r: 8, p: 1 };
    const h = await duo.server({ options: { config: { scrypt: stronger } } });
    const before = (await h.store.operators.get(h.users.ownerA.id))?.passwordHash ?? '';
    expect(before).toMatch(/^scrypt\$1024\$/);
    // A wrong password changes nothing.
    expect((await login(h, 'owner-a', 'wrong')).status).toBe(401);
    expect((await h.store.operators.get(h.users.ownerA.id))?.passwordHash).toBe(before);
    expect((await login(h, 'owner-a', PASSWORD)).status).toBe(200);
    const after = (await h.store.operators.get(h.users.ownerA.id))?.passwordHash ?? '';
    expect(after).toMatch(/^scrypt\$2048\$8\$1\$/);
    expect(await verifyPassword(PASSWORD, after)).toBe(true);
    expect((await login(h, 'owner-a', PASSWORD)).status).toBe(200);
    expect((await h.store.operators.get(h.users.ownerA.id))?.passwordHash).toBe(after);
  });
});
