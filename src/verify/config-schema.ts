import { z } from 'zod';

/**
 * `verify:` in the configuration file (docs/verify.md "Configuration"): Duo two-factor on duowatch's own
 * login. Off by default; when on, every account except the exempt ones and the break-glass account must pass
 * a Duo second step through the named organization's Auth API integration.
 */
export const verifyConfigSchema = z
  .strictObject({
    login: z
      .strictObject({
        mode: z
          .enum(['off', 'required'])
          .default('off')
          .describe('off: password only; required: a Duo second step after the password'),
        org: z
          .string()
          .min(1)
          .nullable()
          .default(null)
          .describe('organization (slug) whose Auth API integration checks the login'),
        integration: z
          .string()
          .min(1)
          .nullable()
          .default(null)
          .describe('that integration by id or label (needed when the organization has several)'),
        application: z
          .string()
          .min(1)
          .default('duowatch')
          .describe('the name the health capability fail-mode policy knows this login by'),
        exemptUsernames: z
          .array(z.string().min(1))
          .default([])
          .describe('duowatch accounts that sign in with the password only (each use is audited)'),
        usernameMap: z
          .record(z.string(), z.string())
          .default({})
          .describe('duowatch username → Duo username, where they differ'),
        maxPendingPushes: z
          .number()
          .int()
          .min(1)
          .max(10)
          .default(3)
          .describe('pushes per account per 10 minutes'),
        challengeTtlSeconds: z.number().int().min(60).max(900).default(300),
      })
      .default({
        mode: 'off',
        org: null,
        integration: null,
        application: 'duowatch',
        exemptUsernames: [],
        usernameMap: {},
        maxPendingPushes: 3,
        challengeTtlSeconds: 300,
      }),
  })
  .default(() => ({
    login: {
      mode: 'off' as const,
      org: null,
      integration: null,
      application: 'duowatch',
      exemptUsernames: [],
      usernameMap: {},
      maxPendingPushes: 3,
      challengeTtlSeconds: 300,
    },
  }));

export type VerifyConfig = z.output<typeof verifyConfigSchema>;
export const VERIFY_DEFAULTS: VerifyConfig = verifyConfigSchema.parse(undefined);
