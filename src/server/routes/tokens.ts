import type { OpenAPIHono } from '@hono/zod-openapi';
import { ROLE_RANK, tokenView as out } from '../../accounts/index.js';
import { GLOBAL_ADMIN_RANK, principalOf, requireSession } from '../access.js';
import { actorOf } from '../auth.js';
import type { AppContext, AppEnv, ServerDeps } from '../context.js';
import { body, defineRoute, input, json, mount, reply } from '../define-route.js';
import { forbidden, notFound } from '../errors.js';
import { CreatedToken, NewToken, Ok, OrgParam, OrgTokenParam, TokenList } from '../schemas.js';

/** Tokens are managed by people: a token cannot mint or revoke tokens, so a leaked one cannot persist. */
const requireOperator = (c: AppContext): void => requireSession(c, 'manage tokens');

/** The caller's rank in the org (a global administrator outranks every role). */
const callerRank = (c: AppContext): number => {
  const role = c.get('orgRole');
  return role === null ? GLOBAL_ADMIN_RANK : ROLE_RANK[role];
};

export function mountTokens(app: OpenAPIHono<AppEnv>, deps: ServerDeps): void {
  const tags = ['tokens'];
  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'get',
      path: '/api/v1/orgs/{org}/tokens',
      tags,
      summary: "This organization's API tokens (never the token itself)",
      request: { params: OrgParam },
      responses: { 200: json(TokenList, 'Tokens.') },
    }),
    async (c) => {
      requireOperator(c);
      const tokens = await deps.accountsService.tokens.list(c.get('org').id);
      return reply(c, TokenList, { tokens: tokens.map(out) });
    },
  );

  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'post',
      path: '/api/v1/orgs/{org}/tokens',
      tags,
      summary: 'Create an API token for this organization, with a role no higher than yours',
      request: { params: OrgParam, ...body(NewToken) },
      responses: { 201: json(CreatedToken, 'The token, shown this once; stored only as a SHA-256 hash.') },
    }),
    async (c) => {
      requireOperator(c);
      const data = input(c, 'json', NewToken);
      const mine = c.get('orgRole') ?? 'owner';
      if (ROLE_RANK[data.role] > ROLE_RANK[mine]) throw forbidden(`creating a ${data.role} token as ${mine}`);
      const org = c.get('org');
      const creator = principalOf(c);
      const { token, record } = await deps.accountsService.tokens.create(
        org.id,
        {
          label: data.label,
          role: data.role,
          expiresInDays: data.expiresInDays,
          createdBy: creator.kind === 'operator' ? creator.operator.id : null,
        },
        actorOf(c, deps),
      );
      return reply(c, CreatedToken, { token, apiToken: out(record) }, 201);
    },
  );

  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'delete',
      path: '/api/v1/orgs/{org}/tokens/{id}',
      tags,
      summary: 'Revoke an API token',
      request: { params: OrgTokenParam },
      responses: { 200: json(Ok, 'Revoked.') },
    }),
    async (c) => {
      requireOperator(c);
      const { id } = input(c, 'param', OrgTokenParam);
      const org = c.get('org');
      // Scoped by org: another tenant's token id is simply not found here.
      const token = (await deps.accountsService.tokens.list(org.id)).find((t) => t.id === id);
      if (!token) throw notFound('token');
      // Nobody revokes the token of someone who outranks them (an admin cannot revoke an owner's token).
      const mine = callerRank(c);
      if (ROLE_RANK[token.role] > mine || (await deps.accountsService.tokens.creatorRank(token)) > mine)
        throw forbidden('revoking a token of someone with a higher role');
      if (!(await deps.accountsService.tokens.revoke(org.id, id, actorOf(c, deps)))) throw notFound('token');
      return reply(c, Ok, { ok: true });
    },
  );
}
