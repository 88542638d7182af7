import { Cron } from 'croner';
import { z } from 'zod';
import { logStreamNames, sinksConfigSchema } from './sinks/sink-config.js';

/**
 * The `logs` section (docs/logs.md, "Configuration"): named sinks, routes from organization and stream to
 * sinks with simple filters, the poll interval, the first-run lookback, per-integration request budgets and
 * the MSP child-account lists. Secrets inside sinks are resolved by `normaliseLogsConfig`.
 */

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes');
const orgOrAll = z.union([z.literal('*'), slug]).describe('organization slug, or * for every organization');

/** What a route may carry: a Duo log stream, `alerts` (duowatch's own alerts), or `*` (every Duo stream). */
export const ROUTE_STREAMS = [...logStreamNames, 'alerts', '*'] as const;
export type RouteStream = (typeof ROUTE_STREAMS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** One condition on an event's field (a dotted path into Duo's event object); exactly one operator. */
export const routeConditionSchema = z
  .strictObject({
    field: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'a dotted path such as result or access_device.os'),
    equals: scalar.optional(),
    in: z.array(scalar).min(1).optional(),
    notEquals: scalar.optional(),
    notIn: z.array(scalar).min(1).optional(),
  })
  .superRefine((c, ctx) => {
    const ops = (['equals', 'in', 'notEquals', 'notIn'] as const).filter((k) => c[k] !== undefined);
    if (ops.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `give exactly one of equals, in, notEquals, notIn (found ${ops.length === 0 ? 'none' : ops.join(', ')})`,
      });
  });

export const routeSchema = z.strictObject({
  org: orgOrAll.default('*'),
  streams: z
    .array(z.enum(ROUTE_STREAMS))
    .min(1)
    .default(['*'])
    .describe('Duo streams, alerts, or * (every Duo stream; alerts must be named)'),
  sinks: z.array(z.string().min(1)).min(1).describe('names from logs.sinks'),
  where: z
    .array(routeConditionSchema)
    .default([])
    .describe('every condition must hold for an event to take this route'),
});

const lookback = z
  .string()
  .regex(/^(\d+\s*[mhd]|\d{4}-\d{2}-\d{2}.*)$/i, 'a duration (90m, 24h, 7d) or an ISO time')
  .refine((s) => !/^\d{4}/.test(s) || Number.isFinite(Date.parse(s)), 'not a valid ISO time');

export const logsConfigSchema = z
  .strictObject({
    sinks: sinksConfigSchema,
    routes: z
      .array(routeSchema)
      .default([])
      .describe('which streams of which organizations go to which sinks; no route = no collection'),
    pollIntervalSeconds: z
      .number()
      .int()
      .min(60)
      .max(86_400)
      .default(120)
      .describe('how often each stream is drained (whole minutes); 120 s is the minimum for real Duo hosts'),
    firstRunLookback: lookback
      .default('24h')
      .describe('where a stream with no checkpoint starts (raised to 179 days ago at most)'),
    budgets: z
      .array(
        z.strictObject({
          org: orgOrAll,
          integration: z
            .string()
            .min(1)
            .optional()
            .describe("the integration's label or id; unset = every integration of the org"),
          requestsPerMinute: z
            .number()
            .min(0)
            .max(6000)
            .describe('log requests per minute per log endpoint and credential; 0 = unlimited'),
        }),
      )
      .default([])
      .describe('per-integration log request budgets (DUOWATCH_DUO_LOG_BUDGET overrides them all)'),
    msp: z
      .array(
        z.strictObject({
          org: slug,
          include: z.array(z.string().min(1)).default([]).describe('child account ids; empty = all'),
          exclude: z.array(z.string().min(1)).default([]).describe('child account ids never read'),
        }),
      )
      .default([])
      .describe("an MSP organization's child accounts (found through the Accounts API, hourly)"),
    inventory: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe('daily users/phones/endpoints snapshots per collected org'),
        cron: z
          .string()
          .min(1)
          .superRefine((pattern, ctx) => {
            try {
              new Cron(pattern, { paused: true, timezone: 'UTC' }).stop();
            } catch {
              ctx.addIssue({ code: 'custom', message: 'not a valid cron pattern' });
            }
          })
          .default('17 3 * * *')
          .describe('cron in UTC'),
        enrich: z
          .strictObject({
            users: z
              .boolean()
              .default(true)
              .describe('ECS user.email, user.full_name, user.group.name from the newest users snapshot'),
            hosts: z
              .boolean()
              .default(true)
              .describe(
                'ECS host.name, host.os.* from the newest endpoints snapshot (by access_device.epkey)',
              ),
          })
          .default({ users: true, hosts: true })
          .describe('fields the ECS format adds to collected events from the inventory snapshots'),
      })
      .default({ enabled: true, cron: '17 3 * * *', enrich: { users: true, hosts: true } }),
  })
  .default({
    sinks: {},
    routes: [],
    pollIntervalSeconds: 120,
    firstRunLookback: '24h',
    budgets: [],
    msp: [],
    inventory: { enabled: true, cron: '17 3 * * *', enrich: { users: true, hosts: true } },
  });

export type LogsConfigInput = z.output<typeof logsConfigSchema>;
export type RouteCondition = z.output<typeof routeConditionSchema>;
export type RouteInput = z.output<typeof routeSchema>;
