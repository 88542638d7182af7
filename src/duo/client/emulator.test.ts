/**
 * The client against the real emulator (src/emulator): in-process through its fetch handler, and once over
 * real TLS with the `curl --resolve`-style override. Proves the client and the emulator agree on signing,
 * envelopes, paging and the endpoint shapes the wire schemas describe.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../emulator/index.js';
import {
  collectAll,
  createDuoClient,
  DuoApiError,
  duoTransportOptionsFromEnv,
  LimiterRegistry,
  systemClock,
} from '../index.js';
import { appDispatcher } from '../test-support/app-dispatcher.test-helpers.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await createEmulator({ seed: 'duo-client-test', tenants: 2, users: 350, rateLimit: false });
});

function creds(i = 0) {
  const t = emu.credentials()[i];
  if (t === undefined) throw new Error('no tenant');
  return t;
}

describe('client ↔ emulator, in process', () => {
  it('pages all users across the 300-per-page maximum, v5 and v2', async () => {
    for (const sigVersion of [5, 2] as const) {
      const t = creds();
      const client = createDuoClient({
        ...t.admin,
        host: t.hostname,
        dispatcher: appDispatcher(emu.app),
        sigVersion,
      });
      const it = client.admin.users.list();
      const all = await collectAll(it);
      expect(all.items.length).toBeGreaterThanOrEqual(350);
      expect(it.state.pages).toBeGreaterThanOrEqual(2);
      expect(all.truncated).toBe(false);
      expect(new Set(all.items.map((u) => u.user_id)).size).toBe(all.items.length);
    }
  });

  it('reads settings, the global policy, info and admins', async () => {
    const t = creds();
    const client = createDuoClient({ ...t.admin, host: t.hostname, dispatcher: appDispatcher(emu.app) });
    const settings = await client.admin.settings();
    expect(typeof settings.lockout_threshold).toBe('number');
    const global = await client.admin.policies.global();
    expect(global.is_global_policy).toBe(true);
    const summary = await client.admin.info.summary();
    expect(summary.user_count).toBeGreaterThanOrEqual(350);
    const admins = await collectAll(client.admin.admins.list());
    expect(admins.items.length).toBeGreaterThan(0);
  });

  it('walks the auth log v2 cursor', async () => {
    const t = creds();
    // The real 1/minute auth-log spacing is proven on a fake clock in client.test.ts; lift it here.
    const limiter = new LimiterRegistry({ clock: systemClock, ratesPerMinute: { auth_log: Infinity } });
    const client = createDuoClient({
      ...t.admin,
      host: t.hostname,
      dispatcher: appDispatcher(emu.app),
      limiter,
    });
    const now = emu.world.clock.now();
    const it = client.logs.authentication({
      mintime: now - 30 * 86_400_000,
      maxtime: now - 120_000,
      pageSize: 100,
      maxPages: 3,
    });
    const all = await collectAll(it);
    expect(all.items.length).toBeGreaterThan(0);
    expect(all.items.every((e) => typeof e.txid === 'string')).toBe(true);
  });

  it('maps a wrong skey to auth_failed and an Admin key on the Auth API to permission_denied', async () => {
    const t = creds();
    const wrong = createDuoClient({
      ...t.admin,
      skey: 'x'.repeat(40),
      host: t.hostname,
      dispatcher: appDispatcher(emu.app),
    });
    await expect(wrong.admin.settings()).rejects.toMatchObject({ kind: 'auth_failed', duoCode: 40103 });
    const admin = createDuoClient({ ...t.admin, host: t.hostname, dispatcher: appDispatcher(emu.app) });
    const error = await admin.auth.check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuoApiError);
    expect((error as DuoApiError).kind).toBe('permission_denied');
  });

  it('does ping, check and preauth with an Auth key', async () => {
    const t = creds();
    const client = createDuoClient({ ...t.auth, host: t.hostname, dispatcher: appDispatcher(emu.app) });
    const ping = await client.auth.ping();
    expect(ping.time).toBeGreaterThan(0);
    const check = await client.auth.check();
    expect(check.time).toBeGreaterThan(0);
    const users = await collectAll(
      createDuoClient({ ...t.admin, host: t.hostname, dispatcher: appDispatcher(emu.app) }).admin.users.list({
        maxPages: 1,
      }),
    );
    const pre = await client.auth.preauth({ username: users.items[0]?.username ?? 'nobody' });
    expect(['auth', 'allow', 'deny', 'enroll']).toContain(pre.result);
  });

  it('runs the Device API cache lifecycle', async () => {
    const t = creds();
    const client = createDuoClient({
      ikey: t.device.ikey,
      skey: t.device.skey,
      host: t.hostname,
      dispatcher: appDispatcher(emu.app),
    });
    const cache = await client.device.createCache(t.device.mkey);
    expect(cache.status).toBe('pending');
    const ids = Array.from(
      { length: 1500 },
      (_, i) => `3f2504e0-4f89-11d3-9a0c-${String(i).padStart(12, '0')}`,
    );
    const batches = await client.device.addDevices(t.device.mkey, cache.cache_key, ids);
    expect(batches.map((b) => b.ok)).toEqual([true, true]);
    const got = await client.device.getCache(t.device.mkey, cache.cache_key);
    expect(got.device_count).toBe(1500);
    await client.device.activateCache(t.device.mkey, cache.cache_key);
    const active = await client.device.listCaches(t.device.mkey, { status: 'active' });
    expect(active.map((c) => c.cache_key)).toContain(cache.cache_key);
  });

  it('lists child accounts and calls the Admin API on a child with account_id', async () => {
    const t = creds();
    const client = createDuoClient({ ...t.accounts, host: t.hostname, dispatcher: appDispatcher(emu.app) });
    const children = await client.accounts.list();
    expect(children.length).toBeGreaterThan(0);
    const child = children[0];
    if (child === undefined) throw new Error('no child');
    const settings = await client.forChildAccount(child).admin.settings();
    expect(typeof settings.lockout_threshold).toBe('number');
  });
});

describe('client ↔ emulator over real TLS', () => {
  let listening: Awaited<ReturnType<Emulator['listen']>>;
  beforeAll(async () => {
    listening = await emu.listen();
  });
  afterAll(async () => {
    await listening.close();
  });

  it('connects through DUOWATCH_DUO_RESOLVE / CA file / allow-private, signing for the hostname', async () => {
    const t = creds();
    const transport = duoTransportOptionsFromEnv(
      {
        DUOWATCH_DUO_RESOLVE: `${t.hostname}=127.0.0.1:${String(listening.port)}`,
        DUOWATCH_DUO_CA_FILE: listening.caFile,
        DUOWATCH_ALLOW_PRIVATE_ADDRESSES: 'true',
      },
      (p) => readFileSync(p, 'utf8'),
    );
    const client = createDuoClient({ ...t.admin, host: t.hostname, transport });
    const settings = await client.admin.settings();
    expect(typeof settings.lockout_threshold).toBe('number');
    expect(client.clockSkewMs()).toBeTypeOf('number');
    await client.close();
  });
});
