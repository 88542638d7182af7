import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv, ServerDeps } from '../server/context.js';
import { audit } from '../server/auth.js';
import { body, defineRoute, input, json, mount, reply } from '../server/define-route.js';
import { notFound } from '../server/errors.js';
import { OrgParam } from '../server/schemas.js';
import type { AlertRepository } from './alerts.repository.js';
import { ALERT_STATUSES, SEVERITIES, type StoredAlert } from './model.js';

const Alert = z
  .object({
    id: z.string(),
    source: z.string(),
    rule: z.string(),
    title: z.string(),
    severity: z.enum(SEVERITIES),
    entity: z.string(),
    status: z.enum(ALERT_STATUSES),
    firstSeen: z.string(),
    lastSeen: z.string(),
    count: z.number().int(),
    eventIds: z.array(z.string()),
    fields: z.record(z.string(), z.unknown()),
    statusBy: z.string().nullable(),
    statusAt: z.string().nullable(),
    statusNote: z.string().nullable(),
  })
  .openapi('Alert');
const AlertList = z
  .object({
    alerts: z.array(Alert),
    older: z
      .object({ before: z.string(), before_id: z.string() })
      .nullable()
      .describe('the query parameters of the next, older page; null when this page is the last'),
  })
  .openapi('AlertList');
const AlertQuery = z.object({
  status: z.enum(ALERT_STATUSES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  rule: z.string().min(1).max(100).optional(),
  entity: z.string().min(1).max(200).optional(),
  q: z.string().min(1).max(200).optional().describe('case-insensitive text in title, rule, entity or fields'),
  before: z.iso.datetime().optional().describe('alerts last seen before this time (paging)'),
  before_id: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('with `before`: also alerts last seen at that time with a lower id (the page cursor)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const AlertParam = OrgParam.extend({ id: z.string().min(1).max(64) });
const StatusChange = z.object({ note: z.string().max(1000).optional() });

export function alertOut(a: StoredAlert): z.input<typeof Alert> {
  return {
    id: a.id,
    source: a.source,
    rule: a.rule,
    title: a.title,
    severity: a.severity,
    entity: a.entity,
    status: a.status,
    firstSeen: a.firstSeen.toISOString(),
    lastSeen: a.lastSeen.toISOString(),
    count: a.count,
    eventIds: [...a.eventIds],
    fields: { ...a.fields },
    statusBy: a.statusBy,
    statusAt: a.statusAt?.toISOString() ?? null,
    statusNote: a.statusNote,
  };
}

/** Alerts per organization: list with filters, detail, acknowledge and resolve (audited, with who and why). */
export function mountAlertRoutes(app: OpenAPIHono<AppEnv>, deps: ServerDeps, repo: AlertRepository): void {
  const tags = ['alerts'];
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/alerts',
      tags,
      summary: "This organization's alerts, most recently seen first",
      request: { params: OrgParam, query: AlertQuery },
      responses: { 200: json(AlertList, 'Alerts.') },
    }),
    async (c) => {
      const q = input(c, 'query', AlertQuery);
      const alerts = await repo.list(c.get('org').id, {
        status: q.status,
        severity: q.severity,
        rule: q.rule,
        entity: q.entity,
        before: q.before === undefined ? undefined : new Date(q.before),
        beforeId: q.before === undefined ? undefined : q.before_id,
        text: q.q,
        limit: q.limit,
      });
      const last = alerts.length === q.limit ? alerts.at(-1) : undefined;
      return reply(c, AlertList, {
        alerts: alerts.map(alertOut),
        older: last === undefined ? null : { before: last.lastSeen.toISOString(), before_id: last.id },
      });
    },
  );
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/alerts/{id}',
      tags,
      summary: 'One alert with its triggering events and triage fields',
      request: { params: AlertParam },
      responses: { 200: json(Alert, 'The alert.') },
    }),
    async (c) => {
      const { id } = input(c, 'param', AlertParam);
      const alert = await repo.get(c.get('org').id, id);
      if (alert === undefined) throw notFound('alert');
      return reply(c, Alert, alertOut(alert));
    },
  );
  for (const [verb, status] of [
    ['ack', 'acknowledged'],
    ['resolve', 'resolved'],
  ] as const) {
    mount(
      app,
      defineRoute(deps, 'admin', {
        method: 'post',
        path: `/api/v1/orgs/{org}/alerts/{id}/${verb}`,
        tags,
        summary: verb === 'ack' ? 'Acknowledge an alert' : 'Resolve an alert',
        request: { params: AlertParam, ...body(StatusChange) },
        responses: { 200: json(Alert, 'The alert after the change.') },
      }),
      async (c) => {
        const { id } = input(c, 'param', AlertParam);
        const { note } = input(c, 'json', StatusChange);
        const org = c.get('org');
        if ((await repo.get(org.id, id)) === undefined) throw notFound('alert');
        const principal = c.get('principal');
        const by =
          principal === null
            ? 'unknown'
            : principal.kind === 'operator'
              ? principal.operator.username
              : `token:${principal.token.label}`;
        const changed = await repo.setStatus(id, status, by, note);
        await audit(c, deps, {
          action: `alert.${verb}`,
          orgId: org.id,
          target: id,
          outcome: 'success',
          details: { rule: changed.rule, entity: changed.entity, ...(note === undefined ? {} : { note }) },
        });
        return reply(c, Alert, alertOut(changed));
      },
    );
  }
}
