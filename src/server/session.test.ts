import { afterEach, describe, expect, it } from 'vitest';
import { harness as makeHarness, PASSWORD, type Harness } from './harness.test-helpers.js';
import { hashPassword, verifyPassword } from '../accounts/index.js';

const open: Harness[] = [];
const harness = async (...args: Parameters<typeof makeHarness>) => {
  const h = await makeHarness(...args);
  open.push(h);
  return h;
};
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

describe('sessions', () => {
  it('logs in with an HttpOnly SameSite=Strict session cookie, a CSRF token, and a shape ready for a second step', async () => {
    const h = await harness();
    const res = await h.call(null, 'POST', '/api/v1/session', { username: 'owner-a', password: PASSWORD });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      state: string;
      next: unknown;
      user: { username: string; memberships: unknown[] };
      csrfToken: string;
    };
    expect(body).toMatchObject({
      state: 'authenticated',
      next: null,
      user: { username: 'owner-a', memberships: [{ orgSlug: 'acme', role: 'owner' }] },
    });
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('dw_session='));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).not.toMatch(/Secure/);
    const csrf = cookies.find((c) => c.startsWith('dw_csrf='));
    expect(csrf).not.toMatch(/HttpOnly/);
    expect(csrf).toContain(body.csrfToken);
    expect((await h.audit()).at(-1)).toMatchObject({
      action: 'session.login',
      outcome: 'success',
      actor: `operator:${h.users.ownerA.id}`,
    });
  });

  it('marks cookies Secure when configured (TLS)', async () => {
    const h = await harness({
      options: { config: { secureCookies: true, scrypt: { N: 1024, r: 8, p: 1 } } },
    });
    const res = await h.call(null, 'POST', '/api/v1/session', { username: 'owner-a', password: PASSWORD });
    for (const c of res.headers.getSetCookie()) expect(c).toMatch(/; Secure/);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });

  it('refuses a wrong password or unknown user with one code, and audits both failures', async () => {
    const h = await harness();
    const wrong = await h.call(null, 'POST', '/api/v1/session', { username: 'owner-a', password: 'nope' });
    const unknown = await h.call(null, 'POST', '/api/v1/session', { username: 'ghost', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual({
      error: { code: 'invalid_credentials', message: 'Wrong username or password.' },
    });
    const failures = (await h.audit()).filter((e) => e.action === 'session.login' && e.outcome === 'failure');
    expect(failures.map((e) => e.details.reason)).toEqual(['bad_password', 'unknown_user']);
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('me answers with the session; logout ends it server-side and audits it', async () => {
    const h = await harness();
    const client = await h.login('admin-a');
    const me = await h.call(client, 'GET', '/api/v1/session');
    expect(me.status).toBe(200);
    expect(((await me.json()) as { csrfToken: string }).csrfToken).toBe(client.csrf);
    expect((await h.call(client, 'DELETE', '/api/v1/session')).status).toBe(200);
    expect((await h.call(client, 'GET', '/api/v1/session')).status).toBe(401);
    expect((await h.audit()).at(-1)).toMatchObject({
      action: 'session.logout',
      actor: `operator:${h.users.adminA.id}`,
    });
  });

  it('expires sessions after their lifetime', async () => {
    const h = await harness();
    const client = await h.login('auditor-a');
    h.now.t += 13 * 3_600_000;
    expect((await h.call(client, 'GET', '/api/v1/session')).status).toBe(401);
  });

  it('requires the CSRF header bound to the session on every state-changing request', async () => {
    const h = await harness();
    const client = await h.login('admin-a');
    const path = `/api/v1/orgs/acme/sync`;
    const missing = await h.app.request(path, { method: 'POST', headers: { cookie: client.cookie } });
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
    const other = await h.login('owner-a');
    const foreign = await h.app.request(path, {
      method: 'POST',
      headers: { cookie: client.cookie, 'x-csrf-token': other.csrf },
    });
    expect(foreign.status).toBe(403);
    const ok = await h.app.request(path, {
      method: 'POST',
      headers: { cookie: client.cookie, 'x-csrf-token': client.csrf },
    });
    expect(ok.status).toBe(202);
  });

  it('refuses cross-origin state changes, including the login itself', async () => {
    const h = await harness();
    const res = await h.call(
      null,
      'POST',
      '/api/v1/session',
      { username: 'owner-a', password: PASSWORD },
      { origin: 'https://evil.example', host: 'localhost' },
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('cross_origin');
    const same = await h.call(
      null,
      'POST',
      'http://localhost/api/v1/session',
      { username: 'owner-a', password: PASSWORD },
      { origin: 'http://localhost', host: 'localhost' },
    );
    expect(same.status).toBe(200);
  });

  it('changes a password, ending the other sessions', async () => {
    const h = await harness();
    const first = await h.login('owner-a');
    const second = await h.login('owner-a');
    const bad = await h.call(second, 'POST', '/api/v1/session/password', {
      currentPassword: 'wrong',
      newPassword: 'another long passphrase',
    });
    expect(bad.status).toBe(400);
    const res = await h.call(second, 'POST', '/api/v1/session/password', {
      currentPassword: PASSWORD,
      newPassword: 'another long passphrase',
    });
    expect(res.status).toBe(200);
    expect((await h.call(first, 'GET', '/api/v1/session')).status).toBe(401);
    await h.login('owner-a', 'another long passphrase');
    await expect(h.login('owner-a')).rejects.toThrow(/401/);
  });
});

describe('login throttling', () => {
  it('locks a username exponentially after five failures, and a success resets it', async () => {
    const h = await harness({ options: { config: { trustProxy: true, scrypt: { N: 1024, r: 8, p: 1 } } } });
    const attempt = (password: string, ip: string) =>
      h.call(null, 'POST', '/api/v1/session', { username: 'owner-a', password }, { 'x-forwarded-for': ip });
    // Each failure comes from a different IP so only the per-username rule can trigger.
    for (let i = 0; i < 5; i += 1) expect((await attempt('bad', `10.0.0.${i}`)).status).toBe(401);
    const locked = await attempt(PASSWORD, '10.0.1.1');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('1');
    h.now.t += 1_001;
    expect((await attempt('bad', '10.0.1.2')).status).toBe(401);
    const second = await attempt(PASSWORD, '10.0.1.3');
    expect(second.headers.get('retry-after')).toBe('2');
    h.now.t += 2_001;
    expect((await attempt(PASSWORD, '10.0.1.4')).status).toBe(200);
    expect((await attempt('bad', '10.0.1.5')).status).toBe(401);
    expect((await h.audit()).some((e) => e.details.reason === 'throttled')).toBe(true);
  });

  it('locks an IP that guesses across many usernames', async () => {
    const h = await harness({ options: { config: { trustProxy: true, scrypt: { N: 1024, r: 8, p: 1 } } } });
    for (let i = 0; i < 20; i += 1) {
      const res = await h.call(
        null,
        'POST',
        '/api/v1/session',
        { username: `user${i}`, password: 'x' },
        { 'x-forwarded-for': '192.0.2.7' },
      );
      expect(res.status).toBe(401);
    }
    const blocked = await h.call(
      null,
      'POST',
      '/api/v1/session',
      { username: 'owner-a', password: PASSWORD },
      { 'x-forwarded-for': '192.0.2.7' },
    );
    expect(blocked.status).toBe(429);
    const elsewhere = await h.call(
      null,
      'POST',
      '/api/v1/session',
      { username: 'owner-a', password: PASSWORD },
      { 'x-forwarded-for': '192.0.2.8' },
    );
    expect(elsewhere.status).toBe(200);
  });
});

describe('password hashing', () => {
  it('stores scrypt parameters with the hash and verifies only the right password', async () => {
    const hash = await hashPassword('s3cret passphrase', { N: 1024, r: 8, p: 1 });
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('s3cret passphrase', hash)).toBe(true);
    expect(await verifyPassword('s3cret passphrasf', hash)).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(hash).not.toContain('s3cret');
  });
});
