import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AuditEntry } from '../../accounts/index.js';
import type { AppEnv, ServerDeps } from '../context.js';
import { defineRoute, input, json, mount, reply } from '../define-route.js';
import { AuditList, AuditQuery, OrgParam } from '../schemas.js';

/** The store keeps the outcome inside details (see auth.ts `audit`); the API lifts it to a field. */
export function auditOut(e: AuditEntry) {
  const { outcome, ...details } = e.details ?? {};
  return {
    id: String(e.id),
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    orgId: e.orgId,
    target: e.target,
    outcome: outcome === 'failure' ? ('failure' as const) : ('success' as const),
    ip: e.ip,
    details,
  };
}

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
      const entries = await deps.accounts.auditLog.list(c.get('org').id, {
        limit: q.limit,
        ...(q.before === undefined ? {} : { beforeId: q.before }),
      });
      return reply(c, AuditList, { entries: entries.map(auditOut) });
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
      const entries = await deps.accounts.auditLog.listAll({
        limit: q.limit,
        ...(q.before === undefined ? {} : { beforeId: q.before }),
      });
      return reply(c, AuditList, { entries: entries.map(auditOut) });
    },
  );
}
