import { z } from 'zod';

const ruleOverride = z.strictObject({
  enabled: z.boolean().optional(),
  threshold: z.number().positive().optional().describe('count rules fire at this many events in the window'),
  windowMinutes: z
    .number()
    .positive()
    .max(7 * 24 * 60)
    .optional(),
  suppressionMinutes: z
    .number()
    .min(0)
    .max(30 * 24 * 60)
    .optional(),
  params: z
    .record(z.string(), z.number())
    .optional()
    .describe('rule-specific numbers by name (e.g. minKm, minKmh, multiplier)'),
});

const allowLists = z.strictObject({
  trustedNetworks: z
    .array(z.string().min(1))
    .optional()
    .describe('CIDRs whose logins never count as a new location or travel (VPN egress, offices)'),
  factors: z
    .array(z.string().min(1))
    .optional()
    .describe('factors duo.unexpected_factor accepts (lower-case Duo names)'),
  serviceAccounts: z
    .array(z.string().min(1))
    .optional()
    .describe('usernames exempt from location, bypass, factor and remembered-device rules'),
});

/** The `detect` section: thresholds, allow-lists and enable/disable, globally and per organization slug. */
export const detectConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('run detections over collected logs in serve'),
    rules: z.record(z.string(), ruleOverride).default({}).describe('per rule id, for every organization'),
    allow: allowLists.default({}),
    orgs: z
      .record(
        z.string(),
        z.strictObject({
          enabled: z.boolean().optional(),
          rules: z.record(z.string(), ruleOverride).optional(),
          allow: allowLists.optional(),
        }),
      )
      .default({})
      .describe('per organization slug; overrides the global rules and extends the allow-lists'),
  })
  .default({ enabled: true, rules: {}, allow: {}, orgs: {} });

export type DetectConfig = z.output<typeof detectConfigSchema>;
export type RuleOverride = z.output<typeof ruleOverride>;
