import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { DuowatchServices } from '../services/contract.js';
import { createServices, DuoClients } from '../services/index.js';
import { openStore, type Store } from '../store/index.js';
import { hashPassword, type OrgRole } from '../accounts/index.js';
import { createServerApp, type CreateServerAppOptions, type ServerApp } from './app.js';

/** Cheap scrypt for tests only: the parameters travel with each hash, so verification is unchanged. */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery staple';

export interface Client {
  cookie: string;
  csrf: string;
  username: string;
}

type UserKey = 'root' | 'ownerA' | 'adminA' | 'auditorA' | 'ownerB' | 'nobody';

export interface Harness {
  app: ServerApp;
  store: Store;
  /** The data directory (with `sqliteFile`, the database file another store connection can open). */
  dataDir: string;
  services: DuowatchServices;
  now: { t: number };
  orgs: { a: { id: string; slug: string }; b: { id: string; slug: string } };
  users: Record<UserKey, { id: string; username: string }>;
  logs: string[];
  login(username: string, password?: string, headers?: Record<string, string>): Promise<Client>;
  call(
    client: Client | null,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  /** Every audit entry, oldest first, with the outcome lifted out of details. */
  audit(): Promise<
    Array<{
      action: string;
      actor: string;
      orgId: string | null;
      outcome: string;
      details: Record<string, unknown>;
    }>
  >;
  close(): Promise<void>;
}

/**
 * A server over the REAL store (SQLite in memory, a throwaway key file) and the REAL services, with two
 * orgs, an operator per role, a test clock, and a log sink capturing every line the server writes.
 *
 * The services reach Duo through `clients`: pass the ones `realDuo()` pins to the emulator over TLS
 * (real-harness.test-helpers.ts) when a test talks to Duo. Without them the services get clients with no
 * pin: such a test does not mean to reach Duo, and nothing in it does.
 *
 * The test clock starts at the wall clock's now, so Test before Save's skew check against the emulator
 * passes; a test moves it forward through `now.t` (sessions, tokens, throttles expire on it).
 */
export async function harness(
  over: {
    clients?: DuoClients;
    options?: Partial<CreateServerAppOptions>;
    /** Use the wall clock instead of the movable test clock. */
    realClock?: boolean;
    /** A SQLite file in `dataDir` instead of memory, so a test can open a second connection to it. */
    sqliteFile?: boolean;
  } = {},
): Promise<Harness> {
  const now = { t: Date.now() };
  const clock = over.realClock === true ? () => new Date() : () => new Date(now.t);
  const dataDir = await mkdtemp(join(tmpdir(), 'duowatch-server-'));
  const store = await openStore({
    dataDir,
    ...(over.sqliteFile === true ? {} : { databaseUrl: 'sqlite::memory:' }),
    env: {},
    clock,
  });
  const ownClients = over.clients === undefined ? new DuoClients({ transport: {} }) : null;
  const clients = over.clients ?? ownClients!;
  const services = createServices({ store, clients, clock: { now: () => clock().getTime() } });
  const logs: string[] = [];
  const sink = (o: object, m?: string) => void logs.push(JSON.stringify({ ...o, m }));
  const logger = { info: sink, warn: sink, error: sink };
  const app = createServerApp({
    services,
    store,
    clock,
    logger,
    metrics: new Registry(),
    config: { scrypt: TEST_SCRYPT },
    ...over.options,
  });
  const system = { id: 'system' };
  const a = await services.orgs.create({ slug: 'acme', name: 'Acme' }, system);
  const b = await services.orgs.create({ slug: 'globex', name: 'Globex' }, system);
  const hash = await hashPassword(PASSWORD, TEST_SCRYPT);
  const mk = async (username: string, superadmin = false, role?: [string, OrgRole]) => {
    const op = await store.operators.create({ username, passwordHash: hash, superadmin });
    if (role) await store.memberships.grant(role[0], op.id, role[1]);
    return { id: op.id, username };
  };
  const users = {
    root: await mk('root', true),
    ownerA: await mk('owner-a', false, [a.id, 'owner']),
    adminA: await mk('admin-a', false, [a.id, 'admin']),
    auditorA: await mk('auditor-a', false, [a.id, 'auditor']),
    ownerB: await mk('owner-b', false, [b.id, 'owner']),
    nobody: await mk('nobody'),
  };

  async function call(
    client: Client | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const h: Record<string, string> = { ...headers };
    if (client) {
      h.cookie = client.cookie;
      if (method !== 'GET') h['x-csrf-token'] = client.csrf;
    }
    if (body !== undefined) h['content-type'] = 'application/json';
    return app.request(path, {
      method,
      headers: h,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async function login(
    username: string,
    password = PASSWORD,
    headers: Record<string, string> = {},
  ): Promise<Client> {
    const res = await call(null, 'POST', '/api/v1/session', { username, password }, headers);
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const json = (await res.json()) as { csrfToken: string };
    return { cookie, csrf: json.csrfToken, username };
  }

  async function audit() {
    return (await store.auditLog.listAll({ limit: 1000 })).reverse().map((e) => ({
      action: e.action,
      actor: e.actor,
      orgId: e.orgId,
      outcome: e.details?.outcome === 'failure' ? 'failure' : 'success',
      details: e.details ?? {},
    }));
  }

  let closed = false;
  return {
    app,
    store,
    dataDir,
    services,
    now,
    orgs: { a: { id: a.id, slug: a.slug }, b: { id: b.id, slug: b.slug } },
    users,
    logs,
    login,
    call,
    audit,
    async close() {
      if (closed) return;
      closed = true;
      await ownClients?.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
