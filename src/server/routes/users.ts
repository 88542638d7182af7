import type { OpenAPIHono } from '@hono/zod-openapi';
import { actorOf } from '../auth.js';
import type { AppEnv, ServerDeps } from '../context.js';
import { body, defineRoute, input, json, mount, reply } from '../define-route.js';
import { IdParam, NewUser, User, UserList, UserPatch } from '../schemas.js';
import { userView } from './session.js';

export function mountUsers(app: OpenAPIHono<AppEnv>, deps: ServerDeps): void {
  const tags = ['users'];
  mount(
    app,
    defineRoute(deps, 'global_admin', {
      method: 'get',
      path: '/api/v1/users',
      tags,
      summary: 'Every operator with their memberships',
      responses: { 200: json(UserList, 'Operators.') },
    }),
    async (c) => {
      const users = [];
      for (const { operator, memberships } of await deps.accountsService.operators.list())
        users.push(await userView(deps, operator, memberships));
      return reply(c, UserList, { users });
    },
  );

  mount(
    app,
    defineRoute(deps, 'global_admin', {
      method: 'post',
      path: '/api/v1/users',
      tags,
      summary: 'Create an operator',
      request: body(NewUser),
      responses: { 201: json(User, 'Created.'), 409: json(User, 'The username is taken.') },
    }),
    async (c) => {
      const data = input(c, 'json', NewUser);
      // A taken username is refused as 409 user_exists by the service.
      const op = await deps.accountsService.operators.create(
        { username: data.username, password: data.password, isAdmin: data.isAdmin },
        actorOf(c, deps),
      );
      return reply(c, User, await userView(deps, op, []), 201);
    },
  );

  mount(
    app,
    defineRoute(deps, 'global_admin', {
      method: 'patch',
      path: '/api/v1/users/{id}',
      tags,
      summary: 'Disable/enable an operator or reset their password',
      request: { params: IdParam, ...body(UserPatch) },
      responses: { 200: json(User, 'Updated.') },
    }),
    async (c) => {
      const { id } = input(c, 'param', IdParam);
      const patch = input(c, 'json', UserPatch);
      const op = await deps.accountsService.operators.update(id, patch, actorOf(c, deps));
      return reply(c, User, await userView(deps, op, await deps.accountsService.memberships.forOperator(id)));
    },
  );
}
