import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AuditRecord } from '../accounts-store.js';
import type { AppEnv, ServerDeps } from '../context.js';
import { defineRoute, input, json, mount, reply } from '../define-route.js';
import { AuditList, AuditQuery, OrgParam } from '../schemas.js';

const out = (e: AuditRecord) => ({ ...e, at: e.at.toISOString() });

export function mountAudit(app: OpenAPIHono<AppEnv>, deps: ServerDeps): void {
  const tags = ['audit'];
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/audit',
      tags,
      summary: "This organization's audit log, newest first",
      request: { params: OrgParam, query: AuditQuery },
      responses: { 200: json(AuditList, 'Entries.') },
    }),
    async (c) => {
      const q = input(c, 'query', AuditQuery);
      const entries = await deps.accounts.audit.list({
        orgId: c.get('org').id,
        limit: q.limit,
        ...(q.before ? { before: q.before } : {}),
      });
      return reply(c, AuditList, { entries: entries.map(out) });
    },
  );
  mount(
    app,
    defineRoute(deps, 'global_admin', {
      method: 'get',
      path: '/api/v1/audit',
      tags,
      summary: 'The whole audit log (sign-ins, users, every organization)',
      request: { query: AuditQuery },
      responses: { 200: json(AuditList, 'Entries.') },
    }),
    async (c) => {
      const q = input(c, 'query', AuditQuery);
      const entries = await deps.accounts.audit.list({
        limit: q.limit,
        ...(q.before ? { before: q.before } : {}),
      });
      return reply(c, AuditList, { entries: entries.map(out) });
    },
  );
}
