import { z, type OpenAPIHono } from '@hono/zod-openapi';
import {
  audit,
  body,
  defineRoute,
  input,
  json,
  mount,
  OrgParam,
  reply,
  type AppContext,
  type AppEnv,
  type ServerDeps,
} from '../server/index.js';
import type { RecordedDecision } from './failmode/advisor.js';
import type { FailModeQuestion } from '../app/index.js';
import type { IntegrationStatus } from './monitor/status.js';
import type { Transition, FailModeRecord, Bucket } from './store/health-repository.js';
import type { FailModeApplication, MaintenanceWindow } from './config-schema.js';
import type { FactorReading } from './factor/factor-health.js';
import type { RecentProbe } from './monitor/recent-probes.js';
import { DEMO_FAULTS, type DemoFaults } from './monitor/demo-faults.js';
import { notFound } from '../server/errors.js';
import { HealthError } from './errors.js';
import type { MaintenanceRepository } from './store/maintenance-repository.js';
import {
  deleteWindow,
  listWindows,
  scheduleWindow,
  type ScheduleDeps,
} from './monitor/maintenance-schedule.js';
import { uptimePercent } from './monitor/status.js';

export interface HealthRouteDeps {
  status(orgId: string): Promise<IntegrationStatus[]>;
  /** Whether the integration belongs to the organization (one lookup, not the whole status). */
  owns(orgId: string, integrationId: string): Promise<boolean>;
  transitions(orgId: string): Promise<Transition[]>;
  buckets(
    integrationId: string,
    resolution: 'minute' | 'hour' | 'day',
    from: number,
    to: number,
  ): Promise<Bucket[]>;
  decide(q: FailModeQuestion): Promise<RecordedDecision>;
  decisions(orgId: string, from: number, to: number): Promise<FailModeRecord[]>;
  policy(orgSlug: string): readonly FailModeApplication[];
  /** Per-factor error shares from the collected authentication log (empty without log collection). */
  factors(orgId: string): readonly FactorReading[];
  /** The configured maintenance windows of this organization. */
  maintenance(orgSlug: string): readonly MaintenanceWindow[];
  /** The windows scheduled through the REST API, the Health page or the CLI (stored). */
  windows: Pick<MaintenanceRepository, 'add' | 'list' | 'remove'>;
  /** The last probes of one integration (stored, bounded), oldest first. */
  probes(integrationId: string): Promise<readonly RecentProbe[]>;
  /** The fault buttons of the emulated demo tenant; null for every other organization or without a demo. */
  demoFaults(orgSlug: string): DemoFaults | null;
  now(): number;
}

const DecideBody = z.object({
  application: z.string().min(1).max(100),
  role: z.string().min(1).max(50),
  username: z.string().min(1).max(200),
  integration_id: z.string().min(1).max(100).optional(),
  cause: z.enum(['down', 'timeout', 'error']),
  ip: z.string().max(64).optional(),
});

const DecideReply = z.object({
  allow: z.boolean(),
  mode: z.enum(['closed', 'open', 'open_for_roles']),
  mfa: z.literal(false),
  authentication_context: z.enum(['password-only']).nullable(),
  health_state: z.string().nullable(),
  reason: z.string(),
});

const Phases = z.object({
  dns: z.number().nullable(),
  connect: z.number().nullable(),
  tls: z.number().nullable(),
  ttfb: z.number().nullable(),
  total: z.number().nullable(),
});
const Latency = z.object({
  samples: z.number(),
  avg: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
});
const StatusRow = z.object({
  org: z.string(),
  integration: z.string(),
  kind: z.string(),
  label: z.string(),
  api_host: z.string(),
  state: z.string(),
  since: z.string().nullable(),
  reason: z.string(),
  last_probe: z
    .object({
      at: z.string(),
      healthy: z.boolean(),
      reason: z.string(),
      check: z.string(),
      phases_ms: Phases,
      clock_skew_s: z.number().nullable(),
    })
    .nullable(),
  uptime: z.object({
    '24h': z.number().nullable(),
    '7d': z.number().nullable(),
    '30d': z.number().nullable(),
  }),
  latency_ms: z.object({ '24h': Latency, '7d': Latency, '30d': Latency }),
  slo: z.object({ target: z.number(), met_30d: z.boolean().nullable() }),
});
const MaintenanceRow = z.object({
  id: z.number().nullable().describe('null for a window declared in the configuration (not deletable here)'),
  source: z.enum(['config', 'api']),
  integration: z.string().nullable(),
  start: z.string(),
  end: z.string(),
  reason: z.string(),
  active: z.boolean(),
  created_by: z.string().nullable(),
});
const MaintenanceBody = z.object({
  integration: z.string().min(1).max(100).optional().describe('unset: every integration of the organization'),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  reason: z.string().min(1).max(200).default('maintenance'),
});
const WindowParam = OrgParam.extend({ id: z.coerce.number().int().min(1) });
/** The longest window the API schedules: a forgotten window must not silence alerts for months. */
const HealthView = z.object({
  integrations: z.array(StatusRow),
  transitions: z.array(
    z.object({
      at: z.string(),
      integration: z.string(),
      from: z.string(),
      to: z.string(),
      reason: z.string(),
    }),
  ),
  policy: z.array(
    z.object({
      name: z.string(),
      mode: z.string(),
      roles: z.array(z.string()),
      owner: z.string().nullable(),
    }),
  ),
  fail_open: z.array(
    z.object({
      at: z.string(),
      application: z.string(),
      role: z.string(),
      username: z.string(),
      reason: z.string(),
    }),
  ),
  factors: z.array(
    z.object({
      factor: z.string(),
      attempts: z.number(),
      failures: z.number(),
      share: z.number().nullable(),
      baseline_share: z.number().nullable(),
      degraded: z.boolean(),
    }),
  ),
  maintenance: z.array(MaintenanceRow),
  demo_faults: z
    .array(z.enum(DEMO_FAULTS))
    .nullable()
    .describe('faults set from the dashboard on the emulated demo tenant; null for a real organization'),
});
const DemoFaultBody = z.object({ fault: z.enum([...DEMO_FAULTS, 'clear']) });
const DemoFaultReply = z.object({ active: z.array(z.enum(DEMO_FAULTS)) });
const ProbesQuery = z.object({ integration: z.string().min(1).max(100) });
const Probes = z.object({
  probes: z.array(
    z.object({
      at: z.string(),
      healthy: z.boolean(),
      state: z.string(),
      ping_ms: z.number(),
      signed_ms: z.number(),
      phases_ms: Phases,
    }),
  ),
});
const SeriesQuery = z.object({
  integration: z.string().min(1).max(100),
  resolution: z.enum(['minute', 'hour', 'day']).default('minute'),
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24),
});
const Series = z.object({
  resolution: z.string(),
  points: z.array(
    z.object({
      start: z.string(),
      uptime: z.number().nullable(),
      up: z.number(),
      down: z.number(),
      degraded: z.number(),
      maintenance: z.number(),
      avg_ms: z.number().nullable(),
      max_ms: z.number().nullable(),
    }),
  ),
});

/** REST routes of the health capability, through the server's guards (roles, CSRF, error shape). */
export function mountHealthRoutes(app: OpenAPIHono<AppEnv>, deps: ServerDeps, h: HealthRouteDeps): void {
  const tags = ['health'];
  // The schedule's calls, audited as this request (actor, address).
  const schedule = (c: AppContext): ScheduleDeps => ({
    windows: h.windows,
    owns: (orgId, id) => h.owns(orgId, id),
    audit: (e) => audit(c, deps, { ...e, outcome: 'success' }),
    now: () => h.now(),
  });
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/health',
      tags,
      summary: 'State, uptime and latency of every integration; recent transitions; the fail-mode policy',
      request: { params: OrgParam },
      responses: { 200: json(HealthView, 'Health of the organization.') },
    }),
    async (c) => {
      const org = c.get('org');
      const now = h.now();
      const [integrations, transitions, decisions] = await Promise.all([
        h.status(org.id),
        h.transitions(org.id),
        h.decisions(org.id, now - 30 * 86_400_000, now + 1),
      ]);
      return reply(c, HealthView, {
        integrations: integrations as z.input<typeof StatusRow>[],
        transitions: transitions.map((t) => ({
          at: new Date(t.at).toISOString(),
          integration: t.integrationId,
          from: t.from,
          to: t.to,
          reason: t.reason,
        })),
        policy: h
          .policy(org.slug)
          .map((p) => ({ name: p.name, mode: p.mode, roles: p.roles, owner: p.owner ?? null })),
        fail_open: decisions
          .filter((d) => d.allow)
          .map((d) => ({
            at: new Date(d.at).toISOString(),
            application: d.application,
            role: d.role,
            username: d.username,
            reason: d.reason,
          })),
        factors: h.factors(org.id).map((f) => ({
          factor: f.factor,
          attempts: f.attempts,
          failures: f.failures,
          share: f.share,
          baseline_share: f.baselineShare,
          degraded: f.degraded,
        })),
        maintenance: await listWindows(
          { windows: h.windows, now: () => now },
          h.maintenance(org.slug),
          org.id,
        ),
        demo_faults: h.demoFaults(org.slug)?.active() ?? null,
      });
    },
  );
  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'post',
      path: '/api/v1/orgs/{org}/health/demo-fault',
      tags,
      summary:
        'Emulated demo tenant only: take it down, slow it, make it hang, or clear that (audited), to watch the states change',
      request: { params: OrgParam, ...body(DemoFaultBody) },
      responses: { 200: json(DemoFaultReply, 'The faults now active.') },
    }),
    async (c) => {
      const { fault } = input(c, 'json', DemoFaultBody);
      const org = c.get('org');
      const control = h.demoFaults(org.slug);
      if (control === null)
        throw new HealthError(
          'health.not_demo',
          'Faults can only be set on the emulated demo tenant while serve runs it, not on a real organization.',
          { status: 409, exitCode: 2 },
        );
      const active = control.set(fault);
      await audit(c, deps, {
        action: 'health.demo_fault',
        orgId: org.id,
        target: fault,
        outcome: 'success',
        details: { fault, active },
      });
      return reply(c, DemoFaultReply, { active });
    },
  );
  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'post',
      path: '/api/v1/orgs/{org}/health/maintenance',
      tags,
      summary:
        'Schedule a maintenance window (audited): alerts are silenced and probes count apart from uptime, like a config window',
      request: { params: OrgParam, ...body(MaintenanceBody) },
      responses: { 201: json(MaintenanceRow, 'The window.') },
    }),
    async (c) => {
      const b = input(c, 'json', MaintenanceBody);
      const principal = c.get('principal');
      const by =
        principal === null
          ? 'unknown'
          : principal.kind === 'operator'
            ? principal.operator.username
            : `token:${principal.token.label}`;
      const row = await scheduleWindow(schedule(c), c.get('org').id, b, by);
      return reply(c, MaintenanceRow, row, 201);
    },
  );
  mount(
    app,
    defineRoute(deps, 'admin', {
      method: 'delete',
      path: '/api/v1/orgs/{org}/health/maintenance/{id}',
      tags,
      summary: 'Delete a scheduled maintenance window (audited); config windows are changed in the config',
      request: { params: WindowParam },
      responses: { 200: json(MaintenanceRow, 'The deleted window.') },
    }),
    async (c) => {
      const { id } = input(c, 'param', WindowParam);
      const row = await deleteWindow(schedule(c), c.get('org').id, id);
      if (row === undefined) throw notFound('maintenance window');
      return reply(c, MaintenanceRow, row);
    },
  );
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/health/probes',
      tags,
      summary: 'The last probes of one integration with their phase timings (the last 120, stored)',
      request: { params: OrgParam, query: ProbesQuery },
      responses: { 200: json(Probes, 'Probes, oldest first.') },
    }),
    async (c) => {
      const q = input(c, 'query', ProbesQuery);
      const known = await h.owns(c.get('org').id, q.integration);
      return reply(c, Probes, {
        probes: (known ? await h.probes(q.integration) : []).map((p) => ({
          at: new Date(p.at).toISOString(),
          healthy: p.healthy,
          state: p.state,
          ping_ms: p.pingMs,
          signed_ms: p.signedMs,
          phases_ms: p.phases,
        })),
      });
    },
  );
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'get',
      path: '/api/v1/orgs/{org}/health/series',
      tags,
      summary: 'Uptime and latency buckets of one integration (per minute, hour or day)',
      request: { params: OrgParam, query: SeriesQuery },
      responses: { 200: json(Series, 'Buckets, oldest first.') },
    }),
    async (c) => {
      const q = input(c, 'query', SeriesQuery);
      const org = c.get('org');
      const known = await h.owns(org.id, q.integration);
      const now = h.now();
      const buckets = known
        ? await h.buckets(q.integration, q.resolution, now - q.hours * 3_600_000, now + 1)
        : [];
      return reply(c, Series, {
        resolution: q.resolution,
        points: buckets.map((b) => ({
          start: new Date(b.start).toISOString(),
          uptime: uptimePercent(b),
          up: b.up,
          down: b.down,
          degraded: b.degraded,
          maintenance: b.maintenance,
          avg_ms: b.latCount === 0 ? null : Math.round((b.latSum / b.latCount) * 10) / 10,
          max_ms: b.latCount === 0 ? null : b.latMax,
        })),
      });
    },
  );
  mount(
    app,
    defineRoute(deps, 'auditor', {
      method: 'post',
      path: '/api/v1/orgs/{org}/failmode/decide',
      tags,
      summary:
        'Fail-open or fail-closed for one login while Duo is down or timed out; fail-open answers are password-only (mfa false), audited and alerted',
      request: { params: OrgParam, ...body(DecideBody) },
      responses: { 200: json(DecideReply, 'The decision and why.') },
    }),
    async (c) => {
      const b = input(c, 'json', DecideBody);
      const d = await h.decide({
        orgId: c.get('org').id,
        application: b.application,
        role: b.role,
        username: b.username,
        cause: b.cause,
        ...(b.integration_id === undefined ? {} : { integrationId: b.integration_id }),
        ...(b.ip === undefined ? {} : { ip: b.ip }),
      });
      return reply(c, DecideReply, {
        allow: d.allow,
        mode: d.mode,
        mfa: false,
        authentication_context: d.authContext,
        health_state: d.healthState,
        reason: d.reason,
      });
    },
  );
}
