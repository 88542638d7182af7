import type { OpenAPIHono } from '@hono/zod-openapi';
import { audit } from '../auth.js';
import type { AppEnv, ServerDeps } from '../context.js';
import { body, defineRoute, input, json, mount, reply } from '../define-route.js';
import { ApiError, notFound } from '../errors.js';
import { hashPassword } from '../password.js';
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
      for (const op of await deps.accounts.operators.list()) {
        users.push(await userView(deps, op, await deps.accounts.memberships.listForOperator(op.id)));
      }
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
      if (await deps.accounts.operators.findByUsername(data.username)) {
        throw new ApiError(409, 'user_exists', `The username "${data.username}" is taken.`);
      }
      const op = await deps.accounts.operators.create({
        username: data.username,
        passwordHash: await hashPassword(data.password, deps.config.scrypt),
        superadmin: data.isAdmin,
      });
      await audit(c, deps, {
        action: 'user.create',
        orgId: null,
        target: op.username,
        outcome: 'success',
        details: { isAdmin: op.superadmin },
      });
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
      const op = await deps.accounts.operators.get(id);
      if (!op) throw notFound('user');
      if (patch.disabled !== undefined) await deps.accounts.operators.setDisabled(id, patch.disabled);
      if (patch.password !== undefined)
        await deps.accounts.operators.setPasswordHash(
          id,
          await hashPassword(patch.password, deps.config.scrypt),
        );
      // Either change ends the operator's existing sessions.
      if (patch.disabled === true || patch.password !== undefined) {
        await deps.accounts.sessions.deleteForOperator(id);
        await deps.accounts.loginDevices.forgetOperator(id);
      }
      const changed = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined);
      await audit(c, deps, {
        action: 'user.update',
        orgId: null,
        target: op.username,
        outcome: 'success',
        details: { changed, ...(patch.disabled === undefined ? {} : { disabled: patch.disabled }) },
      });
      const fresh = (await deps.accounts.operators.get(id)) ?? op;
      return reply(c, User, await userView(deps, fresh, await deps.accounts.memberships.listForOperator(id)));
    },
  );
}
