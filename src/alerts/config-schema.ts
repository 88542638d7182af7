import { z } from 'zod';
import type { AlertSeverity } from '../app/index.js';
import type { Secret } from '../store/index.js';

const severity = z.enum(['low', 'medium', 'high', 'critical']);
const secretValue = z.string().min(1).describe('a secret; may be a ${ENV_VAR} reference');

/** The `alerts` section as written; secrets accept a value (or `${ENV}`) or a sibling `…File`. */
export const alertsConfigSchema = z
  .strictObject({
    suppressionMinutes: z
      .number()
      .min(0)
      .max(30 * 24 * 60)
      .default(60)
      .describe('repeats of an alert inside this window are folded, for raisers that name no window'),
    outboxRetentionDays: z
      .number()
      .positive()
      .max(3650)
      .default(7)
      .describe(
        'alert changes older than this are pruned from the outbox (alert_outbox) once their alerts stream delivered them, or by age alone when no stream reads them (docs/logs.md)',
      ),
    mute: z
      .array(
        z.strictObject({
          rule: z.string().min(1),
          org: z.string().min(1).optional(),
          entity: z.string().min(1).optional(),
        }),
      )
      .default([])
      .describe('alerts stored as suppressed and never notified'),
    webhook: z
      .strictObject({
        url: z.string().url().describe('Slack-compatible incoming webhook URL'),
        secret: secretValue.optional().describe('HMAC-SHA256 key for the X-Duowatch-Signature header'),
        secretFile: z.string().min(1).optional(),
        minSeverity: severity.default('high'),
        perHour: z.number().positive().default(30),
        burst: z.number().int().min(1).default(10),
      })
      .optional(),
    email: z
      .strictObject({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(587),
        secure: z.boolean().default(false).describe('TLS from the start (port 465)'),
        requireTls: z.boolean().default(true).describe('refuse to send without STARTTLS'),
        username: z.string().min(1).optional(),
        password: secretValue.optional(),
        passwordFile: z.string().min(1).optional(),
        from: z.string().min(3),
        to: z.array(z.string().min(3)).min(1),
        minSeverity: severity.default('high'),
        perHour: z.number().positive().default(12),
        burst: z.number().int().min(1).default(5),
      })
      .optional(),
  })
  .default({ suppressionMinutes: 60, outboxRetentionDays: 7, mute: [] });

export type AlertsConfigInput = z.output<typeof alertsConfigSchema>;

/** The `alerts` section after normalisation (secrets resolved, never printed). */
export interface AlertsConfig {
  readonly suppressionMinutes: number;
  /** How long the outbox keeps an alert change (delivered, or nobody's to deliver) before serve prunes it. */
  readonly outboxRetentionDays: number;
  readonly mute: readonly {
    readonly rule: string;
    readonly org?: string | undefined;
    readonly entity?: string | undefined;
  }[];
  readonly webhook: {
    readonly url: string;
    readonly secret: Secret | null;
    readonly minSeverity: AlertSeverity;
    readonly perHour: number;
    readonly burst: number;
  } | null;
  readonly email: {
    readonly host: string;
    readonly port: number;
    readonly secure: boolean;
    readonly requireTls: boolean;
    readonly username: string | null;
    readonly password: Secret | null;
    readonly from: string;
    readonly to: readonly string[];
    readonly minSeverity: AlertSeverity;
    readonly perHour: number;
    readonly burst: number;
  } | null;
}

type SecretOf = (
  value: string | undefined,
  fromFile: string | undefined,
  path: string,
  required: boolean,
) => Promise<Secret | null>;

/** Resolves the section's secrets with the loader's own helper (so `${ENV}` and `…File` work as everywhere). */
export async function normaliseAlertsConfig(
  input: AlertsConfigInput,
  secret: SecretOf,
): Promise<AlertsConfig> {
  const w = input.webhook;
  const m = input.email;
  return {
    suppressionMinutes: input.suppressionMinutes,
    outboxRetentionDays: input.outboxRetentionDays,
    mute: input.mute.map((x) => ({ ...x })),
    webhook:
      w === undefined
        ? null
        : {
            url: w.url,
            secret: await secret(w.secret, w.secretFile, 'alerts.webhook.secret', false),
            minSeverity: w.minSeverity,
            perHour: w.perHour,
            burst: w.burst,
          },
    email:
      m === undefined
        ? null
        : {
            host: m.host,
            port: m.port,
            secure: m.secure,
            requireTls: m.requireTls,
            username: m.username ?? null,
            password: await secret(m.password, m.passwordFile, 'alerts.email.password', false),
            from: m.from,
            to: [...m.to],
            minSeverity: m.minSeverity,
            perHour: m.perHour,
            burst: m.burst,
          },
  };
}
