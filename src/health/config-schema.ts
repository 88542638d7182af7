import { z } from 'zod';

/** Roles of duowatch itself that never fail open, whatever a policy says. */
export const ALWAYS_CLOSED_ROLES = ['owner', 'admin'] as const;

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO-8601 date and time');

export const failModeApplicationSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(100)
    .describe('the application as the operator names it (duowatch = our own login)'),
  org: z.string().min(1).optional().describe('organization slug; unset = every organization'),
  mode: z
    .enum(['closed', 'open', 'open_for_roles'])
    .default('closed')
    .describe('when Duo is DOWN or times out: deny, allow without MFA, or allow only the listed roles'),
  roles: z.array(z.string().min(1)).default([]).describe('open_for_roles: the roles allowed in without MFA'),
  owner: z
    .string()
    .min(1)
    .optional()
    .describe('who answers for this decision (shown in the evidence export)'),
});

export const maintenanceWindowSchema = z.strictObject({
  org: z.string().min(1).describe('organization slug'),
  integration: z.string().min(1).optional().describe('integration id; unset = every integration of the org'),
  start: isoTime,
  end: isoTime,
  reason: z.string().max(200).default('maintenance'),
});

/** The `health` section (docs/health.md). Everything has a default; an absent section is a working one. */
export const healthConfigSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('probe every integration on a schedule while serve runs'),
  intervalSeconds: z.number().int().min(5).max(3600).default(60),
  timeoutSeconds: z.number().min(0.5).max(60).default(10),
  concurrency: z.number().int().min(1).max(1000).default(64).describe('probes in flight at once'),
  retries: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(3)
    .describe('failed probes in a row before DOWN (PENDING below)'),
  recoveries: z.number().int().min(1).max(20).default(2).describe('good probes in a row before UP again'),
  latency: z
    .strictObject({
      p95ThresholdMs: z.number().int().min(1).default(2000).describe('DEGRADED above this p95'),
      windowMinutes: z.number().int().min(1).max(1440).default(10),
      minSamples: z.number().int().min(1).default(5),
    })
    .default({ p95ThresholdMs: 2000, windowMinutes: 10, minSamples: 5 }),
  factors: z
    .strictObject({
      windowMinutes: z.number().int().min(1).max(1440).default(15),
      baselineHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 30)
        .default(24),
      minAttempts: z.number().int().min(1).default(10),
      errorShare: z
        .number()
        .min(0)
        .max(1)
        .default(0.2)
        .describe('DEGRADED when the error share is above this'),
      baselineFactor: z.number().min(1).default(3).describe('… and this many times its own baseline'),
    })
    .default({ windowMinutes: 15, baselineHours: 24, minAttempts: 10, errorShare: 0.2, baselineFactor: 3 }),
  clockSkewAlertSeconds: z.number().min(1).max(299).default(30),
  slo: z
    .strictObject({
      targetPercent: z.number().min(0).max(100).default(99.9),
      orgs: z.record(z.string(), z.number().min(0).max(100)).default({}).describe('slug → target %'),
    })
    .default({ targetPercent: 99.9, orgs: {} }),
  maintenance: z.array(maintenanceWindowSchema).default([]),
  failMode: z
    .strictObject({
      applications: z.array(failModeApplicationSchema).default([]),
    })
    .default({ applications: [] }),
});

export type HealthConfig = z.output<typeof healthConfigSchema>;
export type FailModeApplication = z.output<typeof failModeApplicationSchema>;
export type MaintenanceWindow = z.output<typeof maintenanceWindowSchema>;

export const HEALTH_DEFAULTS: HealthConfig = healthConfigSchema.parse({});
