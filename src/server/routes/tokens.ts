import type { OpenAPIHono } from '@hono/zod-openapi';
import { ROLE_RANK, type ApiTokenRecord } from '../accounts-store.js';
import { principalOf, roleIn } from '../access.js';
import { audit } from '../auth.js';
import type { AppEnv, ServerDeps } from '../context.js';
import { body, defineRoute, input, json, mount, reply } from '../define-route.js';
import { forbidden, notFound, orgNotFound } from '../errors.js';
import { CreatedToken, IdParam, NewToken, Ok, TokenList } from '../schemas.js';
import { newApiToken, newId, sha256 } from '../secrets.js';

const out = (t: ApiTokenRecord) => ({
  id: t.id,
  name: t.name,
  orgId: t.orgId,
  role: t.role,
  createdBy: t.createdBy,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
});

export function mountTokens(app: OpenAPIHono<AppEnv>, deps: ServerDeps): void {
  const tags = ['tokens'];
  mount(
    app,
    defineRoute(deps, 'operator', {
      method: 'get',
      path: '/api/v1/tokens',
      tags,
      summary: 'API tokens you created (all, for a global administrator)',
      responses: { 200: json(TokenList, 'Tokens (never the token itself).') },
    }),
    async (c) => {
      const p = principalOf(c);
      if (p.kind !== 'operator') throw forbidden();
      const tokens = await deps.accounts.apiTokens.list(
        p.operator.isAdmin ? {} : { createdBy: p.operator.id },
      );
      return reply(c, TokenList, { tokens: tokens.map(out) });
    },
  );

  mount(
    app,
    defineRoute(deps, 'operator', {
      method: 'post',
      path: '/api/v1/tokens',
      tags,
      summary:
        'Create an API token scoped to one organization and a role no higher than yours (admin or owner needed)',
      request: body(NewToken),
      responses: { 201: json(CreatedToken, 'The token, shown this once.') },
    }),
    async (c) => {
      const p = principalOf(c);
      if (p.kind !== 'operator') throw forbidden();
      const data = input(c, 'json', NewToken);
      const org = await deps.services.orgs.get(data.org);
      const mine = org ? roleIn(p, org.id) : null;
      if (!org || mine === null) throw orgNotFound();
      if (ROLE_RANK[mine] < ROLE_RANK.admin || ROLE_RANK[data.role] > ROLE_RANK[mine]) {
        throw forbidden(`creating a ${data.role} token with the ${mine} role`);
      }
      const token = newApiToken(deps.random);
      const now = deps.clock();
      const record = await deps.accounts.apiTokens.create({
        id: newId(deps.random),
        name: data.name,
        tokenHash: sha256(token),
        orgId: org.id,
        role: data.role,
        createdBy: p.operator.id,
        createdAt: now,
        expiresAt:
          data.expiresInDays === undefined ? null : new Date(now.getTime() + data.expiresInDays * 86_400_000),
      });
      await audit(c, deps, {
        action: 'token.create',
        orgId: org.id,
        target: record.name,
        outcome: 'success',
        details: { tokenId: record.id, role: record.role },
      });
      return reply(c, CreatedToken, { token, apiToken: out(record) }, 201);
    },
  );

  mount(
    app,
    defineRoute(deps, 'operator', {
      method: 'delete',
      path: '/api/v1/tokens/{id}',
      tags,
      summary: 'Revoke an API token',
      request: { params: IdParam },
      responses: { 200: json(Ok, 'Revoked.') },
    }),
    async (c) => {
      const p = principalOf(c);
      if (p.kind !== 'operator') throw forbidden();
      const { id } = input(c, 'param', IdParam);
      const token = await deps.accounts.apiTokens.findById(id);
      // Yours, or an organization you own: anything else looks like it does not exist.
      if (!token || (token.createdBy !== p.operator.id && roleIn(p, token.orgId) !== 'owner'))
        throw notFound('token');
      await deps.accounts.apiTokens.remove(id);
      await audit(c, deps, {
        action: 'token.revoke',
        orgId: token.orgId,
        target: token.name,
        outcome: 'success',
        details: { tokenId: token.id },
      });
      return reply(c, Ok, { ok: true });
    },
  );
}
