import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { AlertRaiser, NewAlert } from '../../app/shared.js';
import { capabilityMigrations, raiserOf } from '../../app/index.js';
import { createEmulator, type Emulator, type TenantCredentials } from '../../emulator/index.js';
import { hashPassword } from '../../accounts/index.js';
import { createServerApp, type CreateServerAppOptions, type ServerApp } from '../../server/index.js';
import { createServices, DuoClients, type DuowatchServices } from '../../services/index.js';
import { openStore, type Store } from '../../store/index.js';

export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery staple';

/** The tenant side every verify test stands on (see `verifyTenant`). */
export interface VerifyTenant {
  emulator: Emulator;
  listening: Awaited<ReturnType<Emulator['listen']>>;
  creds: TenantCredentials;
  clients: DuoClients;
  store: Store;
  services: DuowatchServices;
  alerts: NewAlert[];
  alertRaiser: AlertRaiser;
  orgId: string;
  /** An active user with Duo Mobile (push + passcodes), one with SMS, one with a phone. */
  users: { push: string; sms: string; phone: string };
}

export interface VerifyWorld extends VerifyTenant {
  dir: string;
  close(): Promise<void>;
}

/**
 * The real parts a verify test stands on: the emulator over TLS on loopback (its certificates in `tlsDir`),
 * the guarded Duo clients, a store with every capability's migrations in `dataDir` (or at `databaseUrl`), the
 * real services, an organization "acme" with the tenant's Auth API integration saved through Test before
 * Save, and an alert raiser that records. The caller closes the clients, the listener and the store.
 */
export async function verifyTenant(o: {
  seed: string;
  dataDir: string;
  tlsDir: string;
  databaseUrl?: string;
  orgName: string;
}): Promise<VerifyTenant> {
  const emulator = await createEmulator({ seed: o.seed, users: 40, rateLimit: false });
  const listening = await emulator.listen({ tlsDir: o.tlsDir });
  const creds = emulator.credentials()[0];
  if (creds === undefined) throw new Error('no tenant');
  const clients = new DuoClients({
    transport: {
      resolve: { [creds.hostname]: { address: listening.address, port: listening.port } },
      extraCaPem: [readFileSync(listening.caFile, 'utf8')],
      allowPrivateAddresses: true,
    },
  });
  const store = await openStore({
    dataDir: o.dataDir,
    ...(o.databaseUrl === undefined ? {} : { databaseUrl: o.databaseUrl }),
    env: {},
    migrations: capabilityMigrations,
  });
  const services = createServices({ store, clients });
  const org = await services.orgs.create({ slug: 'acme', name: o.orgName }, { id: 'system' });
  const saved = await services.integrations.add(
    org.id,
    { kind: 'auth', apiHost: creds.hostname, ikey: creds.auth.ikey, skey: creds.auth.skey, label: 'auth' },
    {},
    { id: 'system' },
  );
  if (!saved.saved) throw new Error(`auth integration not saved: ${JSON.stringify(saved.report.checks)}`);
  const active = emulator.world
    .tenant(creds.hostname)
    .users()
    .filter((u) => u.status === 'active');
  const withCap = (cap: string) =>
    active.find((u) => u.phones.some((p) => p.capabilities.includes(cap as never)))?.username ?? '';
  const users = { push: withCap('push'), sms: withCap('sms'), phone: withCap('phone') };
  if (!users.push || !users.sms || !users.phone) throw new Error('tenant lacks push/sms/phone users');
  const alerts: NewAlert[] = [];
  return {
    emulator,
    listening,
    creds,
    clients,
    store,
    services,
    alerts,
    alertRaiser: raiserOf((a) => Promise.resolve(void alerts.push(a))),
    orgId: org.id,
    users,
  };
}

/** `verifyTenant` over an in-memory SQLite store in a temporary directory, removed on close. */
export async function verifyWorld(seed: string): Promise<VerifyWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'duowatch-verify-'));
  const t = await verifyTenant({
    seed,
    dataDir: dir,
    tlsDir: join(dir, 'tls'),
    databaseUrl: 'sqlite::memory:',
    orgName: 'Acme',
  });
  return {
    ...t,
    dir,
    async close() {
      await t.clients.close();
      await t.listening.close();
      await t.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestClient {
  cookie: string;
  csrf: string;
}

/** A server app over the world's store and services, and a way to sign in and call it. */
export function serverFor(w: VerifyWorld, options: Partial<CreateServerAppOptions> = {}) {
  const logs: string[] = [];
  const sink = (o: object, m?: string) => void logs.push(JSON.stringify({ ...o, m }));
  const app: ServerApp = createServerApp({
    services: w.services,
    store: w.store,
    logger: { info: sink, warn: sink, error: sink },
    metrics: new Registry(),
    config: { scrypt: TEST_SCRYPT },
    ...options,
  });
  const cookiesOf = (res: Response, prev = ''): string => {
    const jar = new Map<string, string>();
    for (const c of prev.split('; ').filter(Boolean)) {
      const [k, ...v] = c.split('=');
      if (k !== undefined) jar.set(k, v.join('='));
    }
    for (const c of res.headers.getSetCookie()) {
      const first = c.split(';')[0] ?? '';
      const [k, ...v] = first.split('=');
      if (k === undefined) continue;
      const value = v.join('=');
      if (value === '' || /max-age=0/i.test(c)) jar.delete(k);
      else jar.set(k, value);
    }
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  };
  async function call(
    client: TestClient | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const h: Record<string, string> = { ...headers };
    if (client !== null) {
      if (client.cookie !== '') h['cookie'] = client.cookie;
      if (method !== 'GET' && client.csrf !== '') h['x-csrf-token'] = client.csrf;
    }
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await app.request(path, {
      method,
      headers: h,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (client !== null) client.cookie = cookiesOf(res, client.cookie);
    return res;
  }
  async function operator(username: string, role: 'owner' | 'admin' | 'auditor' | null, superadmin = false) {
    const op = await w.store.operators.create({
      username,
      passwordHash: await hashPassword(PASSWORD, TEST_SCRYPT),
      superadmin,
    });
    if (role !== null) await w.store.memberships.grant(w.orgId, op.id, role);
    return op;
  }
  async function login(username: string, password = PASSWORD): Promise<TestClient> {
    const client: TestClient = { cookie: '', csrf: '' };
    const res = await call(client, 'POST', '/api/v1/session', { username, password });
    if (res.status !== 200) throw new Error(`login ${username}: ${String(res.status)} ${await res.text()}`);
    const body = (await res.json()) as { csrfToken: string | null };
    client.csrf = body.csrfToken ?? '';
    return client;
  }
  return { app, call, operator, login, logs };
}
