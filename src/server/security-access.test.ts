import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Harness } from './harness.test-helpers.js';
import { realDuo, type RealDuo } from './real-harness.test-helpers.js';

/**
 * What an API token may do, and for how long (issue: harden the service edge, items 4 and 5), against the
 * server over the real services, the emulator and SQLite.
 */
let duo: RealDuo;
beforeAll(async () => {
  duo = await realDuo('security-access');
});
afterAll(async () => {
  await duo?.close();
});

async function mint(h: Harness, who: Client, role: string): Promise<{ token: string; id: string }> {
  const res = await h.call(who, 'POST', '/api/v1/orgs/acme/tokens', { label: `t-${role}`, role });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { token: string; apiToken: { id: string } };
  return { token: body.token, id: body.apiToken.id };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('member management is for sessions only (item 4)', () => {
  it('an owner token can neither list, promote nor remove members', async () => {
    const h = await duo.server();
    const owner = await h.login('owner-a');
    const { token } = await mint(h, owner, 'owner');
    const before = await h.store.memberships.listForOrganization(h.orgs.a.id);

    const list = await h.call(null, 'GET', '/api/v1/orgs/acme/members', undefined, bearer(token));
    const promote = await h.call(
      null,
      'PUT',
      `/api/v1/orgs/acme/members/${h.users.nobody.id}`,
      { role: 'owner' },
      bearer(token),
    );
    const remove = await h.call(
      null,
      'DELETE',
      `/api/v1/orgs/acme/members/${h.users.ownerA.id}`,
      undefined,
      bearer(token),
    );
    for (const res of [list, promote, remove]) {
      expect(res.status).toBe(403);
      expect(await code(res)).toBe('session_required');
    }
    expect(await h.store.memberships.listForOrganization(h.orgs.a.id)).toEqual(before);
    // The same owner, signed in, still manages members.
    const bySession = await h.call(owner, 'PUT', `/api/v1/orgs/acme/members/${h.users.nobody.id}`, {
      role: 'auditor',
    });
    expect(bySession.status).toBe(200);
  });
});

describe("tokens do not outlive their creator's rights (item 5)", () => {
  it('stops working when the creator is demoted, removed or disabled, and records the creator', async () => {
    const h = await duo.server();
    const owner = await h.login('owner-a');
    const admin = await h.login('admin-a');
    const root = await h.login('root');
    const { token, id } = await mint(h, admin, 'admin');
    expect((await h.store.apiTokens.list(h.orgs.a.id)).find((t) => t.id === id)?.createdBy).toBe(
      h.users.adminA.id,
    );
    const use = () => h.call(null, 'GET', '/api/v1/orgs/acme/integrations', undefined, bearer(token));
    expect((await use()).status).toBe(200);

    // Demoted to auditor: an admin token is more than the creator now holds.
    await h.call(owner, 'PUT', `/api/v1/orgs/acme/members/${h.users.adminA.id}`, { role: 'auditor' });
    const demoted = await use();
    expect(demoted.status).toBe(401);
    expect(await code(demoted)).toBe('invalid_token');

    await h.call(owner, 'PUT', `/api/v1/orgs/acme/members/${h.users.adminA.id}`, { role: 'admin' });
    expect((await use()).status).toBe(200);

    await h.call(owner, 'DELETE', `/api/v1/orgs/acme/members/${h.users.adminA.id}`);
    expect((await use()).status).toBe(401);

    await h.call(owner, 'PUT', `/api/v1/orgs/acme/members/${h.users.adminA.id}`, { role: 'admin' });
    expect((await use()).status).toBe(200);
    expect(
      (await h.call(root, 'PATCH', `/api/v1/users/${h.users.adminA.id}`, { disabled: true })).status,
    ).toBe(200);
    expect((await use()).status).toBe(401);
  });

  it("an admin cannot revoke an owner's token; the owner and the token's creator can", async () => {
    const h = await duo.server();
    const owner = await h.login('owner-a');
    const admin = await h.login('admin-a');
    const ownersAuditorToken = await mint(h, owner, 'auditor');
    const ownersOwnerToken = await mint(h, owner, 'owner');
    const adminsToken = await mint(h, admin, 'auditor');

    for (const t of [ownersAuditorToken, ownersOwnerToken]) {
      const res = await h.call(admin, 'DELETE', `/api/v1/orgs/acme/tokens/${t.id}`);
      expect(res.status).toBe(403);
      expect(await code(res)).toBe('forbidden');
    }
    expect(await h.store.apiTokens.list(h.orgs.a.id)).toHaveLength(3);
    expect((await h.call(admin, 'DELETE', `/api/v1/orgs/acme/tokens/${adminsToken.id}`)).status).toBe(200);
    expect((await h.call(owner, 'DELETE', `/api/v1/orgs/acme/tokens/${ownersOwnerToken.id}`)).status).toBe(
      200,
    );
    expect((await h.store.apiTokens.list(h.orgs.a.id)).map((t) => t.id)).toEqual([ownersAuditorToken.id]);
  });
});
