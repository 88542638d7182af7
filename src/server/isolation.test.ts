import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type Client, type Harness } from './harness.test-helpers.js';
import { realDuo, type RealDuo } from './real-harness.test-helpers.js';

/**
 * Tenant isolation, systematically: every operation in /api/openapi.json is called as nobody, as an
 * operator of another organization, as the role just below the one it declares, and with another
 * organization's API token; each must be refused. Then each is called with the role it declares, which must
 * get through, and every response of the whole suite is scanned for secrets. Over the real services, the
 * emulator over TLS and SQLite.
 */
interface Operation {
  method: string;
  path: string;
  access: string;
}

const BELOW: Record<string, 'auditorA' | 'adminA' | 'ownerA' | null> = {
  auditor: null,
  admin: 'auditorA',
  owner: 'adminA',
  global_admin: 'ownerA',
};

let duo: RealDuo;
let h: Harness;
let ops: Operation[];
let clients: Record<'root' | 'ownerA' | 'adminA' | 'auditorA' | 'ownerB' | 'nobody', Client>;
let integrationId: string;
let tokenA: string;
let auditorTokenA: string;
let tokenB: string;
let tokenIdA: string;
/** Minted by the admin: the one an admin may revoke (an owner's token outranks them). */
let auditorTokenIdA: string;
const seen: string[] = [];

async function record(res: Response): Promise<Response> {
  const text = await res.clone().text();
  seen.push([...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n') + '\n' + text);
  return res;
}

function concrete(path: string): string {
  return path
    .replace('{org}', 'acme')
    .replace('{integration}', integrationId)
    .replace('{signal}', 'mfa_enrollment')
    .replace('{userId}', h.users.auditorA.id)
    .replace('{id}', tokenIdA);
}

async function as(who: Client | string | null, op: Operation, body?: unknown): Promise<Response> {
  const path = concrete(op.path);
  const method = op.method.toUpperCase();
  if (typeof who === 'string') {
    const headers: Record<string, string> = { authorization: `Bearer ${who}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return record(
      await h.app.request(path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
  }
  return record(await h.call(who, method, path, body));
}

beforeAll(async () => {
  duo = await realDuo('server-isolation');
  h = await duo.server();
  const doc = (await (await h.app.request('/api/openapi.json')).json()) as {
    openapi: string;
    paths: Record<string, Record<string, { 'x-duowatch-access'?: string }>>;
  };
  expect(doc.openapi).toBe('3.1.0');
  ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method,
      path,
      access: op['x-duowatch-access'] ?? 'MISSING',
    })),
  );
  const entries = await Promise.all(
    (['root', 'ownerA', 'adminA', 'auditorA', 'ownerB', 'nobody'] as const).map(
      async (k) => [k, await h.login(h.users[k].username)] as const,
    ),
  );
  clients = Object.fromEntries(entries) as typeof clients;
  const added = await record(
    await h.call(clients.adminA, 'POST', '/api/v1/orgs/acme/integrations', duo.candidate),
  );
  integrationId = ((await added.json()) as { integration: { id: string } }).integration.id;
  const mint = async (client: Client, org: string, role: string) => {
    const res = await h.call(client, 'POST', `/api/v1/orgs/${org}/tokens`, { label: `t-${role}`, role });
    expect(res.status).toBe(201);
    return (await res.json()) as { token: string; apiToken: { id: string } };
  };
  const a = await mint(clients.ownerA, 'acme', 'owner');
  tokenA = a.token;
  tokenIdA = a.apiToken.id;
  const adminsToken = await mint(clients.adminA, 'acme', 'auditor');
  auditorTokenA = adminsToken.token;
  auditorTokenIdA = adminsToken.apiToken.id;
  tokenB = (await mint(clients.ownerB, 'globex', 'owner')).token;
});

afterAll(async () => {
  await duo?.close();
});

describe('every API operation', () => {
  it('declares who may call it', () => {
    expect(ops.length).toBeGreaterThanOrEqual(25);
    const allowed = ['public', 'authenticated', 'operator', 'global_admin', 'owner', 'admin', 'auditor'];
    for (const op of ops) expect(allowed, `${op.method} ${op.path}`).toContain(op.access);
  });

  it('refuses anonymous callers (401) except the login', async () => {
    for (const op of ops.filter((o) => o.access !== 'public')) {
      const res = await as(null, op);
      expect(res.status, `${op.method} ${op.path}`).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    }
  });

  it("answers an operator of another organization, or of none, with 404 on this organization's routes", async () => {
    for (const op of ops.filter((o) => o.path.includes('{org}') && o.access !== 'global_admin')) {
      for (const who of [clients.ownerB, clients.nobody, tokenB]) {
        const res = await as(who, op);
        expect(res.status, `${op.method} ${op.path}`).toBe(404);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('org_not_found');
      }
    }
  });

  it('refuses the role just below the declared one (403)', async () => {
    let checked = 0;
    for (const op of ops) {
      const below = BELOW[op.access];
      const callers: Array<Client | string> = [];
      if (below) callers.push(clients[below]);
      if (op.access === 'admin' || op.access === 'owner') callers.push(auditorTokenA);
      if (op.access === 'operator' || op.access === 'global_admin') callers.push(tokenA);
      for (const who of callers) {
        const res = await as(who, op);
        expect(
          res.status,
          `${op.method} ${op.path} as ${typeof who === 'string' ? 'token' : who.username}`,
        ).toBe(403);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('lets the declared role through (so the declarations are not overstated)', async () => {
    const who: Record<string, Client> = {
      public: clients.nobody,
      authenticated: clients.nobody,
      operator: clients.auditorA,
      global_admin: clients.root,
      owner: clients.ownerA,
      admin: clients.adminA,
      auditor: clients.auditorA,
    };
    const bodies: Record<string, unknown> = {
      'post /api/v1/session': { username: 'auditor-a', password: PASSWORD },
      'post /api/v1/session/password': { currentPassword: PASSWORD, newPassword: PASSWORD },
      'post /api/v1/orgs': { slug: 'initech' },
      'put /api/v1/orgs/{org}/members/{userId}': { role: 'auditor' },
      'post /api/v1/orgs/{org}/integrations': duo.candidate,
      'post /api/v1/orgs/{org}/integrations/test': duo.candidate,
      'post /api/v1/orgs/{org}/integrations/{integration}/rotate': { skey: duo.candidate.skey },
      'post /api/v1/users': { username: 'newbie', password: 'a long enough passphrase' },
      'patch /api/v1/users/{id}': { disabled: false },
      'post /api/v1/orgs/{org}/tokens': { label: 'ci', role: 'auditor' },
    };
    // Deletions last, the organization itself very last, and sign-out after everything that needs a session.
    const order = (o: Operation) =>
      (o.method === 'delete' ? 1 : 0) +
      (o.method === 'delete' && o.path === '/api/v1/orgs/{org}' ? 2 : 0) +
      (o.path.startsWith('/api/v1/session') ? 0.5 : 0);
    const sorted = [...ops].sort((x, y) => order(x) - order(y));
    for (const op of sorted) {
      const key = `${op.method} ${op.path}`;
      const path =
        op.path === '/api/v1/users/{id}'
          ? op.path.replace('{id}', h.users.nobody.id)
          : op.path === '/api/v1/orgs/{org}/tokens/{id}'
            ? op.path.replace('{id}', auditorTokenIdA)
            : op.path;
      // Signing out and changing the password end sessions: those two get a session of their own.
      const ends =
        (op.method === 'delete' && op.path === '/api/v1/session') || op.path === '/api/v1/session/password';
      const client = ends ? await h.login('auditor-a') : who[op.access]!;
      const res = await as(client, { ...op, path }, bodies[key]);
      expect([200, 201, 202], `${key}: ${res.status} ${await res.clone().text()}`).toContain(res.status);
    }
  });

  it('never returns a secret: no skey, password, API token or session id in any response', () => {
    const sessionIds = Object.values(clients).map((c) => /dw_session=([^;]+)/.exec(c.cookie)?.[1] ?? 'x');
    const secrets = [duo.candidate.skey, PASSWORD, tokenA, auditorTokenA, tokenB, ...sessionIds];
    expect(seen.length).toBeGreaterThan(150);
    for (const text of seen) {
      for (const secret of secrets) expect(text.includes(secret), 'a response leaked a secret').toBe(false);
    }
    for (const line of h.logs) {
      for (const secret of secrets) expect(line.includes(secret), 'a log line leaked a secret').toBe(false);
    }
  });
});
