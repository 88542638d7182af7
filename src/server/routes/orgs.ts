import type { OpenAPIHono } from '@hono/zod-openapi';
import type { OrgView } from '../../services/contract.js';
import { principalOf, requireSession, roleIn } from '../access.js';
import { actorOf } from '../auth.js';
import type { AppEnv, Principal, ServerDeps } from '../context.js';
import { body, defineRoute, input, json, mount, reply } from '../define-route.js';
import { ApiError, notFound, orgNotFound } from '../errors.js';
import { MemberBody, MemberList, MemberParam, NewOrg, Ok, Org, OrgList, OrgParam } from '../schemas.js';

function orgOut(org: OrgView, principal: Principal) {
  const global = principal.kind === 'operator' && principal.operator.superadmin;
  return { ...org, role: global ? null : roleIn(principal, org.id) };
}

export function mountOrgs(app: OpenAPIHono<AppEnv>, deps: ServerDeps): void {
  const tags = ['organizations'];
  mount(
    app,
    defineRoute(deps, 'authenticated', {
      method: 'get',
      path: '/api/v1/orgs',
      tags,
      summary: 'Organizations you can see, with their worst status',
      responses: { 200: json(OrgList, 'Organizations.') },
    }),
    async (c) => {
      const p = principalOf(c);
      // Members ask only for their own organizations; a global administrator sees every one.
      let visible: OrgView[];
      if (p.kind === 'operator' && p.operator.superadmin) visible = await deps.services.orgs.list();
      else {
        const ids = p.kind === 'token' ? [p.token.orgId] : p.memberships.map((m) => m.orgId);
        const found = await Promise.all(ids.map((id) => deps.services.orgs.get(id)));
        visible = found.filter((o): o is OrgView => o !== null).sort((a, b) => a.slug.localeCompare(b.slug));
      }
      return reply(c, OrgList, { organizations: visible.map((o) => orgOut(o, p)) });
    },
  );

  mount(
    app,
    defineRoute(deps, 'global_admin', {
      method: 'post',
      path: '/api/v1/orgs',
      tags,
      summary: 'Create an organization',
      request: body(NewOrg),
      responses: { 201: json(Org, 'Created.'), 409: json(Org, 'The slug is taken.') },
    }),
    async (c) => {
      const data = input(c, 'json', NewOrg);
      if (await deps.services.orgs.get(data.slug))
        throw new ApiError(409, 'org_exists', `The slug "${data.slug}" is taken.`);
      const org = await deps.services.orgs.create(
        data.name === undefined ? { slug: data.slug } : { slug: data.slug, name: data.name },
        actorOf(c, deps),
      );
      return reply(c, Org, orgOut(org, principalOf(c)), 201);
    },
  );

  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}',
      tags,
      summary: 'One organization',
      request: { params: OrgParam },
      responses: { 200: json(Org, 'The organization.') },
    }),
    async (c) => {
      const org = await deps.services.orgs.get(c.get('org').id);
      if (!org) throw orgNotFound();
      return reply(c, Org, orgOut(org, principalOf(c)));
    },
  );

  mount(
    app,
    defineRoute(deps, 'global_admin', {
      method: 'delete',
      path: '/api/v1/orgs/{org}',
      tags,
      summary: 'Delete an organization and everything in it',
      request: { params: OrgParam },
      responses: { 200: json(Ok, 'Deleted.') },
    }),
    async (c) => {
      const org = await deps.services.orgs.get(input(c, 'param', OrgParam).org);
      if (!org) throw orgNotFound();
      await deps.services.orgs.remove(org.id, actorOf(c, deps));
      return reply(c, Ok, { ok: true });
    },
  );

  const members = ['members'];
  mount(
    app,
    defineRoute(deps, 'owner', {
      method: 'get',
      path: '/api/v1/orgs/{org}/members',
      tags: members,
      summary: 'Operators with a role in this organization',
      request: { params: OrgParam },
      responses: { 200: json(MemberList, 'Members.') },
    }),
    async (c) => {
      requireSession(c, 'manage members');
      const list = await deps.accountsService.memberships.list(c.get('org').id);
      const members = list.map((m) => ({
        userId: m.operator.id,
        username: m.operator.username,
        role: m.role,
      }));
      return reply(c, MemberList, { members });
    },
  );

  mount(
    app,
    defineRoute(deps, 'owner', {
      method: 'put',
      path: '/api/v1/orgs/{org}/members/{userId}',
      tags: members,
      summary: 'Grant or change a role',
      request: { params: MemberParam, ...body(MemberBody) },
      responses: { 200: json(Ok, 'Role set.') },
    }),
    async (c) => {
      requireSession(c, 'manage members');
      const { userId } = input(c, 'param', MemberParam);
      const { role } = input(c, 'json', MemberBody);
      await deps.accountsService.memberships.set(c.get('org').id, userId, role, actorOf(c, deps));
      return reply(c, Ok, { ok: true });
    },
  );

  mount(
    app,
    defineRoute(deps, 'owner', {
      method: 'delete',
      path: '/api/v1/orgs/{org}/members/{userId}',
      tags: members,
      summary: 'Remove a role',
      request: { params: MemberParam },
      responses: { 200: json(Ok, 'Removed.') },
    }),
    async (c) => {
      requireSession(c, 'manage members');
      const { userId } = input(c, 'param', MemberParam);
      if (!(await deps.accountsService.memberships.remove(c.get('org').id, userId, actorOf(c, deps))))
        throw notFound('member');
      return reply(c, Ok, { ok: true });
    },
  );
}
