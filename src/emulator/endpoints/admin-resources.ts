import type { Tenant, WireUser } from '../world/index.js';
import { DuoApiError } from '../wire/duo-errors.js';
import type { Params } from '../wire/params.js';
import { notFound, type EndpointDef } from './endpoint.js';
import { MAX_LIMIT, pageV1 } from './paging.js';

/** Users filtered as `GET /admin/v1/users` documents: username, email, user_id_list, username_list. */
function filterUsers(tenant: Tenant, params: Params): readonly WireUser[] {
  let users = tenant.users();
  const username = params.get('username');
  if (username !== undefined) users = users.filter((u) => u.username === username);
  const email = params.get('email');
  if (email !== undefined) users = users.filter((u) => u.email.toLowerCase() === email.toLowerCase());
  const ids = params.list('user_id_list');
  if (ids.length > 0) users = users.filter((u) => ids.includes(u.user_id));
  const names = params.list('username_list');
  if (names.length > 0) users = users.filter((u) => names.includes(u.username));
  return users;
}

function userOr404(tenant: Tenant, id: string): WireUser {
  return tenant.user(id) ?? notFound();
}

function byId<T>(items: readonly T[], key: keyof T, id: string): T {
  return items.find((x) => x[key] === id) ?? notFound();
}

const R = 'read_resource' as const;

/** Admin API reads of users, groups, phones, tokens, bypass codes, WebAuthn, admins, integrations, policies. */
export const adminResourceEndpoints: EndpointDef[] = [
  {
    method: 'GET',
    path: '/admin/v1/users',
    api: 'admin',
    grant: R,
    rate: 'page',
    handler: ({ tenant, params }) => pageV1(filterUsers(tenant, params), params, MAX_LIMIT.users),
  },
  {
    method: 'GET',
    path: '/admin/v1/users/:user_id',
    api: 'admin',
    grant: R,
    rate: 'get_one',
    handler: ({ tenant, path }) => ({ response: userOr404(tenant, path['user_id'] ?? '') }),
  },
  {
    // Duo answers a bare "" (docs/duo-wire.md §3). The user goes to "pending deletion" and the administrator log
    // records user_delete by "API". The emulator has no write grant, so read_resource gates it [assumption].
    method: 'DELETE',
    path: '/admin/v1/users/:user_id',
    api: 'admin',
    grant: R,
    rate: 'modify',
    handler: ({ tenant, path, now }) => {
      const user = userOr404(tenant, path['user_id'] ?? '');
      tenant.inject({
        kind: 'admin_action',
        action: 'user_delete',
        user: user.user_id,
        admin: 'API',
        at: now,
      });
      return { response: '' };
    },
  },
  {
    method: 'GET',
    path: '/admin/v1/users/:user_id/bypass_codes',
    api: 'admin',
    grant: R,
    rate: 'page',
    handler: ({ tenant, path, params }) => {
      const user = userOr404(tenant, path['user_id'] ?? '');
      return pageV1(tenant.bypassCodes(user.user_id), params, MAX_LIMIT.bypass_codes);
    },
  },
  ...(['phones', 'tokens', 'groups', 'webauthncredentials', 'u2ftokens', 'desktoptokens'] as const).map(
    (member): EndpointDef => ({
      method: 'GET',
      path: `/admin/v1/users/:user_id/${member}`,
      api: 'admin',
      grant: R,
      rate: 'page',
      handler: ({ tenant, path, params }) =>
        pageV1(userOr404(tenant, path['user_id'] ?? '')[member] as readonly unknown[], params, 500),
    }),
  ),
  {
    method: 'GET',
    path: '/admin/v1/bypass_codes',
    api: 'admin',
    grant: R,
    rate: 'page',
    handler: ({ tenant, params }) => pageV1(tenant.bypassCodes(), params, MAX_LIMIT.bypass_codes),
  },
  {
    method: 'GET',
    path: '/admin/v1/groups',
    api: 'admin',
    grant: R,
    rate: 'page',
    handler: ({ tenant, params }) => pageV1(tenant.groups(), params, MAX_LIMIT.groups),
  },
  ...['/admin/v1/groups/:id', '/admin/v2/groups/:id'].map((p): EndpointDef => ({
    method: 'GET',
    path: p,
    api: 'admin',
    grant: R,
    rate: 'get_one',
    handler: ({ tenant, path }) => ({ response: byId(tenant.groups(), 'group_id', path['id'] ?? '') }),
  })),
  {
    method: 'GET',
    path: '/admin/v1/phones',
    api: 'admin',
    grant: R,
    rate: 'page',
    handler: ({ tenant, params }) => {
      let phones = tenant.phones();
      const number = params.get('number');
      if (number !== undefined) phones = phones.filter((p) => p.number === number);
      return pageV1(phones, params, MAX_LIMIT.phones);
    },
  },
  {
    method: 'GET',
    path: '/admin/v1/phones/:id',
    api: 'admin',
    grant: R,
    rate: 'get_one',
    handler: ({ tenant, path }) => ({ response: byId(tenant.phones(), 'phone_id', path['id'] ?? '') }),
  },
  {
    method: 'GET',
    path: '/admin/v1/tokens',
    api: 'admin',
    grant: R,
    rate: 'page',
    handler: ({ tenant, params }) => {
      let tokens = tenant.tokens();
      const type = params.get('type');
      const serial = params.get('serial');
      if (type !== undefined) tokens = tokens.filter((t) => t.type === type);
      if (serial !== undefined) tokens = tokens.filter((t) => t.serial === serial);
      return pageV1(tokens, params, MAX_LIMIT.tokens);
    },
  },
  {
    method: 'GET',
    path: '/admin/v1/tokens/:id',
    api: 'admin',
    grant: R,
    rate: 'get_one',
    handler: ({ tenant, path }) => ({ response: byId(tenant.tokens(), 'token_id', path['id'] ?? '') }),
  },
  {
    method: 'GET',
    path: '/admin/v1/webauthncredentials',
    api: 'admin',
    grant: R,
    rate: 'page',
    handler: ({ tenant, params }) => {
      const creds = tenant.users().flatMap((u) =>
        u.webauthncredentials.map((w) => ({
          ...w,
          user: { email: u.email, user_id: u.user_id, username: u.username },
        })),
      );
      return pageV1(creds, params, MAX_LIMIT.webauthn);
    },
  },
  {
    method: 'GET',
    path: '/admin/v1/admins',
    api: 'admin',
    grant: 'administrators_read',
    rate: 'page',
    handler: ({ tenant, params }) => pageV1(tenant.admins(), params, MAX_LIMIT.admins),
  },
  {
    method: 'GET',
    path: '/admin/v1/admins/:id',
    api: 'admin',
    grant: 'administrators_read',
    rate: 'get_one',
    handler: ({ tenant, path }) => ({ response: byId(tenant.admins(), 'admin_id', path['id'] ?? '') }),
  },
  {
    method: 'GET',
    path: '/admin/v1/integrations',
    api: 'admin',
    grant: R,
    rate: 'page',
    handler: ({ tenant, params }) => pageV1(tenant.integrations(), params, MAX_LIMIT.integrations),
  },
  {
    method: 'GET',
    path: '/admin/v1/integrations/:ikey',
    api: 'admin',
    grant: R,
    rate: 'get_one',
    handler: ({ tenant, path }) => ({
      response: byId(tenant.integrations(), 'integration_key', path['ikey'] ?? ''),
    }),
  },
  {
    method: 'GET',
    path: '/admin/v2/policies',
    api: 'admin',
    grant: R,
    rate: 'page',
    handler: ({ tenant, params }) => pageV1(tenant.policies(), params, MAX_LIMIT.policies),
  },
  {
    method: 'GET',
    path: '/admin/v2/policies/global',
    api: 'admin',
    grant: R,
    rate: 'get_one',
    handler: ({ tenant }) => ({ response: tenant.globalPolicy() }),
  },
  {
    method: 'GET',
    path: '/admin/v2/policies/summary',
    api: 'admin',
    grant: R,
    rate: 'get_one',
    handler: ({ tenant }) => ({ response: tenant.policySummary() }),
  },
  {
    method: 'GET',
    path: '/admin/v2/policies/:policy_key',
    api: 'admin',
    grant: R,
    rate: 'get_one',
    handler: ({ tenant, path }) => ({ response: tenant.policy(path['policy_key'] ?? '') ?? notFound() }),
  },
  {
    method: 'GET',
    path: '/admin/v1/settings',
    api: 'admin',
    grant: 'settings_read',
    rate: 'get_one',
    handler: ({ tenant }) => ({ response: tenant.settings() }),
  },
  {
    method: 'GET',
    path: '/admin/v1/info/summary',
    api: 'admin',
    grant: 'read_information',
    rate: 'get_one',
    handler: ({ tenant }) => ({ response: tenant.infoSummary() }),
  },
  {
    method: 'GET',
    path: '/admin/v1/info/authentication_attempts',
    api: 'admin',
    grant: 'read_information',
    rate: 'get_one',
    handler: ({ tenant, params, now }) => {
      // Seconds here (an Admin v1 endpoint); default: the last 30 days, as Duo documents.
      const maxtime = secondsParam(params, 'maxtime') ?? Math.floor(now / 1000);
      const mintime = secondsParam(params, 'mintime') ?? maxtime - 30 * 86_400;
      return { response: { authentication_attempts: tenant.authenticationAttempts(mintime, maxtime) } };
    },
  },
];

export function secondsParam(params: Params, key: string): number | undefined {
  const v = params.get(key);
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new DuoApiError(40002, `Invalid ${key}`);
  return Number(v);
}
