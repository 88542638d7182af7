import { readFile as nodeReadFile } from 'node:fs/promises';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../config/errors.js';
import type { ConfigIssue } from '../../config/errors.js';

/**
 * The `sinks` configuration (docs/log-sinks.md): a map from a sink's name to its settings, one shape per
 * `type`. Secrets (HEC token, Elasticsearch API key, webhook HMAC key, TLS key passphrase) are given as a value
 * that may be a `${ENV_VAR}` reference, or as a sibling `…File`; `resolveSinksConfig` reads them and reports
 * every problem at once.
 */

const path = z.string().min(1);
const secretValue = z.string().min(1).describe('a secret; may be a ${ENV_VAR} reference');
const format = z
  .enum(['raw', 'ecs'])
  .default('raw')
  .describe('raw: Duo JSON + duowatch tag; ecs: Elastic Common Schema');
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL');

export const logStreamNames = [
  'auth',
  'admin',
  'telephony',
  'activity',
  'trust_monitor',
  'offline_enrollment',
] as const;

const retry = z
  .strictObject({
    baseDelayMs: z.number().int().min(0).default(1000),
    maxDelayMs: z.number().int().min(0).default(60_000),
  })
  .default({ baseDelayMs: 1000, maxDelayMs: 60_000 })
  .describe('back-off between attempts while the receiver is down (the spill queue holds what waits)');

const spill = z
  .strictObject({
    maxBytes: z
      .number()
      .int()
      .min(0)
      .default(256 * 1024 * 1024)
      .describe('disk spill queue bound; when full, the route stops advancing (0 = no spill queue)'),
    dir: path.optional().describe('default <dataDir>/spill/<sink name>'),
  })
  .default({ maxBytes: 256 * 1024 * 1024 });

const tls = z
  .strictObject({
    caFile: path.optional().describe('PEM bundle trusted for the receiver (default: the system store)'),
    certFile: path.optional().describe('client certificate (PEM) for mutual TLS'),
    keyFile: path.optional().describe('client key (PEM) for mutual TLS'),
    keyPassphrase: secretValue.optional(),
    keyPassphraseFile: path.optional(),
    servername: z.string().min(1).optional().describe('name the certificate must carry (default: host)'),
    insecureSkipVerify: z
      .boolean()
      .default(false)
      .describe('accept any certificate; for labs only, logged loudly'),
  })
  .default({ insecureSkipVerify: false });

const common = {
  format,
  retry,
  spill,
  batchSize: z.number().int().min(1).max(50_000).default(1000).describe('events per request or write'),
};

const facility = z.union([
  z.number().int().min(0).max(23),
  z.enum([
    'kern',
    'user',
    'mail',
    'daemon',
    'auth',
    'syslog',
    'lpr',
    'news',
    'uucp',
    'cron',
    'authpriv',
    'ftp',
    'ntp',
    'audit',
    'alert',
    'clock',
    'local0',
    'local1',
    'local2',
    'local3',
    'local4',
    'local5',
    'local6',
    'local7',
  ]),
]);

const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x21-\x7e]+$/, 'printable US-ASCII without spaces (RFC 5424)');

// Per log type, and `alerts` for duowatch's own alerts when a route forwards them.
const perStream = <T extends z.ZodType>(value: T) =>
  z.partialRecord(z.enum([...logStreamNames, 'alerts']), value).default({});

export const stdoutSinkSchema = z.strictObject({ type: z.literal('stdout'), format });

export const fileSinkSchema = z.strictObject({
  type: z.literal('file'),
  path: path.describe('NDJSON file; relative to the data directory'),
  format,
  rotate: z
    .strictObject({
      maxBytes: z
        .number()
        .int()
        .min(0)
        .default(256 * 1024 * 1024)
        .describe('0 = never by size'),
      maxAgeHours: z.number().min(0).default(24).describe('0 = never by age'),
      gzip: z.boolean().default(true),
      maxFiles: z.number().int().min(0).default(0).describe('rotated files kept; 0 = all'),
    })
    .default({ maxBytes: 256 * 1024 * 1024, maxAgeHours: 24, gzip: true, maxFiles: 0 }),
});

export const syslogSinkSchema = z.strictObject({
  type: z.literal('syslog'),
  ...common,
  transport: z
    .enum(['udp', 'tcp', 'tls', 'relp', 'relp-tls'])
    .default('tcp')
    .describe('relp and relp-tls: every message acknowledged by the receiver (rsyslog imrelp)'),
  host: z.string().min(1),
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .describe('default 514, 6514 for tls, 2514 for relp and relp-tls'),
  framing: z
    .enum(['octet-counting', 'lf'])
    .default('octet-counting')
    .describe('RFC 6587 framing over TCP; TLS always uses octet counting'),
  maxMessageBytes: z
    .number()
    .int()
    .min(480)
    .max(65_000)
    .default(2048)
    .describe('UDP only: longer messages are truncated with a marker and counted'),
  body: z.enum(['json', 'cef']).default('json'),
  facility: facility.default('local0'),
  facilities: perStream(facility).describe('facility per log type (overrides facility)'),
  appName: printable(48).default('duowatch'),
  hostname: printable(255).optional().describe("default: this machine's hostname"),
  msgids: perStream(printable(32)).describe('MSGID per log type (default: duo-<stream>)'),
  bom: z.boolean().default(true).describe('start MSG with the UTF-8 byte-order mark (RFC 5424 §6.4)'),
  tls,
  timeoutMs: z.number().int().min(100).default(10_000),
  window: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(128)
    .describe('RELP only: most messages sent and not yet acknowledged'),
});

export const hecSinkSchema = z.strictObject({
  type: z.literal('hec'),
  ...common,
  url: httpUrl.describe('https://splunk:8088 (the /services/collector/event path is added)'),
  token: secretValue.optional(),
  tokenFile: path.optional(),
  index: z.string().min(1).optional(),
  sourcetype: z.string().min(1).default('cisco:duo'),
  source: z.string().min(1).default('duowatch'),
  host: z.string().min(1).optional(),
  gzip: z.boolean().default(true),
  ack: z
    .strictObject({
      enabled: z.boolean().default(false),
      pollMs: z.number().int().min(10).default(1000),
      timeoutMs: z.number().int().min(100).default(120_000),
    })
    .default({ enabled: false, pollMs: 1000, timeoutMs: 120_000 }),
  tls,
  timeoutMs: z.number().int().min(100).default(30_000),
});

export const elasticsearchSinkSchema = z.strictObject({
  type: z.literal('elasticsearch'),
  ...common,
  format: z.literal('ecs').default('ecs'),
  url: httpUrl,
  apiKey: secretValue.optional().describe('base64(id:api_key), as Kibana shows it'),
  apiKeyFile: path.optional(),
  namespace: z
    .string()
    .regex(/^[a-z0-9_]{1,100}$/, 'lowercase letters, digits and underscores')
    .default('default'),
  deadLetterFile: path.optional().describe('default <dataDir>/dead-letter/<sink name>.ndjson'),
  tls,
  timeoutMs: z.number().int().min(100).default(30_000),
});

export const webhookSinkSchema = z.strictObject({
  type: z.literal('webhook'),
  ...common,
  url: httpUrl,
  secret: secretValue.optional().describe('HMAC-SHA256 key; the signature goes in X-Duowatch-Signature'),
  secretFile: path.optional(),
  headers: z.record(z.string(), z.string()).default({}),
  tls,
  timeoutMs: z.number().int().min(100).default(30_000),
});

export const sinkConfigSchema = z.discriminatedUnion('type', [
  stdoutSinkSchema,
  fileSinkSchema,
  syslogSinkSchema,
  hecSinkSchema,
  elasticsearchSinkSchema,
  webhookSinkSchema,
]);

export const sinkNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, dashes and underscores');

export const sinksConfigSchema = z
  .record(sinkNameSchema, sinkConfigSchema)
  .default({})
  .describe('log sinks by name');

export type SinkConfigInput = z.input<typeof sinkConfigSchema>;
export type ParsedSinkConfig = z.output<typeof sinkConfigSchema>;

/** TLS settings with files read and secrets resolved. */
export interface ResolvedTls {
  readonly ca: string | null;
  readonly cert: string | null;
  readonly key: string | null;
  readonly passphrase: string | null;
  readonly servername: string | null;
  readonly insecureSkipVerify: boolean;
}

type Resolved<T, Drop extends string> = Omit<T, Drop | 'tls'> & { readonly tls: ResolvedTls };

export type StdoutSinkConfig = z.output<typeof stdoutSinkSchema>;
export type FileSinkConfig = z.output<typeof fileSinkSchema>;
export type SyslogSinkConfig = Resolved<z.output<typeof syslogSinkSchema>, never>;
export type HecSinkConfig = Resolved<z.output<typeof hecSinkSchema>, 'token' | 'tokenFile'> & {
  readonly token: string;
};
export type ElasticsearchSinkConfig = Resolved<
  z.output<typeof elasticsearchSinkSchema>,
  'apiKey' | 'apiKeyFile'
> & {
  readonly apiKey: string | null;
};
export type WebhookSinkConfig = Resolved<z.output<typeof webhookSinkSchema>, 'secret' | 'secretFile'> & {
  readonly secret: string | null;
};

/** One sink's settings, ready to build: paths absolute, files read, secrets resolved. */
export type SinkConfig =
  | StdoutSinkConfig
  | FileSinkConfig
  | SyslogSinkConfig
  | HecSinkConfig
  | ElasticsearchSinkConfig
  | WebhookSinkConfig;

export interface ResolveSinksOptions {
  /** Where the section sits in the config file, for messages (`logs.sinks`). */
  readonly at?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Relative paths (file sink, CA bundles, secret files) are resolved against this directory. */
  readonly baseDir?: string;
  readonly readFile?: (path: string) => Promise<string>;
}

function issuePath(at: string, segments: readonly PropertyKey[]): string {
  let out = at;
  for (const s of segments) {
    out += typeof s === 'number' ? `[${s}]` : out === '' ? String(s) : `.${String(s)}`;
  }
  return out;
}

/**
 * Validates and resolves the sinks section: every problem at once as a `ConfigError` (exit 78), never the
 * first only. Secret values are never part of a message.
 */
export async function resolveSinksConfig(
  input: unknown,
  options: ResolveSinksOptions = {},
): Promise<Record<string, SinkConfig>> {
  const at = options.at ?? 'sinks';
  const env = options.env ?? process.env;
  const baseDir = options.baseDir ?? process.cwd();
  const readFile = options.readFile ?? ((p: string) => nodeReadFile(p, 'utf8'));
  const abs = (p: string): string => (isAbsolute(p) ? p : resolvePath(baseDir, p));
  const parsed = sinksConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ path: issuePath(at, i.path), message: i.message })),
    );
  }
  const issues: ConfigIssue[] = [];

  const fromFile = async (file: string, where: string, trim: boolean): Promise<string | null> => {
    try {
      const text = await readFile(abs(file));
      const value = trim ? text.trim() : text;
      if (value === '') {
        issues.push({ path: where, message: `${abs(file)} is empty` });
        return null;
      }
      return value;
    } catch (error) {
      issues.push({
        path: where,
        message: `cannot read ${abs(file)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      });
      return null;
    }
  };

  const secret = async (
    value: string | undefined,
    file: string | undefined,
    where: string,
    required: boolean,
  ): Promise<string | null> => {
    const key = where.split('.').pop() ?? '';
    if (value !== undefined && file !== undefined) {
      issues.push({ path: where, message: `set either ${key} or ${key}File, not both` });
      return null;
    }
    if (file !== undefined) return fromFile(file, `${where}File`, true);
    if (value !== undefined) {
      // `${NAME}` references: a missing variable is a problem, not an empty secret.
      let missing = false;
      const out = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, v: string) => {
        const got = env[v];
        if (got === undefined || got === '') {
          issues.push({ path: where, message: `refers to environment variable ${v}, which is not set` });
          missing = true;
          return '';
        }
        return got;
      });
      return missing ? null : out;
    }
    if (required)
      issues.push({ path: where, message: `required: set ${key} (may be \${ENV_VAR}) or ${key}File` });
    return null;
  };

  const resolveTls = async (t: z.output<typeof tls>, where: string): Promise<ResolvedTls> => {
    if ((t.certFile === undefined) !== (t.keyFile === undefined)) {
      issues.push({ path: where, message: 'certFile and keyFile go together (mutual TLS needs both)' });
    }
    return {
      ca: t.caFile === undefined ? null : await fromFile(t.caFile, `${where}.caFile`, false),
      cert: t.certFile === undefined ? null : await fromFile(t.certFile, `${where}.certFile`, false),
      key: t.keyFile === undefined ? null : await fromFile(t.keyFile, `${where}.keyFile`, false),
      passphrase: await secret(t.keyPassphrase, t.keyPassphraseFile, `${where}.keyPassphrase`, false),
      servername: t.servername ?? null,
      insecureSkipVerify: t.insecureSkipVerify,
    };
  };

  const out: Record<string, SinkConfig> = {};
  for (const [name, sink] of Object.entries(parsed.data)) {
    const where = `${at}.${name}`;
    switch (sink.type) {
      case 'stdout':
        out[name] = sink;
        break;
      case 'file':
        out[name] = { ...sink, path: abs(sink.path) };
        break;
      case 'syslog': {
        if (sink.transport === 'tls' && sink.framing === 'lf') {
          issues.push({ path: `${where}.framing`, message: 'TLS syslog uses octet counting (RFC 5425)' });
        }
        if (sink.transport.startsWith('relp') && sink.framing === 'lf') {
          issues.push({ path: `${where}.framing`, message: 'RELP frames every message itself' });
        }
        out[name] = { ...sink, tls: await resolveTls(sink.tls, `${where}.tls`) };
        break;
      }
      case 'hec': {
        const { token, tokenFile, ...rest } = sink;
        const value = await secret(token, tokenFile, `${where}.token`, true);
        out[name] = { ...rest, token: value ?? '', tls: await resolveTls(sink.tls, `${where}.tls`) };
        break;
      }
      case 'elasticsearch': {
        const { apiKey, apiKeyFile, ...rest } = sink;
        out[name] = {
          ...rest,
          ...(rest.deadLetterFile === undefined ? {} : { deadLetterFile: abs(rest.deadLetterFile) }),
          apiKey: await secret(apiKey, apiKeyFile, `${where}.apiKey`, false),
          tls: await resolveTls(sink.tls, `${where}.tls`),
        };
        break;
      }
      case 'webhook': {
        const { secret: key, secretFile, ...rest } = sink;
        out[name] = {
          ...rest,
          secret: await secret(key, secretFile, `${where}.secret`, false),
          tls: await resolveTls(sink.tls, `${where}.tls`),
        };
        break;
      }
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out;
}
