import {
  adminSchema,
  authenticationAttemptsSchema,
  bypassCodeSchema,
  groupSchema,
  infoSummarySchema,
  integrationSchema,
  phoneSchema,
  policySchema,
  policySummarySchema,
  settingsSchema,
  tokenSchema,
  userSchema,
} from '../wire/index.js';
import {
  call,
  defined,
  seg,
  v1List,
  withSignal,
  type CallOptions,
  type Requester,
  type V1ListOptions,
} from './call.js';

export interface UserFilters {
  username?: string;
  email?: string;
  user_id_list?: string[];
  username_list?: string[];
}

/**
 * Admin API reads (docs/duo-wire.md §5). Page maxima: users 300; groups, phones, tokens, bypass codes 500;
 * admins, policies, integrations unpublished, so 300 (§4).
 */
export function adminEndpoints(rq: Requester) {
  return {
    users: {
      list: (opts?: V1ListOptions & UserFilters) =>
        v1List(rq, '/admin/v1/users', userSchema, 300, opts, {
          username: opts?.username,
          email: opts?.email,
          user_id_list: opts?.user_id_list,
          username_list: opts?.username_list,
        }),
      get: (userId: string, opts?: CallOptions) =>
        call(rq, userSchema, { method: 'GET', path: `/admin/v1/users/${seg(userId)}`, ...withSignal(opts) }),
      bypassCodes: (userId: string, opts?: V1ListOptions) =>
        v1List(rq, `/admin/v1/users/${seg(userId)}/bypass_codes`, bypassCodeSchema, 500, opts),
    },
    admins: { list: (opts?: V1ListOptions) => v1List(rq, '/admin/v1/admins', adminSchema, 300, opts) },
    bypassCodes: {
      list: (opts?: V1ListOptions) => v1List(rq, '/admin/v1/bypass_codes', bypassCodeSchema, 500, opts),
    },
    groups: { list: (opts?: V1ListOptions) => v1List(rq, '/admin/v1/groups', groupSchema, 500, opts) },
    phones: { list: (opts?: V1ListOptions) => v1List(rq, '/admin/v1/phones', phoneSchema, 500, opts) },
    tokens: { list: (opts?: V1ListOptions) => v1List(rq, '/admin/v1/tokens', tokenSchema, 500, opts) },
    integrations: {
      list: (opts?: V1ListOptions) => v1List(rq, '/admin/v1/integrations', integrationSchema, 300, opts),
      get: (integrationKey: string, opts?: CallOptions) =>
        call(rq, integrationSchema, {
          method: 'GET',
          path: `/admin/v1/integrations/${seg(integrationKey)}`,
          ...withSignal(opts),
        }),
    },
    policies: {
      list: (opts?: V1ListOptions) => v1List(rq, '/admin/v2/policies', policySchema, 300, opts),
      global: (opts?: CallOptions) =>
        call(rq, policySchema, { method: 'GET', path: '/admin/v2/policies/global', ...withSignal(opts) }),
      get: (policyKey: string, opts?: CallOptions) =>
        call(rq, policySchema, {
          method: 'GET',
          path: `/admin/v2/policies/${seg(policyKey)}`,
          ...withSignal(opts),
        }),
      summary: (opts?: CallOptions) =>
        call(rq, policySummarySchema, {
          method: 'GET',
          path: '/admin/v2/policies/summary',
          ...withSignal(opts),
        }),
    },
    settings: (opts?: CallOptions) =>
      call(rq, settingsSchema, { method: 'GET', path: '/admin/v1/settings', ...withSignal(opts) }),
    info: {
      summary: (opts?: CallOptions) =>
        call(rq, infoSummarySchema, { method: 'GET', path: '/admin/v1/info/summary', ...withSignal(opts) }),
      authenticationAttempts: (range: { mintime?: number; maxtime?: number } = {}, opts?: CallOptions) =>
        call(rq, authenticationAttemptsSchema, {
          method: 'GET',
          path: '/admin/v1/info/authentication_attempts',
          params: defined({
            mintime: range.mintime === undefined ? undefined : String(range.mintime),
            maxtime: range.maxtime === undefined ? undefined : String(range.maxtime),
          }),
          ...withSignal(opts),
        }),
    },
  };
}

export type AdminEndpoints = ReturnType<typeof adminEndpoints>;
