import type { OpenAPIHono } from '@hono/zod-openapi';
import type { NewIntegration as NewIntegrationInput } from '../../services/contract.js';
import { actorOf } from '../auth.js';
import type { AppContext, AppEnv, ServerDeps } from '../context.js';
import { body, defineRoute, input, json, mount, reply } from '../define-route.js';
import { notFound } from '../errors.js';
import {
  IntegrationList,
  NewIntegration,
  Ok,
  OrgIntegrationParam,
  OrgParam,
  RotateBody,
  UpdateIntegrationBody,
  SaveResult,
  TestReport,
} from '../schemas.js';

/** The skey travels only inside this object, for the duration of the service call (never logged, never echoed). */
function candidate(data: ReturnType<typeof NewIntegration.parse>): NewIntegrationInput {
  const out: NewIntegrationInput = {
    kind: data.kind,
    apiHost: data.apiHost.toLowerCase(),
    ikey: data.ikey,
    skey: data.skey,
  };
  if (data.label !== undefined) out.label = data.label;
  if (data.mkey !== undefined) out.mkey = data.mkey;
  return out;
}

/** Integration ids are checked against the org in the path, so an id from another tenant is a 404 here. */
async function ownIntegration(c: AppContext, deps: ServerDeps): Promise<string> {
  const { integration } = input(c, 'param', OrgIntegrationParam);
  const list = await deps.services.integrations.list(c.get('org').id);
  if (!list.some((i) => i.id === integration)) throw notFound('integration');
  return integration;
}

export function mountIntegrations(app: OpenAPIHono<AppEnv>, deps: ServerDeps): void {
  const tags = ['integrations'];
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/integrations',
      tags,
      summary: 'Duo integrations with their credential state',
      request: { params: OrgParam },
      responses: { 200: json(IntegrationList, 'Integrations (secrets never included).') },
    }),
    async (c) =>
      reply(c, IntegrationList, { integrations: await deps.services.integrations.list(c.get('org').id) }),
  );

  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'post',
      path: '/api/v1/orgs/{org}/integrations',
      tags,
      summary: 'Test before Save: add an integration; saved only when the test passes (or with force)',
      request: { params: OrgParam, ...body(NewIntegration) },
      responses: {
        201: json(SaveResult, 'Tested and saved.'),
        200: json(SaveResult, 'Tested; not saved (see report).'),
      },
    }),
    async (c) => {
      const data = input(c, 'json', NewIntegration);
      const opts = data.force === true ? { force: true } : {};
      const result = await deps.services.integrations.add(
        c.get('org').id,
        candidate(data),
        opts,
        actorOf(c, deps),
      );
      return reply(c, SaveResult, result, result.saved ? 201 : 200);
    },
  );

  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'post',
      path: '/api/v1/orgs/{org}/integrations/test',
      tags,
      summary: 'Test candidate credentials without saving',
      request: { params: OrgParam, ...body(NewIntegration) },
      responses: { 200: json(TestReport, 'The test report.') },
    }),
    async (c) =>
      reply(
        c,
        TestReport,
        await deps.services.integrations.testCandidate(candidate(input(c, 'json', NewIntegration))),
      ),
  );

  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'post',
      path: '/api/v1/orgs/{org}/integrations/{integration}/test',
      tags,
      summary: 'Test saved credentials',
      request: { params: OrgIntegrationParam },
      responses: { 200: json(TestReport, 'The test report.') },
    }),
    async (c) => {
      const id = await ownIntegration(c, deps);
      return reply(c, TestReport, await deps.services.integrations.test(c.get('org').id, id));
    },
  );

  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'post',
      path: '/api/v1/orgs/{org}/integrations/{integration}/rotate',
      tags,
      summary: 'Rotate the secret key (Test before Save applies)',
      request: { params: OrgIntegrationParam, ...body(RotateBody) },
      responses: { 200: json(SaveResult, 'Tested; saved when `saved` is true.') },
    }),
    async (c) => {
      const id = await ownIntegration(c, deps);
      const data = input(c, 'json', RotateBody);
      const keys = data.ikey === undefined ? { skey: data.skey } : { ikey: data.ikey, skey: data.skey };
      const result = await deps.services.integrations.rotate(
        c.get('org').id,
        id,
        keys,
        data.force === true ? { force: true } : {},
        actorOf(c, deps),
      );
      return reply(c, SaveResult, result);
    },
  );

  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'patch',
      path: '/api/v1/orgs/{org}/integrations/{integration}',
      tags,
      summary: 'Change label, API hostname or mkey (a new hostname is tested before it is saved)',
      request: { params: OrgIntegrationParam, ...body(UpdateIntegrationBody) },
      responses: { 200: json(SaveResult, 'Tested when needed; saved when `saved` is true.') },
    }),
    async (c) => {
      const id = await ownIntegration(c, deps);
      const data = input(c, 'json', UpdateIntegrationBody);
      const result = await deps.services.integrations.update(
        c.get('org').id,
        id,
        {
          ...(data.label === undefined ? {} : { label: data.label }),
          ...(data.apiHost === undefined ? {} : { apiHost: data.apiHost }),
          ...(data.mkey === undefined ? {} : { mkey: data.mkey }),
        },
        data.force === true ? { force: true } : {},
        actorOf(c, deps),
      );
      return reply(c, SaveResult, result);
    },
  );

  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'delete',
      path: '/api/v1/orgs/{org}/integrations/{integration}',
      tags,
      summary: 'Remove an integration',
      request: { params: OrgIntegrationParam },
      responses: { 200: json(Ok, 'Removed.') },
    }),
    async (c) => {
      const id = await ownIntegration(c, deps);
      await deps.services.integrations.remove(c.get('org').id, id, actorOf(c, deps));
      return reply(c, Ok, { ok: true });
    },
  );
}
