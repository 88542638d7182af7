/**
 * Duo's official Node client (@duosecurity/duo_api 1.5.0), unmodified, against the emulator over real TLS.
 * The client takes only a hostname (port 443) and pins Duo's own CA bundle in each request's `ca`, so the
 * test routes its connections the way a hosts file plus a trusted local CA would: the default HTTPS agent
 * connects to the emulator's loopback port and verifies the certificate against the emulator's CA, with the
 * client's own SNI/hostname check of `api-….duosecurity.com` intact.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { Agent as HttpsAgent, type RequestOptions } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator, type Listening, type TenantCredentials } from './index.js';

interface DuoClient {
  apiCall(method: string, path: string, params: Record<string, string>, cb: (body: string) => void): void;
}
interface DuoModule {
  Client: new (ikey: string, skey: string, host: string, sigVersion?: number) => DuoClient;
}
interface HttpsModule {
  globalAgent: HttpsAgent;
}

const require = createRequire(import.meta.url);
const duo = require('@duosecurity/duo_api') as DuoModule;
const httpsCjs = require('node:https') as HttpsModule;

let emu: Emulator;
let server: Listening;
let creds: TenantCredentials[];
let originalAgent: HttpsAgent;
const servernames = new Set<string>();

function call(
  key: { ikey: string; skey: string },
  host: string,
  v: 2 | 5,
  method: string,
  path: string,
  params: Record<string, string> = {},
): Promise<{ stat: string; code?: number; message_detail?: string; response?: unknown; metadata?: unknown }> {
  const client = new duo.Client(key.ikey, key.skey, host, v);
  // apiCall + our own parse: a non-JSON reply would throw inside jsonApiCall's handler (docs/toolchain.md).
  return new Promise((resolve) =>
    client.apiCall(method, path, params, (body) => resolve(JSON.parse(body) as never)),
  );
}

beforeAll(async () => {
  emu = await createEmulator({ seed: 'official-client', tenants: 2, users: 12 });
  server = await emu.listen({ port: 0 });
  creds = emu.credentials();
  const ca = await readFile(server.caFile, 'utf8');
  const port = server.port;
  class LoopbackAgent extends HttpsAgent {
    override createConnection(options: RequestOptions): TLSSocket {
      // Only where to connect and which CA to trust change; SNI and hostname verification stay the client's.
      const o = options as ConnectionOptions;
      if (typeof o.servername === 'string') servernames.add(o.servername);
      return connect({ ...o, host: '127.0.0.1', port, ca });
    }
  }
  originalAgent = httpsCjs.globalAgent;
  httpsCjs.globalAgent = new LoopbackAgent({ keepAlive: false });
});

afterAll(async () => {
  httpsCjs.globalAgent = originalAgent;
  await server.close();
});

describe('official Node client over TLS', () => {
  for (const v of [2, 5] as const) {
    it(`reads every endpoint family with signature v${String(v)}`, async () => {
      const [t, child] = creds as [TenantCredentials, TenantCredentials];
      const users = await call(t.admin, t.hostname, v, 'GET', '/admin/v1/users', { limit: '5' });
      expect(users.stat).toBe('OK');
      expect(users.response).toHaveLength(5);
      expect(users.metadata).toMatchObject({ total_objects: 12, next_offset: 5 });
      expect((await call(t.admin, t.hostname, v, 'GET', '/admin/v1/settings')).stat).toBe('OK');
      const global = await call(t.admin, t.hostname, v, 'GET', '/admin/v2/policies/global');
      expect(global.response).toMatchObject({ is_global_policy: true });
      const now = Date.now();
      const logs = await call(t.admin, t.hostname, v, 'GET', '/admin/v2/logs/authentication', {
        mintime: String(now - 7 * 86_400_000),
        maxtime: String(now),
        limit: '10',
      });
      expect(logs.response).toMatchObject({ metadata: { total_objects: expect.any(Number) as number } });
      expect((await call(t.auth, t.hostname, v, 'GET', '/auth/v2/check')).response).toMatchObject({
        time: expect.any(Number) as number,
      });
      const username = emu.world.tenant(t.hostname).users()[0]?.username ?? '';
      const pre = await call(t.auth, t.hostname, v, 'POST', '/auth/v2/preauth', { username });
      expect(pre.stat).toBe('OK');
      expect(['auth', 'allow', 'deny', 'enroll']).toContain((pre.response as { result: string }).result);
      const base = `/device/v1/management_systems/${t.device.mkey}/device_cache`;
      const caches = await call(t.device, t.hostname, v, 'GET', base);
      expect(caches.stat).toBe('OK');
      const list = await call(t.accounts, t.hostname, v, 'POST', '/accounts/v1/account/list');
      expect(list.response).toEqual([
        { account_id: child.accountId, api_hostname: child.hostname, name: child.name },
      ]);
      const childUsers = await call(t.accounts, child.hostname, v, 'GET', '/admin/v1/users', {
        account_id: child.accountId,
        limit: '1',
      });
      expect(childUsers.stat).toBe('OK');
      // TLS verified the certificate for the Duo hostnames themselves (SNI), not for 127.0.0.1.
      expect([...servernames].sort()).toEqual([t.hostname, child.hostname].sort());
    });
  }

  it('creates a device cache with a v2 form post and gets 409 for a second one with v5 JSON', async () => {
    const t = creds[0] as TenantCredentials;
    const base = `/device/v1/management_systems/${t.device.mkey}/device_cache`;
    const created = await call(t.device, t.hostname, 2, 'POST', base);
    expect(created.response).toMatchObject({ status: 'pending', device_count: 0 });
    const second = await call(t.device, t.hostname, 5, 'POST', base);
    expect(second.stat).toBe('FAIL');
  });

  it('gets the right errors: bad signature, unknown ikey, stale date, wrong type, missing grant', async () => {
    const t = creds[0] as TenantCredentials;
    const bad = await call(
      { ikey: t.admin.ikey, skey: 'wrong'.repeat(8) },
      t.hostname,
      2,
      'GET',
      '/admin/v1/users',
    );
    expect(bad).toEqual({ stat: 'FAIL', code: 40103, message: 'Invalid signature in request credentials' });
    const unknown = await call(
      { ikey: 'DIAAAAAAAAAAAAAAAAAA', skey: t.admin.skey },
      t.hostname,
      5,
      'GET',
      '/admin/v1/users',
    );
    expect(unknown.code).toBe(40102);
    const wrong = await call(t.admin, t.hostname, 2, 'POST', '/auth/v2/preauth', { username: 'x' });
    expect(wrong).toMatchObject({ code: 40301, message_detail: 'Wrong integration type for this API.' });
    const noLog = emu.control.addApplication(t.hostname, 'admin', { grants: { read_log: false } });
    const denied = await call(noLog, t.hostname, 5, 'GET', '/admin/v1/logs/administrator');
    expect(denied).toEqual({ stat: 'FAIL', code: 40301, message: 'Access forbidden' });
    emu.control.setOffset(10 * 60_000);
    try {
      expect((await call(t.admin, t.hostname, 2, 'GET', '/admin/v1/users')).code).toBe(40103);
    } finally {
      emu.control.setOffset(0);
    }
  });

  it('sees a 429 as a rate limit: the client backs off and re-sends the same signed request', async () => {
    const t = creds[0] as TenantCredentials;
    emu.control.addFault({ kind: 'rate_limit', path: '/admin/v1/info/summary', count: 1 });
    const res = await call(t.admin, t.hostname, 2, 'GET', '/admin/v1/info/summary');
    expect(res.stat).toBe('OK');
    const log = emu.control.requests({ limit: 2 });
    expect(log.map((e) => [e.path, e.status])).toEqual([
      ['/admin/v1/info/summary', 429],
      ['/admin/v1/info/summary', 200],
    ]);
  });

  it('meets a real per-credential log rate limit and recovers after backing off', async () => {
    const t = creds[0] as TenantCredentials;
    const path = '/admin/v1/logs/offline_enrollment';
    const limited = (): boolean =>
      emu.control.requests({ limit: 50 }).some((e) => e.path === path && e.status === 429);
    try {
      expect((await call(t.admin, t.hostname, 5, 'GET', path)).stat).toBe('OK');
      expect((await call(t.admin, t.hostname, 5, 'GET', path)).stat).toBe('OK');
      const third = call(t.admin, t.hostname, 5, 'GET', path);
      // Wait (bounded) until the client has met the 2/min limit, then let a minute of emulator time pass
      // while it backs off; its re-sent request is still within the 300 s date window.
      for (let i = 0; i < 100 && !limited(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(limited()).toBe(true);
      emu.control.advance(60_000);
      expect((await third).stat).toBe('OK');
      const statuses = emu.control
        .requests({ limit: 50 })
        .filter((e) => e.path === path)
        .map((e) => [e.status, e.outcome]);
      expect(statuses).toEqual([
        [200, 'ok'],
        [200, 'ok'],
        [429, '42901'],
        [200, 'ok'],
      ]);
    } finally {
      emu.control.setOffset(0);
    }
  });
});
