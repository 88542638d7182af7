import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { pythonJson } from '../duo/sign/index.js';
import { createClock } from './world/index.js';
import type { EmulatorClock } from './world/index.js';
import { createEmulator, type Emulator, type TenantCredentials } from './index.js';
import { signedCall, type CallOptions, type KeyPair } from './signed-call.test-helpers.js';

const FIXED = Date.UTC(2026, 10, 22, 12, 0, 0);

interface Fixture {
  emu: Emulator;
  clock: EmulatorClock;
  t: TenantCredentials;
  call: (
    key: KeyPair,
    method: string,
    path: string,
    params?: Record<string, string | string[]>,
    o?: Partial<CallOptions>,
  ) => ReturnType<typeof signedCall>;
}

async function setup(options: Parameters<typeof createEmulator>[0] = {}): Promise<Fixture> {
  const clock = createClock({ realNow: () => FIXED });
  const emu = await createEmulator({ seed: 'test-seed', users: 20, clock, ...options });
  const t = emu.credentials()[0];
  if (t === undefined) throw new Error('no tenant');
  return {
    emu,
    clock,
    t,
    call: (key, method, path, params = {}, o = {}) =>
      signedCall(emu.app, key, method, path, params, { host: t.hostname, date: new Date(clock.now()), ...o }),
  };
}

const code = (r: { json: () => unknown }): unknown => (r.json() as { code?: number }).code;

describe('loopback names', () => {
  it('reach the first tenant, so a client pointed at localhost:PORT works without a hosts entry', async () => {
    const { emu, clock, t } = await setup({ rateLimit: false });
    for (const host of ['localhost', '127.0.0.1']) {
      const r = await signedCall(
        emu.app,
        t.admin,
        'GET',
        '/admin/v1/users',
        { limit: '1' },
        { host, date: new Date(clock.now()) },
      );
      expect(r.status).toBe(200);
    }
    // Any other unknown hostname still has no tenant, as on Duo.
    const other = await signedCall(
      emu.app,
      t.admin,
      'GET',
      '/admin/v1/users',
      {},
      {
        host: 'api-00000000.duosecurity.com',
        date: new Date(clock.now()),
      },
    );
    expect(code(other)).toBe(40102);
  });
});

describe('signatures and errors over the app', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setup({ rateLimit: false });
  });

  it('accepts v2 SHA-1, v2 SHA-512, v4-style JSON and v5 with X-Duo-Date and X-Duo-* headers', async () => {
    const { t, call } = f;
    expect(
      (await call(t.admin, 'GET', '/admin/v1/users', { limit: '1' }, { v: 2, digest: 'sha1' })).status,
    ).toBe(200);
    expect((await call(t.admin, 'GET', '/admin/v1/users', { limit: '1' }, { v: 2 })).status).toBe(200);
    expect((await call(t.admin, 'GET', '/admin/v1/users', { limit: '1' }, { v: 4 })).status).toBe(200);
    const date = 'Sun, 22 Nov 2026 12:00:00 -0000';
    const r = await call(
      t.admin,
      'GET',
      '/admin/v1/users',
      { limit: '1' },
      { headers: { 'X-Duo-Date': date, 'X-Duo-Trace': 'x' } },
    );
    expect(r.status).toBe(200);
    expect(f.emu.control.requests({ limit: 4 }).map((e) => e.signature)).toEqual([
      'v2-sha1',
      'v2',
      'v4',
      'v5',
    ]);
    const post = await call(t.auth, 'POST', '/auth/v2/preauth', { username: 'nobody-here' }, { v: 2 });
    expect(post.status).not.toBe(401);
  });

  it('answers each credential failure with its exact Duo body', async () => {
    const { t, call, clock } = f;
    const bad = await call({ ikey: t.admin.ikey, skey: 'x'.repeat(40) }, 'GET', '/admin/v1/users');
    expect([bad.status, bad.text]).toEqual([
      401,
      '{"code": 40103, "message": "Invalid signature in request credentials", "stat": "FAIL"}',
    ]);
    const unknown = await call(
      { ikey: 'DIXXXXXXXXXXXXXXXXXX', skey: t.admin.skey },
      'GET',
      '/admin/v1/users',
    );
    expect([unknown.status, code(unknown)]).toEqual([401, 40102]);
    const stale = await call(
      t.admin,
      'GET',
      '/admin/v1/users',
      {},
      { date: new Date(clock.now() - 301_000) },
    );
    expect([stale.status, code(stale)]).toEqual([401, 40103]);
    const noAuth = await f.emu.app.request(`https://${t.hostname}/admin/v1/users`);
    expect([noAuth.status, await noAuth.text()]).toEqual([
      401,
      '{"code": 40101, "message": "Missing request credentials", "stat": "FAIL"}',
    ]);
    const noDate = await f.emu.app.request(`https://${t.hostname}/admin/v1/users`, {
      headers: {
        Authorization: 'Basic ' + Buffer.from(`${t.admin.ikey}:${'a'.repeat(128)}`).toString('base64'),
      },
    });
    expect([noDate.status, await noDate.text()]).toEqual([
      401,
      '{"code": 40104, "message": "Missing request timestamp", "stat": "FAIL"}',
    ]);
    const wrongType = await call(t.admin, 'GET', '/auth/v2/check');
    expect([wrongType.status, wrongType.text]).toEqual([
      403,
      '{"code": 40301, "message": "Access forbidden", "message_detail": "Wrong integration type for this API.", "stat": "FAIL"}',
    ]);
    expect(code(await call(t.auth, 'GET', '/admin/v1/users'))).toBe(40301);
    expect(code(await call(t.device, 'POST', '/accounts/v1/account/list'))).toBe(40301);
    f.emu.control.setGrants(t.hostname, t.admin.ikey, { read_log: false });
    const noGrant = await call(t.admin, 'GET', '/admin/v1/logs/administrator');
    expect([noGrant.status, noGrant.text]).toEqual([
      403,
      '{"code": 40301, "message": "Access forbidden", "stat": "FAIL"}',
    ]);
    const missing = await f.emu.app.request(`https://${t.hostname}/admin/v1/nope`);
    expect([missing.status, await missing.text()]).toEqual([
      404,
      '{"code": 40401, "message": "Resource not found", "stat": "FAIL"}',
    ]);
    // The request log shows outcomes, never secrets.
    const log = JSON.stringify(f.emu.control.requests({ limit: 100 }));
    expect(log).toContain('"outcome":"40103"');
    expect(log).not.toContain(t.admin.skey);
    expect(log).not.toMatch(/Basic /);
  });

  it('serves ping unsigned for any hostname, with Python bytes and Duo headers', async () => {
    const res = await f.emu.app.request('https://api-doesnotexist.duosecurity.com/auth/v2/ping');
    const text = await res.text();
    expect(text).toBe(`{"response": {"time": ${String(FIXED / 1000)}}, "stat": "OK"}`);
    expect(res.headers.get('etag')).toBe(`"${createHash('sha1').update(text).digest('hex')}"`);
    expect(res.headers.get('server')).toBe('Duo/1.0');
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const users = await f.call(f.t.admin, 'GET', '/admin/v1/users', { limit: '3' });
    expect(users.text).toBe(pythonJson(users.json(), { compact: false }));
    expect(users.headers.get('etag')).toBe(`"${createHash('sha1').update(users.text).digest('hex')}"`);
    const logo = await f.call(f.t.auth, 'GET', '/auth/v2/logo');
    expect([logo.status, logo.headers.get('content-type')]).toEqual([200, 'image/png']);
  });
});

describe('paging', () => {
  it('clamps v1 limits to the endpoint maximum and omits next_offset on the last page', async () => {
    const f = await setup({ users: 320, rateLimit: false });
    const first = f.call(f.t.admin, 'GET', '/admin/v1/users', { limit: '1000' });
    const body = (await first).json() as { response: unknown[]; metadata: Record<string, number> };
    expect(body.response).toHaveLength(300);
    expect(body.metadata).toEqual({ total_objects: 320, next_offset: 300, prev_offset: 0 });
    const last = (
      await f.call(f.t.admin, 'GET', '/admin/v1/users', { limit: '300', offset: '300' })
    ).json() as {
      response: unknown[];
      metadata: Record<string, number>;
    };
    expect(last.response).toHaveLength(20);
    expect(last.metadata).toEqual({ total_objects: 320, prev_offset: 0 });
  });

  it('enforces the auth-log rules: ms, 180 days, two-minute visibility', async () => {
    const f = await setup({ rateLimit: false });
    const now = f.clock.now();
    const path = '/admin/v2/logs/authentication';
    expect(code(await f.call(f.t.admin, 'GET', path, { maxtime: String(now) }))).toBe(40001);
    const secs = await f.call(f.t.admin, 'GET', path, {
      mintime: String(Math.floor(now / 1000) - 60),
      maxtime: String(now),
    });
    expect(secs.text).toBe(
      `{"code": 40002, "message": "Invalid request parameters", "message_detail": "'mintime' must be a timestamp in milliseconds", "stat": "FAIL"}`,
    );
    const old = await f.call(f.t.admin, 'GET', path, {
      mintime: String(now - 181 * 86_400_000),
      maxtime: String(now),
    });
    expect(old.text).toBe(
      '{"code": 40002, "message": "Invalid request parameters", "message_detail": "mintime must be within the past 180 days", "stat": "FAIL"}',
    );
    const page = (
      await f.call(f.t.admin, 'GET', path, {
        // A day, not an hour: FIXED is a Sunday, early morning where this tenant's users live.
        mintime: String(now - 86_400_000),
        maxtime: String(now),
        limit: '1000',
        sort: 'ts:desc',
      })
    ).json() as {
      response: { authlogs: Array<{ timestamp: number }>; metadata: { total_objects: number } };
    };
    expect(page.response.authlogs.length).toBeGreaterThan(0);
    for (const e of page.response.authlogs) expect(e.timestamp * 1000).toBeLessThanOrEqual(now - 120_000);
    const ts = page.response.authlogs.map((e) => e.timestamp);
    expect([...ts].sort((a, b) => b - a)).toEqual(ts);
  });

  it('walks the auth log with both cursor forms while events keep arriving: no gap, no duplicate', async () => {
    const f = await setup({ rateLimit: false, users: 400 });
    const start = f.clock.now();
    // A day back: FIXED is a Sunday, early morning in the users' local time (their logins follow local hours).
    const window = { mintime: String(start - 24 * 3_600_000), maxtime: String(start + 600_000) };
    const seen: string[] = [];
    let cursor: [string, string] | null = null;
    let caughtUp = 0;
    for (let i = 0; i < 500 && caughtUp < 3; i++) {
      const params: Record<string, string | string[]> = { ...window, limit: '10', sort: 'ts:asc' };
      if (cursor !== null) params['next_offset'] = i % 2 === 0 ? cursor.join(',') : [cursor[0], cursor[1]];
      const r = await f.call(f.t.admin, 'GET', '/admin/v2/logs/authentication', params);
      expect(r.status).toBe(200);
      const body = r.json() as {
        response: {
          authlogs: Array<{ txid: string; isotimestamp: string }>;
          metadata: { next_offset: [string, string] | null };
        };
      };
      seen.push(...body.response.authlogs.map((e) => e.txid));
      const last = body.response.authlogs.at(-1);
      // At the end of what is visible the cursor is null; a collector resumes after its last event.
      cursor =
        body.response.metadata.next_offset ??
        (last === undefined ? cursor : [String(Date.parse(last.isotimestamp)), last.txid]);
      if (body.response.metadata.next_offset === null && f.clock.now() - 120_000 > start + 600_000)
        caughtUp++;
      // Time passes between pages: new events arrive and older ones leave the two-minute delay.
      f.clock.advance(30_000);
    }
    expect(seen.length).toBeGreaterThan(100);
    expect(new Set(seen).size).toBe(seen.length);
    const all = (
      await f.call(f.t.admin, 'GET', '/admin/v2/logs/authentication', {
        ...window,
        limit: '1000',
        sort: 'ts:asc',
      })
    ).json() as {
      response: { authlogs: Array<{ txid: string }>; metadata: { total_objects: number } };
    };
    expect(all.response.metadata.total_objects).toBeLessThanOrEqual(1000);
    expect(seen).toEqual(all.response.authlogs.map((e) => e.txid));
  });

  it('filters the auth log by repeated params and pages telephony, activity and trust monitor', async () => {
    const f = await setup({ rateLimit: false, users: 100 });
    const now = f.clock.now();
    const window = { mintime: String(now - 7 * 86_400_000), maxtime: String(now) };
    const all = (
      await f.call(f.t.admin, 'GET', '/admin/v2/logs/authentication', { ...window, limit: '1000' })
    ).json() as {
      response: { authlogs: Array<{ user: { key: string } }> };
    };
    const keys = [...new Set(all.response.authlogs.map((e) => e.user.key))].slice(0, 2);
    expect(keys).toHaveLength(2);
    const filtered = (
      await f.call(f.t.admin, 'GET', '/admin/v2/logs/authentication', {
        ...window,
        limit: '1000',
        users: keys,
      })
    ).json() as {
      response: { authlogs: Array<{ user: { key: string } }>; metadata: { total_objects: number } };
    };
    expect(filtered.response.authlogs.length).toBeGreaterThan(0);
    expect(filtered.response.authlogs.every((e) => keys.includes(e.user.key))).toBe(true);
    expect(filtered.response.metadata.total_objects).toBe(filtered.response.authlogs.length);
    for (const kind of ['telephony', 'activity'] as const) {
      const r = (
        await f.call(f.t.admin, 'GET', `/admin/v2/logs/${kind}`, { ...window, limit: '1000' })
      ).json() as {
        response: { items: unknown[]; metadata: Record<string, unknown> };
      };
      expect(Array.isArray(r.response.items)).toBe(true);
      expect(r.response.metadata['next_offset']).toBeUndefined();
      expect(typeof r.response.metadata['total_objects']).toBe('number');
    }
    f.emu.control.inject(f.t.hostname, { kind: 'user_to_bypass', at: now - 3_600_000 });
    const tm = (
      await f.call(f.t.admin, 'GET', '/admin/v1/trust_monitor/events', { ...window, limit: '500' })
    ).json() as {
      response: { events: Array<{ sekey: string }>; metadata: Record<string, unknown> };
    };
    expect(tm.response.events.length).toBeGreaterThan(0);
    expect(tm.response.events.length).toBeLessThanOrEqual(200);
  });
});
