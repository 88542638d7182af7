import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuoClient, type DuoClient } from '../duo/index.js';
import { appDispatcher } from '../duo/test-support/app-dispatcher.test-helpers.js';
import { createEmulator, type Emulator, type TenantCredentials } from '../emulator/index.js';
import { openStore, type Store } from '../store/index.js';
import { logsConfigSchema } from './config-schema.js';
import { inventoryStore } from './inventory.js';
import { inventoryOrg } from './inventory-org.js';
import { normaliseLogsConfig } from './logs-config.js';
import { logsMigrations } from './migrations.js';
import { openLogsService, type LogsService } from './service.js';

// Inventory snapshots (users, phones, endpoints) and the MSP child list refreshed hourly, against an
// in-process emulator with a parent and two child tenants.
let emu: Emulator;
let parent: TenantCredentials;
let children: TenantCredentials[];
let dir: string;
let store: Store;
let service: LogsService;
let now = 0;
const ids = { admin: '', accounts: '', adminOrg: '', mspOrg: '' };

function clientFor(creds: TenantCredentials, kind: 'admin' | 'accounts'): DuoClient {
  return createDuoClient({
    ...(kind === 'admin' ? creds.admin : creds.accounts),
    host: creds.hostname,
    dispatcher: appDispatcher(emu.app),
    ratesPerMinute: { admin_read: 0, accounts: 0, log: 0, auth_log: 0 },
  });
}

beforeAll(async () => {
  emu = await createEmulator({ seed: 'logs-inventory', tenants: 3, users: 25, rateLimit: false });
  parent = emu.credentials().find((c) => c.parent === null)!;
  children = emu.credentials().filter((c) => c.parent !== null);
  dir = await mkdtemp(join(tmpdir(), 'duowatch-inventory-'));
  store = await openStore({ dataDir: dir, env: {}, migrations: logsMigrations });
  const a = await store.organizations.create({ slug: 'acme' });
  const m = await store.organizations.create({ slug: 'msp' });
  ids.adminOrg = a.id;
  ids.mspOrg = m.id;
  const base = { apiHost: parent.hostname, mkey: null };
  ids.admin = (
    await store.integrations.create(a.id, { ...base, kind: 'admin', label: 'admin', ...parent.admin })
  ).id;
  ids.accounts = (
    await store.integrations.create(m.id, {
      ...base,
      kind: 'accounts',
      label: 'accounts',
      ...parent.accounts,
    })
  ).id;
  const issues: { path: string; message: string }[] = [];
  const config = await normaliseLogsConfig(
    logsConfigSchema.parse({
      sinks: { f: { type: 'file', path: 'f.ndjson' } },
      routes: [{ org: '*', sinks: ['f'] }],
      msp: [{ org: 'msp', exclude: [children[1]!.accountId] }],
    }),
    { env: {}, dataDir: dir },
    issues,
  );
  now = emu.world.clock.now();
  service = await openLogsService({
    config,
    dataDir: dir,
    env: {},
    store,
    clientFor: (_o, i) =>
      Promise.resolve(i === ids.admin ? clientFor(parent, 'admin') : clientFor(parent, 'accounts')),
    demo: false,
    now: () => now,
  });
});

afterAll(async () => {
  await service.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('inventory snapshots', () => {
  it("store a tenant's users and phones as the emulator lists them; a kind Duo refuses is recorded, not fatal", async () => {
    const results = await inventoryOrg(
      {
        store,
        clientFor: () => Promise.resolve(clientFor(parent, 'admin')),
        childrenOf: () => Promise.resolve([]),
        now: () => now,
      },
      ids.adminOrg,
    );
    const tenant = emu.world.tenant(parent.hostname);
    const byKind = Object.fromEntries(results.map((r) => [r.kind, r]));
    expect(byKind['users']).toMatchObject({ count: tenant.users().length, error: null, truncated: false });
    expect(byKind['phones']).toMatchObject({ count: tenant.phones().length, error: null });
    expect(tenant.users().length).toBeGreaterThan(0);
    // /admin/v1/endpoints: listed when the emulator serves it, else its error is recorded beside the others.
    if (byKind['endpoints']?.error === null) expect(byKind['endpoints'].count).toBeGreaterThanOrEqual(0);
    else expect(byKind['endpoints']?.error).toMatch(/404|not found|40400/i);
    const stored = await inventoryStore(store).latest(ids.adminOrg);
    const users = stored.find((s) => s.kind === 'users');
    expect(users?.items.map((u) => u['user_id']).sort()).toEqual(
      tenant
        .users()
        .map((u) => u.user_id)
        .sort(),
    );
    expect(users?.takenMs).toBe(now);
  });

  it("reads an MSP's selected children, and asks the Accounts API for the child list at most hourly", async () => {
    emu.control.clearRequests();
    const lists = () =>
      emu.control.requests({ host: parent.hostname }).filter((r) => r.path === '/accounts/v1/account/list')
        .length;
    const first = await service.inventory(ids.mspOrg, ids.accounts);
    // Only the child not excluded by logs.msp.
    expect([...new Set(first.map((r) => r.accountId))]).toEqual([children[0]!.accountId]);
    const users = first.find((r) => r.kind === 'users');
    expect(users?.count).toBe(emu.world.tenant(children[0]!.hostname).users().length);
    expect(lists()).toBe(1);
    now += 30 * 60_000;
    await service.inventory(ids.mspOrg, ids.accounts);
    expect(lists()).toBe(1);
    now += 31 * 60_000;
    await service.inventory(ids.mspOrg, ids.accounts);
    expect(lists()).toBe(2);
    // The list is kept in the database: another process (here a second service on the same store, as a
    // `logs run` beside serve) within the hour uses it without asking Duo, and honours the exclusion too.
    // It has its own data directory and file path: one process per file sink (the sinks' path locks).
    now += 10 * 60_000;
    const otherDir = join(dir, 'other');
    const other = await openLogsService({
      config: await normaliseLogsConfig(
        logsConfigSchema.parse({
          sinks: { f: { type: 'file', path: 'f.ndjson' } },
          routes: [{ org: '*', sinks: ['f'] }],
          msp: [{ org: 'msp', exclude: [children[1]!.accountId] }],
        }),
        { env: {}, dataDir: otherDir },
        [],
      ),
      dataDir: otherDir,
      env: {},
      store,
      clientFor: () => Promise.resolve(clientFor(parent, 'accounts')),
      demo: false,
      now: () => now,
    });
    try {
      const again = await other.inventory(ids.mspOrg, ids.accounts);
      expect([...new Set(again.map((r) => r.accountId))]).toEqual([children[0]!.accountId]);
      expect(lists()).toBe(2);
      now += 51 * 60_000;
      await other.inventory(ids.mspOrg, ids.accounts);
      expect(lists()).toBe(3);
    } finally {
      await other.close();
    }
  });
});
