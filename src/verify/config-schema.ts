import { z } from 'zod';

/**
 * `verify:` in the configuration file (docs/verify.md "Configuration"): Duo two-factor on duowatch's own
 * login. Off by default; when on, every account except the exempt ones and the break-glass account must pass
 * a Duo second step through the named organization's Auth API integration.
 */
const UNIVERSAL_DEFAULTS = { apiHost: null, clientId: null, clientSecretFile: null, redirectUri: null };

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
        method: z
          .enum(['auth_api', 'universal'])
          .default('auth_api')
          .describe(
            "auth_api: duowatch's own second-step screen; universal: redirect to Duo's Universal Prompt (OIDC)",
          ),
        universal: z
          .strictObject({
            apiHost: z
              .string()
              .min(1)
              .nullable()
              .default(null)
              .describe('the Web SDK application API hostname'),
            clientId: z
              .string()
              .length(20)
              .nullable()
              .default(null)
              .describe('the Web SDK application client ID'),
            clientSecretFile: z
              .string()
              .min(1)
              .nullable()
              .default(null)
              .describe(
                'file holding the 40-character client secret (never put the secret itself in this file)',
              ),
            redirectUri: z
              .string()
              .url()
              .nullable()
              .default(null)
              .describe('<public URL>/api/v1/session/duo/callback, as registered for the application'),
          })
          .default(UNIVERSAL_DEFAULTS),
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
        method: 'auth_api',
        universal: UNIVERSAL_DEFAULTS,
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
      method: 'auth_api' as const,
      universal: UNIVERSAL_DEFAULTS,
    },
  }));

export type VerifyConfig = z.output<typeof verifyConfigSchema>;
export const VERIFY_DEFAULTS: VerifyConfig = verifyConfigSchema.parse(undefined);
