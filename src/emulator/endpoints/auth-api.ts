import { duoHeaders } from '../wire/respond.js';
import { required, unwrap, type EndpointDef } from './endpoint.js';

/** A 1×1 PNG: `/auth/v2/logo` answers image/png bytes, not JSON (docs/duo-wire.md §5). */
const LOGO_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

function requireUser(params: { get(k: string): string | undefined }): void {
  const u = params.get('username') ?? params.get('user_id');
  if (u === undefined || u === '') required(params as never, 'username');
}

/** Auth API v2 (docs/duo-wire.md §5). The simulated users live in the world; this side validates and wraps. */
export const authApiEndpoints: EndpointDef[] = [
  {
    // Unsigned, and answers for any hostname (docs/duo-wire.md §2.6).
    method: 'GET',
    path: '/auth/v2/ping',
    api: null,
    rate: null,
    handler: ({ now }) => ({ response: { time: Math.floor(now / 1000) } }),
  },
  {
    method: 'GET',
    path: '/auth/v2/check',
    api: 'auth',
    rate: null,
    handler: ({ now }) => ({ response: { time: Math.floor(now / 1000) } }),
  },
  {
    method: 'GET',
    path: '/auth/v2/logo',
    api: 'auth',
    rate: null,
    handler: ({ now }) => ({
      raw: new Response(LOGO_PNG, { status: 200, headers: duoHeaders('image/png', now) }),
    }),
  },
  {
    method: 'POST',
    path: '/auth/v2/preauth',
    api: 'auth',
    rate: 'auth',
    handler: ({ tenant, params }) => {
      requireUser(params);
      return { response: unwrap(tenant.preauth(params.record())) };
    },
  },
  {
    method: 'POST',
    path: '/auth/v2/auth',
    api: 'auth',
    rate: 'auth',
    handler: async ({ tenant, params, signal, faults }) => {
      requireUser(params);
      required(params, 'factor');
      const p = params.record();
      const telephonyDown = faults.includes('telephony');
      if (p['async'] === '1' || p['async'] === 'true')
        return { response: unwrap(tenant.authAsync(p, { telephonyDown })) };
      // Synchronous: blocks until the simulated user answers (or times out), as Duo does.
      return { response: unwrap(await tenant.auth(p, { signal, telephonyDown })) };
    },
  },
  {
    method: 'GET',
    path: '/auth/v2/auth_status',
    api: 'auth',
    rate: 'auth',
    handler: async ({ tenant, params, signal }) => {
      const txid = required(params, 'txid');
      // Long poll: the world holds the answer until the transaction's state changes.
      return { response: unwrap(await tenant.authStatus(txid, { signal })) };
    },
  },
  {
    method: 'POST',
    path: '/auth/v2/enroll',
    api: 'auth',
    rate: 'auth',
    handler: ({ tenant, params }) => ({ response: unwrap(tenant.enroll(params.record())) }),
  },
  {
    method: 'POST',
    path: '/auth/v2/enroll_status',
    api: 'auth',
    rate: 'auth',
    handler: ({ tenant, params }) => {
      required(params, 'user_id');
      required(params, 'activation_code');
      // A bare string response: "waiting", "success" or "invalid" (docs/duo-wire.md §3).
      return { response: unwrap(tenant.enrollStatus(params.record())) };
    },
  },
];
