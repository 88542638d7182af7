import { describe, expect, it } from 'vitest';
import { createClock } from './world/index.js';
import { createEmulator, type TenantCredentials } from './index.js';
import { signedCall, type KeyPair } from './signed-call.test-helpers.js';

const FIXED = Date.UTC(2026, 10, 22, 12, 0, 0);

async function setup(options: Parameters<typeof createEmulator>[0] = {}) {
  const clock = createClock({ realNow: () => FIXED });
  const emu = await createEmulator({ seed: 'ctl-seed', users: 15, clock, controlToken: 'tok', ...options });
  const creds = emu.credentials();
  const t = creds[0] as TenantCredentials;
  const call = (
    key: KeyPair,
    method: string,
    path: string,
    params: Record<string, string | string[]> = {},
    host = t.hostname,
  ) => signedCall(emu.app, key, method, path, params, { host, date: new Date(clock.now()) });
  const control = (method: string, path: string, body?: unknown, token = 'tok') =>
    emu.app.request(`https://anything.example/_emulator${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return { emu, clock, creds, t, call, control };
}

const codeOf = (r: { json: () => unknown }): number | undefined => (r.json() as { code?: number }).code;

describe('rate limits (docs/duo-wire.md §6)', () => {
  it('limit logs to 2/min per credential and endpoint, answer the exact 42901 without Retry-After, in emulator time', async () => {
    const { t, call, clock } = await setup();
    const path = '/admin/v1/logs/administrator';
    expect((await call(t.admin, 'GET', path)).status).toBe(200);
    expect((await call(t.admin, 'GET', path)).status).toBe(200);
    const third = await call(t.admin, 'GET', path);
    expect([third.status, third.text]).toEqual([
      429,
      '{"code": 42901, "message": "Too Many Requests", "stat": "FAIL"}',
    ]);
    expect(third.headers.get('retry-after')).toBeNull();
    // Another log type has its own budget.
    expect((await call(t.admin, 'GET', '/admin/v1/logs/telephony')).status).toBe(200);
    clock.advance(60_000);
    expect((await call(t.admin, 'GET', path)).status).toBe(200);
  });

  it('can be switched off', async () => {
    const { t, call } = await setup({ rateLimit: false });
    for (let i = 0; i < 5; i++)
      expect((await call(t.admin, 'GET', '/admin/v1/logs/administrator')).status).toBe(200);
  });
});

describe('faults', () => {
  it('decide deterministically by seed', async () => {
    const statuses = async (): Promise<number[]> => {
      const { t, call } = await setup({
        rateLimit: false,
        faults: [{ kind: 'rate_limit', path: '/admin/v1/users', probability: 0.5 }],
      });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await call(t.admin, 'GET', '/admin/v1/users')).status);
      return out;
    };
    const a = await statuses();
    expect(a).toContain(429);
    expect(a).toContain(200);
    expect(await statuses()).toEqual(a);
  });

  it('inject 5xx, HTML pages, malformed and truncated JSON, drops, clock offset, revoked grants and rotated secrets', async () => {
    const { t, call, emu } = await setup({ rateLimit: false });
    const once = (spec: Parameters<typeof emu.control.addFault>[0]) =>
      emu.control.addFault({ count: 1, ...spec });
    once({ kind: 'error', path: '/admin/v1/settings', status: 503 });
    const e = await call(t.admin, 'GET', '/admin/v1/settings');
    expect([e.status, codeOf(e)]).toEqual([503, 50001]);
    expect((await call(t.admin, 'GET', '/admin/v1/settings')).status).toBe(200);
    once({ kind: 'html_error', path: '/admin/v1/settings' });
    const h = await call(t.admin, 'GET', '/admin/v1/settings');
    expect([h.status, h.headers.get('content-type')]).toEqual([502, 'text/html']);
    expect(h.text).toContain('<h1>502 Bad Gateway</h1>');
    once({ kind: 'malformed_json', path: '/admin/v1/settings' });
    const m = await call(t.admin, 'GET', '/admin/v1/settings');
    expect(m.status).toBe(200);
    expect(() => m.json()).toThrow();
    once({ kind: 'truncated_json', path: '/admin/v1/settings' });
    const tr = await call(t.admin, 'GET', '/admin/v1/settings');
    expect(() => tr.json()).toThrow();
    once({ kind: 'drop', path: '/admin/v1/settings' });
    await expect(call(t.admin, 'GET', '/admin/v1/settings')).rejects.toThrow(/dropped/);
    once({ kind: 'clock_offset', path: '/admin/v1/settings', offsetMs: 600_000 });
    expect(codeOf(await call(t.admin, 'GET', '/admin/v1/settings'))).toBe(40103);
    once({ kind: 'revoke_grant', path: '/admin/v1/settings', grant: 'settings_read' });
    expect(codeOf(await call(t.admin, 'GET', '/admin/v1/settings'))).toBe(40301);
    once({ kind: 'rotate_secret', path: '/admin/v1/settings' });
    expect(codeOf(await call(t.admin, 'GET', '/admin/v1/settings'))).toBe(40103);
    expect((await call(t.admin, 'GET', '/admin/v1/settings')).status).toBe(200);
  });

  it('delay by latency through the injected sleep and hold hangs until the client aborts', async () => {
    const slept: number[] = [];
    const { t, call, emu } = await setup({
      rateLimit: false,
      sleep: (ms, signal) => {
        slept.push(ms);
        return new Promise((resolve, reject) => {
          if (ms < 10_000) resolve();
          signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
      },
    });
    emu.control.addFault({ kind: 'latency', path: '/admin/v1/settings', latencyMs: 1500, count: 1 });
    expect((await call(t.admin, 'GET', '/admin/v1/settings')).status).toBe(200);
    expect(slept).toEqual([1500]);
    emu.control.addFault({ kind: 'hang', path: '/admin/v1/settings', count: 1 });
    const ac = new AbortController();
    const pending = emu.app.request(`https://${t.hostname}/admin/v1/settings`, { signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toThrow();
  });
});

describe('control API', () => {
  it('simulate logins through the control API, with a telephony fault failing calls and SMS but not pushes', async () => {
    const { emu, clock, t, control } = await setup();
    const host = t.hostname;
    expect((await control('POST', '/faults', { kind: 'telephony', host })).status).toBe(201);
    const started = clock.now();
    const post = async (factor: string, count: number) => {
      const r = await control('POST', `/tenants/${host}/traffic`, { factor, count });
      expect(r.status).toBe(201);
      return (await r.json()) as { started: number; users: string[] };
    };
    expect((await post('phone', 3)).started).toBe(3);
    expect((await post('sms', 2)).started).toBe(2);
    expect((await post('push', 2)).started).toBe(2);
    const bad = await control('POST', `/tenants/${host}/traffic`, { factor: 'fax', count: 1 });
    expect(bad.status).toBe(400);
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 20));
    const log = emu.world
      .tenant(host)
      .authLog({ mintime: started, maxtime: clock.now(), limit: 100, sort: 'ts:asc' });
    const count = (factor: string, result: string, reason: string) =>
      log.events.filter((e) => e.factor === factor && e.result === result && e.reason === reason).length;
    expect(count('phone_call', 'denied', 'call_timed_out')).toBe(3);
    expect(count('sms_refresh', 'error', 'error')).toBe(2);
    expect(count('duo_push', 'success', 'user_approved')).toBe(2);
  });

  it('needs its bearer token and drives time, faults, scenarios, tenants and the request log', async () => {
    const { t, call, control, clock } = await setup();
    expect((await control('GET', '/time', undefined, 'wrong')).status).toBe(401);
    const time = (await (await control('POST', '/time', { advanceMs: 5000 })).json()) as {
      now: number;
      offsetMs: number;
    };
    expect(time).toMatchObject({ now: FIXED + 5000, offsetMs: 5000 });
    expect(clock.now()).toBe(FIXED + 5000);
    const fault = (await (
      await control('POST', '/faults', { fault: 'error:/admin/v1/info/*@1', count: 1 })
    ).json()) as { id: string };
    expect(fault.id).toMatch(/^f\d+$/);
    expect((await call(t.admin, 'GET', '/admin/v1/info/summary')).status).toBe(500);
    const scenario = (await (
      await control('POST', `/tenants/${t.hostname}/scenarios`, {
        kind: 'admin_action',
        action: 'bypass_create',
      })
    ).json()) as {
      adminActions: string[];
    };
    expect(scenario.adminActions).toContain('bypass_create');
    const created = (await (
      await control('POST', '/tenants', { users: 3, parent: t.hostname })
    ).json()) as TenantCredentials;
    expect(created.parent).toBe(t.hostname);
    const users = await call(created.admin, 'GET', '/admin/v1/users', {}, created.hostname);
    expect((users.json() as { response: unknown[] }).response).toHaveLength(3);
    const app = (await (
      await control('POST', `/tenants/${t.hostname}/applications`, {
        kind: 'admin',
        grants: { read_log: false },
      })
    ).json()) as KeyPair;
    expect(codeOf(await call(app, 'GET', '/admin/v1/logs/telephony'))).toBe(40301);
    const log = (await (await control('GET', '/requests?limit=50')).json()) as {
      requests: Array<Record<string, unknown>>;
    };
    expect(log.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/admin/v1/logs/telephony',
      signature: 'v5',
      outcome: '40301',
      status: 403,
    });
    expect(JSON.stringify(log)).not.toContain(app.skey);
  });
});

describe('application types', () => {
  it('reach child accounts with the Accounts keys and account_id, and nothing else', async () => {
    const { creds, call } = await setup({ tenants: 3 });
    const [parent, child] = creds as [TenantCredentials, TenantCredentials];
    const list = (await call(parent.accounts, 'POST', '/accounts/v1/account/list')).json() as {
      response: Array<{ account_id: string; api_hostname: string }>;
    };
    expect(list.response.map((a) => a.api_hostname)).toEqual(creds.slice(1).map((c) => c.hostname));
    expect(
      (await call(parent.accounts, 'GET', '/admin/v1/users', { account_id: child.accountId }, child.hostname))
        .status,
    ).toBe(200);
    expect(codeOf(await call(parent.accounts, 'GET', '/admin/v1/users', {}, child.hostname))).toBe(40102);
    expect(codeOf(await call(parent.accounts, 'GET', '/admin/v1/users'))).toBe(40301);
  });

  it('serve Device API caches only for the integration’s own mkey', async () => {
    const { t, call } = await setup();
    const base = `/device/v1/management_systems/${t.device.mkey}/device_cache`;
    const created = (await call(t.device, 'POST', base)).json() as {
      response: { cache_key: string; status: string };
    };
    expect(created.response.status).toBe('pending');
    const again = await call(t.device, 'POST', base);
    expect(again.status).toBe(409);
    expect(
      codeOf(await call(t.device, 'GET', '/device/v1/management_systems/DMNOTMINE0000000000/device_cache')),
    ).toBe(40301);
  });
});

describe('determinism', () => {
  it('gives the same tenants, keys and log pages for the same seed', async () => {
    const a = await setup({ rateLimit: false });
    const b = await setup({ rateLimit: false });
    expect(b.creds).toEqual(a.creds);
    const params = { mintime: String(FIXED - 86_400_000), maxtime: String(FIXED), limit: '50' };
    for (const [path, p] of [
      ['/admin/v1/users', {}],
      ['/admin/v2/logs/authentication', params],
      ['/admin/v1/logs/administrator', {}],
    ] as const) {
      const ra = await a.call(a.t.admin, 'GET', path, p);
      expect(ra.status).toBe(200);
      expect((await b.call(b.t.admin, 'GET', path, p)).text).toBe(ra.text);
    }
  });
});

describe('fixtures', () => {
  it('build an exact tenant from a YAML tenant file and from the control API', async () => {
    const yaml = 'name: Exact Co\ngenerate:\n  active: 95\n  bypass: 5\n';
    const { t, call, control } = await setup({
      tenantFile: '/fixtures/exact.yaml',
      readTextFile: () => Promise.resolve(yaml),
      rateLimit: false,
    });
    const users = (await call(t.admin, 'GET', '/admin/v1/users', { limit: '300' })).json() as {
      response: Array<{ status: string }>;
    };
    expect(users.response).toHaveLength(100);
    expect(users.response.filter((u) => u.status === 'bypass')).toHaveLength(5);
    expect(t.name).toBe('Exact Co');
    const created = await control('POST', '/tenants', {
      fixture: { users: [{ username: 'only', factors: [] }] },
    });
    expect(created.status).toBe(201);
    const c = (await created.json()) as TenantCredentials;
    const one = (await call(c.admin, 'GET', '/admin/v1/users', {}, c.hostname)).json() as {
      response: Array<{ username: string; is_enrolled: boolean }>;
    };
    expect(one.response).toMatchObject([{ username: 'only', is_enrolled: false }]);
    const bad = await control('POST', '/tenants', { fixture: { users: [{ username: '' }], bogus: 1 } });
    expect(bad.status).toBe(400);
  });
});
