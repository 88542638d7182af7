import { Cron } from 'croner';
import { validateApiHostname } from '../duo/index.js';
import { z } from 'zod';
import { healthConfigSchema } from '../health/index.js';
import { alertsConfigSchema } from '../alerts/index.js';
import { detectConfigSchema } from '../detect/index.js';
import { INTEGRATION_KINDS } from '../shared/index.js';
import { devicesConfigSchema } from '../devices/index.js';
import { verifyConfigSchema } from '../verify/index.js';
import { logsConfigSchema } from '../logs/index.js';

/** A cron pattern croner accepts, checked here so a bad one is reported with every other problem. */
const cronPattern = z
  .string()
  .min(1)
  .superRefine((pattern, ctx) => {
    try {
      new Cron(pattern, { paused: true, timezone: 'UTC' }).stop();
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `not a valid cron pattern: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  });

/**
 * The configuration file's shape (docs/conventions.md §9: schema → normalise → rules → frozen). Everything has a default,
 * so an empty file — or no file — is a working configuration. Secret-bearing fields accept a value (which may
 * be a `${ENV_VAR}` reference) or a sibling `…File`; none is ever required inline.
 */
const secretValue = z.string().min(1).describe('a secret; may be a ${ENV_VAR} reference');
const path = z.string().min(1);

export const integrationSchema = z.strictObject({
  org: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes')
    .describe('organization slug'),
  orgName: z.string().min(1).optional(),
  kind: z.enum(INTEGRATION_KINDS).default('admin'),
  apiHost: z
    .string()
    .min(1)
    .superRefine((host, ctx) => {
      // The client's own check, so a pasted URL or the Admin Panel host is named here, with the others.
      try {
        validateApiHostname(host);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: error instanceof Error ? error.message : 'invalid API hostname',
        });
      }
    })
    .describe('api-XXXXXXXX.duosecurity.com'),
  label: z.string().min(1).optional(),
  mkey: z.string().min(1).optional(),
  ikey: secretValue.optional(),
  ikeyFile: path.optional(),
  skey: secretValue.optional(),
  skeyFile: path.optional(),
});

export const configSchema = z
  .strictObject({
    dataDir: path
      .default('./data')
      .describe('SQLite file, master key and other state; relative to the working directory'),
    server: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        publicUrl: z
          .string()
          .url()
          .optional()
          .describe('the URL users reach the service at (cookies get Secure under https)'),
        trustProxy: z
          .boolean()
          .default(false)
          .describe('honour X-Forwarded-For / -Proto from a reverse proxy'),
        trustedProxies: z
          .number()
          .int()
          .min(1)
          .max(10)
          .default(1)
          .describe(
            'how many reverse proxies stand in front (with trustProxy): the client is that many X-Forwarded-For hops from the right',
          ),
        allowedHosts: z
          .array(z.string().min(1))
          .optional()
          .describe(
            'host names requests may carry in Host, beside the publicUrl host (and the loopback names when listening on loopback)',
          ),
        metricsToken: secretValue
          .optional()
          .describe('when set, /metrics needs Authorization: Bearer <token>'),
        metricsTokenFile: path.optional(),
      })
      .default({ host: '127.0.0.1', port: 8080, trustProxy: false, trustedProxies: 1 }),
    database: z
      .strictObject({
        url: z
          .string()
          .min(1)
          .optional()
          .describe('postgres://… for PostgreSQL; unset for the embedded SQLite file'),
        poolSize: z.number().int().min(1).max(200).default(10),
      })
      .default({ poolSize: 10 }),
    masterKeyFile: path
      .optional()
      .describe('keyring / master key file; default <dataDir>/master.key (created 0600)'),
    duo: z
      .strictObject({
        transport: z
          .strictObject({
            timeoutMs: z.number().int().min(1000).max(600_000).default(30_000),
            caFile: path.optional().describe('extra CA bundle (PEM) trusted for Duo API hosts'),
            resolve: z
              .record(z.string(), z.string())
              .default({})
              .describe(
                'host → address:port (or a bare address, port 443), like curl --resolve; for the emulator',
              ),
            allowPrivateAddresses: z
              .boolean()
              .default(false)
              .describe('let Duo hosts resolve to private/loopback addresses (emulator, labs only)'),
            proxy: z.string().url().optional().describe('HTTPS proxy URL'),
          })
          .default({ timeoutMs: 30_000, resolve: {}, allowPrivateAddresses: false }),
        retry: z
          .strictObject({
            maxAttempts: z.number().int().min(1).max(10).default(6),
            baseDelayMs: z.number().int().min(0).default(1000),
            maxDelayMs: z.number().int().min(0).default(32_000),
          })
          .default({ maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 32_000 }),
        rateLimit: z
          .strictObject({
            requestsPerSecond: z.number().positive().default(10).describe('per Duo API host'),
            authLogMinIntervalMs: z
              .number()
              .int()
              .min(0)
              .default(60_000)
              .describe('Duo: /admin/v2/logs/authentication allows 1 call per minute per tenant'),
          })
          .default({ requestsPerSecond: 10, authLogMinIntervalMs: 60_000 }),
      })
      .default({
        transport: { timeoutMs: 30_000, resolve: {}, allowPrivateAddresses: false },
        retry: { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 32_000 },
        rateLimit: { requestsPerSecond: 10, authLogMinIntervalMs: 60_000 },
      }),
    schedules: z
      .strictObject({
        identity: cronPattern.default('0 */4 * * *').describe('identity sync, cron in UTC'),
        authLog: cronPattern.default('30 * * * *').describe('authentication log poll, cron in UTC'),
        jitterSeconds: z.number().int().min(0).max(3600).default(0),
        authFailedBackoffHours: z
          .number()
          .positive()
          .max(24 * 30)
          .default(24),
      })
      .default({
        identity: '0 */4 * * *',
        authLog: '30 * * * *',
        jitterSeconds: 0,
        authFailedBackoffHours: 24,
      }),
    logging: z
      .strictObject({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
      })
      .default({ level: 'info' }),
    emulator: z
      .strictObject({
        mode: z
          .enum(['auto', 'on', 'off'])
          .default('auto')
          .describe('auto: start the in-process emulator and a demo organization when no integration exists'),
      })
      .default({ mode: 'auto' }),
    admin: z
      .strictObject({
        username: z.string().min(1).default('admin'),
        bootstrapPassword: secretValue
          .optional()
          .describe('first administrator password; generated and printed once when unset'),
        bootstrapPasswordFile: path.optional(),
      })
      .default({ username: 'admin' }),
    health: healthConfigSchema.default(() => healthConfigSchema.parse({})),
    devices: devicesConfigSchema,
    integrations: z
      .array(integrationSchema)
      .default([])
      .describe('integrations created on start when missing'),
    alerts: alertsConfigSchema.describe('stored alerts and their notifications (docs/alerts.md)'),
    detect: detectConfigSchema.describe('detections over collected logs (docs/detect.md)'),
    verify: verifyConfigSchema.describe('Duo two-factor on the duowatch login (docs/verify.md)'),
    logs: logsConfigSchema.describe('log collection: sinks, routes, budgets, MSP children (docs/logs.md)'),
  })
  .describe('duowatch configuration');

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
