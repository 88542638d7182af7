import { Registry } from 'prom-client';
import type { DuowatchServices } from '../services/contract.js';
import type { AccountsStore, OrgRole } from './accounts-store.js';
import { createServerApp, type CreateServerAppOptions, type ServerApp } from './app.js';
import { fakeServices } from './fake-services.test-helpers.js';
import { memoryAccounts } from './memory-accounts.test-helpers.js';
import { hashPassword } from './password.js';

/** Cheap scrypt for tests only: the parameters travel with each hash, so verification is unchanged. */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery staple';

export interface Client {
  cookie: string;
  csrf: string;
  username: string;
}

export interface Harness {
  app: ServerApp;
  accounts: AccountsStore & {
    auditLog: { action: string; outcome: string; actor: string; orgId: string | null }[];
    down: boolean;
  };
  services: DuowatchServices;
  now: { t: number };
  orgs: { a: { id: string; slug: string }; b: { id: string; slug: string } };
  users: Record<
    'root' | 'ownerA' | 'adminA' | 'auditorA' | 'ownerB' | 'nobody',
    { id: string; username: string }
  >;
  logs: string[];
  login(username: string, password?: string, headers?: Record<string, string>): Promise<Client>;
  call(
    client: Client | null,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
}

/**
 * A server over the fake services and an in-memory accounts store (or the ones given), with two orgs and an
 * operator per role, a fake clock, and a log sink capturing every line the server writes.
 */
export async function harness(
  over: {
    services?: DuowatchServices;
    accounts?: Harness['accounts'];
    options?: Partial<CreateServerAppOptions>;
  } = {},
): Promise<Harness> {
  const now = { t: Date.parse('2026-11-22T12:00:00Z') };
  const clock = () => new Date(now.t);
  const accounts = over.accounts ?? memoryAccounts(clock);
  const services = over.services ?? fakeServices({ clock, audit: (e) => accounts.audit.append(e) });
  const logs: string[] = [];
  const logger = {
    info: (o: object, m?: string) => void logs.push(JSON.stringify({ ...o, m })),
    warn: (o: object, m?: string) => void logs.push(JSON.stringify({ ...o, m })),
    error: (o: object, m?: string) => void logs.push(JSON.stringify({ ...o, m })),
  };
  const app = createServerApp({
    services,
    store: accounts,
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
  const mk = async (username: string, isAdmin = false, role?: [string, OrgRole]) => {
    const op = await accounts.operators.create({ username, passwordHash: hash, isAdmin });
    if (role) await accounts.memberships.set(role[0], op.id, role[1]);
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
    const set = res.headers.getSetCookie();
    const cookie = set.map((c) => c.split(';')[0]).join('; ');
    const json = (await res.json()) as { csrfToken: string };
    return { cookie, csrf: json.csrfToken, username };
  }

  return {
    app,
    accounts,
    services,
    now,
    orgs: { a: { id: a.id, slug: a.slug }, b: { id: b.id, slug: b.slug } },
    users,
    logs,
    login,
    call,
  };
}

/** A valid candidate for the fake's Test before Save (the skey is 40 characters, like Duo's). */
export const GOOD_CANDIDATE = {
  kind: 'admin',
  apiHost: 'api-12345678.duosecurity.com',
  ikey: 'DIWJ8X6AEYOR5OMC6TQ1',
  skey: 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep',
} as const;
