/**
 * REST routes of the verify capability (docs/verify.md "REST API"), mounted under an organization with the
 * server's guards, audit log and error shape. Actions that reach a user's phone need the admin role.
 */
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { DuoClients, DuowatchServices } from '../services/index.js';
import type { Store } from '../store/index.js';
import {
  actorOf,
  audit,
  body,
  defineRoute,
  input,
  json,
  mount,
  reply,
  type AppEnv,
  type ServerDeps,
} from '../server/index.js';
import { AUTH_ACTIONS, runAuthAction, type AuthAction } from './auth-actions.js';
import { authClient, resolveAuthTarget } from './resolve-integration.js';
import type { VerifyRequest, VerifyStore } from './verify-store.js';
import type { VerifyUser } from './verify-user.js';

const OrgParam = z.object({
  org: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'org', in: 'path' }, example: 'demo' }),
});
const OrgRequestParam = OrgParam.extend({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const AuthBody = z
  .object({
    integration: z.string().min(1).max(200).optional(),
    user: z.string().min(1).max(200).optional(),
    passcode: z.string().min(1).max(64).optional(),
    txid: z.string().min(1).max(200).optional(),
    async: z.boolean().optional(),
    device: z.string().min(1).max(100).optional(),
    type: z.string().min(1).max(100).optional(),
    displayUsername: z.string().min(1).max(200).optional(),
    pushinfo: z.record(z.string(), z.string()).optional(),
    ipaddr: z.string().min(1).max(64).optional(),
    timeoutSeconds: z.number().int().min(1).max(120).optional(),
  })
  .openapi('AuthActionRequest');
const AuthAnswer = z.object({ response: z.record(z.string(), z.unknown()) }).openapi('AuthActionAnswer', {
  description: "Duo's response object (status_msg stripped of control characters).",
});

const VerifyUserBody = z
  .object({
    username: z.string().min(1).max(200),
    reason: z.string().min(1).max(500),
    integration: z.string().min(1).max(200).optional(),
  })
  .openapi('VerifyUserRequest');
const VerifyRequestView = z
  .object({
    id: z.string(),
    username: z.string(),
    reason: z.string(),
    requestedBy: z.string(),
    integrationId: z.string(),
    txid: z.string().nullable(),
    state: z.enum(['waiting', 'allow', 'deny', 'error']),
    result: z.string().nullable(),
    status: z.string().nullable(),
    statusMsg: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('VerifyUserResult');
const VerifyRequestList = z.object({ requests: z.array(VerifyRequestView) }).openapi('VerifyUserResults');

const PHONE_ACTIONS = new Set<AuthAction>(['push', 'passcode', 'sms', 'phone']);

function view(r: VerifyRequest): z.input<typeof VerifyRequestView> {
  return {
    id: r.id,
    username: r.username,
    reason: r.reason,
    requestedBy: r.requestedBy,
    integrationId: r.integrationId,
    txid: r.txid,
    state: r.state,
    result: r.result,
    status: r.status,
    statusMsg: r.statusMsg,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export interface VerifyRoutesDeps {
  store: Store;
  clients: DuoClients;
  services: Pick<DuowatchServices, 'orgs' | 'integrations'>;
  verifyUser: VerifyUser;
  verifyStore: VerifyStore;
}

const SessionFactor = z
  .object({
    secondFactor: z
      .object({ mfa: z.boolean(), factor: z.string().nullable(), reason: z.string(), at: z.string() })
      .nullable(),
  })
  .openapi('SessionSecondFactor', {
    description:
      'How the current session was opened: the Duo factor used, or that none was and why; null when no second step ran.',
  });

export function mountVerifyRoutes(app: OpenAPIHono<AppEnv>, deps: ServerDeps, v: VerifyRoutesDeps): void {
  const tags = ['auth api'];
  mountSessionFactorRoute(app, deps, v.verifyStore);
  for (const action of AUTH_ACTIONS) {
    const route = defineRoute(deps, PHONE_ACTIONS.has(action) ? 'admin' : 'auditor', {
      method: 'post',
      path: `/api/v1/orgs/{org}/auth/${action}`,
      tags,
      summary: `Duo Auth API ${action} with the organization's Auth integration`,
      request: { params: OrgParam, ...body(AuthBody) },
      responses: {
        200: json(AuthAnswer, 'Duo answered (whatever the result).'),
        502: json(z.object({}).passthrough(), 'Duo returned an error (its code is in the message).'),
        504: json(z.object({}).passthrough(), 'Duo did not answer in time.'),
      },
    });
    mount(app, route, async (c) => {
      const b = input(c, 'json', AuthBody);
      const org = c.get('org');
      const target = await resolveAuthTarget(v.services, org.id, b.integration);
      const client = await authClient(v.clients, v.store, target);
      const response = await runAuthAction(client, action, {
        user: b.user,
        passcode: b.passcode,
        txid: b.txid,
        async: b.async,
        device: b.device,
        type: b.type,
        displayUsername: b.displayUsername,
        pushinfo: b.pushinfo,
        ipaddr: b.ipaddr,
        timeoutMs: b.timeoutSeconds === undefined ? undefined : b.timeoutSeconds * 1000,
      });
      if (PHONE_ACTIONS.has(action))
        await audit(c, deps, {
          action: `verify.auth.${action}`,
          orgId: org.id,
          target: b.user ?? null,
          outcome: 'success',
          details: {
            integrationId: target.integration.id,
            result: response['result'] ?? null,
            status: response['status'] ?? null,
          },
        });
      return reply(c, AuthAnswer, { response });
    });
  }

  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'post',
      path: '/api/v1/orgs/{org}/verify/users',
      tags: ['verify'],
      summary: 'Verify this user: a Duo push saying why, its answer recorded in the audit log',
      request: { params: OrgParam, ...body(VerifyUserBody) },
      responses: { 201: json(VerifyRequestView, 'The push was sent; the request waits for the answer.') },
    }),
    async (c) => {
      const b = input(c, 'json', VerifyUserBody);
      const r = await v.verifyUser.start(
        c.get('org').id,
        { username: b.username, reason: b.reason, integration: b.integration },
        actorOf(c, deps).id,
      );
      return reply(c, VerifyRequestView, view(r), 201);
    },
  );
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/verify/users',
      tags: ['verify'],
      summary: 'Recent "verify this user" requests and their answers, newest first',
      request: { params: OrgParam },
      responses: { 200: json(VerifyRequestList, 'The requests.') },
    }),
    async (c) =>
      reply(c, VerifyRequestList, { requests: (await v.verifyUser.list(c.get('org').id)).map(view) }),
  );
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/verify/users/{id}',
      tags: ['verify'],
      summary: 'One "verify this user" request',
      request: { params: OrgRequestParam },
      responses: { 200: json(VerifyRequestView, 'The request.') },
    }),
    async (c) => {
      const { id } = input(c, 'param', OrgRequestParam);
      const r = await v.verifyUser.get(c.get('org').id, id);
      if (r === undefined) return c.json({ error: { code: 'not_found', message: 'No such request.' } }, 404);
      return reply(c, VerifyRequestView, view(r));
    },
  );
}

/**
 * `GET /api/v1/verify/session`: the login answer says which factor opened the session; this lets the
 * dashboard say it again after a reload (the session routes belong to the server, the record to this
 * capability).
 */
export function mountSessionFactorRoute(
  app: OpenAPIHono<AppEnv>,
  deps: ServerDeps,
  verifyStore: Pick<VerifyStore, 'loginFactor'>,
): void {
  mount(
    app,
    defineRoute(deps, 'operator', {
      method: 'get',
      path: '/api/v1/verify/session',
      tags: ['verify'],
      summary: "The current session's second factor (or that none was used, and why)",
      responses: { 200: json(SessionFactor, 'The factor, or null.') },
    }),
    async (c) => {
      const p = c.get('principal');
      const f = p?.kind === 'operator' ? await verifyStore.loginFactor(p.session.idHash) : undefined;
      return reply(c, SessionFactor, {
        secondFactor:
          f === undefined
            ? null
            : { mfa: f.mfa, factor: f.factor, reason: f.reason, at: f.createdAt.toISOString() },
      });
    },
  );
}
