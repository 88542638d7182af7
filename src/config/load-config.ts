import { readFile as nodeReadFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { isIP } from 'node:net';
import { parseDocument } from 'yaml';
import { Secret } from '../store/index.js';
import { normaliseAlertsConfig } from '../alerts/index.js';
import { catalogue, checkDetectConfig } from '../detect/index.js';
import { normaliseLogsConfig } from '../logs/index.js';
import type { Config, ConfiguredIntegration } from './config-types.js';
import { applyEnv } from './env.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { configSchema, type ParsedConfig } from './schema.js';

export interface LoadConfigOptions {
  /** The YAML file; absent means defaults + environment only. */
  file?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths (dataDir, files) resolve against this directory. */
  cwd: string;
  /** Highest-priority values from the command line (`--data-dir`). */
  overrides?: { dataDir?: string | undefined };
  readFile?: (path: string) => Promise<string>;
}

const defaultReadFile = (path: string) => nodeReadFile(path, 'utf8');

function pathOf(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments)
    out += typeof s === 'number' ? `[${s}]` : out === '' ? String(s) : `.${String(s)}`;
  return out === '' ? '(root)' : out;
}

/**
 * Loads the configuration: YAML file → environment overrides → schema → normalise (paths, secret references,
 * secret files) → rules → deep freeze. Every problem found in any stage is reported together in one
 * ConfigError; a stage that cannot run because an earlier one failed is skipped, not guessed at.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  const readFile = options.readFile ?? defaultReadFile;
  const issues: ConfigIssue[] = [];
  let raw: Record<string, unknown> = {};
  const file = options.file === undefined || options.file === '' ? null : resolve(options.cwd, options.file);

  if (file !== null) {
    let text: string | undefined;
    try {
      text = await readFile(file);
    } catch (error) {
      issues.push({
        path: 'file',
        message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      });
    }
    if (text !== undefined) {
      const doc = parseDocument(text, { prettyErrors: false });
      for (const e of doc.errors)
        issues.push({ path: 'file', message: `YAML: ${e.message.split('\n')[0] ?? ''}` });
      const value: unknown = doc.errors.length === 0 ? doc.toJS() : {};
      if (value === null || value === undefined) raw = {};
      else if (typeof value === 'object' && !Array.isArray(value)) raw = value as Record<string, unknown>;
      else issues.push({ path: 'file', message: 'the top level must be a mapping' });
    }
  }

  const withEnv = applyEnv(raw, options.env);
  issues.push(...withEnv.issues);
  if (options.overrides?.dataDir !== undefined) withEnv.value['dataDir'] = options.overrides.dataDir;

  const parsed = configSchema.safeParse(withEnv.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      issues.push({ path: pathOf(issue.path), message: issue.message });
    throw new ConfigError(issues);
  }
  const config = await normalise(parsed.data, { ...options, readFile }, file, withEnv.applied, issues);
  rules(config, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return deepFreeze(config);
}

type NormaliseOptions = LoadConfigOptions & { readFile: (path: string) => Promise<string> };

async function normalise(
  input: ParsedConfig,
  options: NormaliseOptions,
  file: string | null,
  envApplied: string[],
  issues: ConfigIssue[],
): Promise<Config> {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(options.cwd, p));
  // `${NAME}` references inside secret values; a missing variable is a problem, not an empty secret.
  const interpolate = (value: string, path: string): string | null => {
    let ok = true;
    const out = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = options.env[name];
      if (v === undefined || v === '') {
        ok = false;
        issues.push({ path, message: `refers to environment variable ${name}, which is not set` });
        return '';
      }
      return v;
    });
    return ok ? out : null;
  };
  const secret = async (
    value: string | undefined,
    fromFile: string | undefined,
    path: string,
    required: boolean,
  ) => {
    if (value !== undefined && fromFile !== undefined) {
      issues.push({
        path,
        message: `set either ${path.split('.').pop() ?? ''} or its File variant, not both`,
      });
      return null;
    }
    if (fromFile !== undefined) {
      try {
        const text = (await options.readFile(abs(fromFile))).trim();
        if (text === '') issues.push({ path: `${path}File`, message: `${abs(fromFile)} is empty` });
        return text === '' ? null : new Secret(text);
      } catch (error) {
        issues.push({
          path: `${path}File`,
          message: `cannot read ${abs(fromFile)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
        });
        return null;
      }
    }
    if (value !== undefined) {
      const text = interpolate(value, path);
      return text === null ? null : new Secret(text);
    }
    if (required)
      issues.push({
        path,
        message: `required: set ${path.split('.').pop() ?? ''} (may be \${ENV_VAR}) or ${path.split('.').pop() ?? ''}File`,
      });
    return null;
  };

  const integrations: ConfiguredIntegration[] = [];
  for (const [i, item] of input.integrations.entries()) {
    const base = `integrations[${i}]`;
    const ikey = await secret(item.ikey, item.ikeyFile, `${base}.ikey`, true);
    const skey = await secret(item.skey, item.skeyFile, `${base}.skey`, true);
    if (ikey === null || skey === null) continue;
    integrations.push({
      org: item.org,
      orgName: item.orgName ?? item.org,
      kind: item.kind,
      apiHost: item.apiHost.toLowerCase(),
      label: item.label ?? item.kind,
      mkey: item.mkey ?? null,
      ikey,
      skey,
    });
  }
  const dbUrl = input.database.url === undefined ? null : interpolate(input.database.url, 'database.url');

  return {
    file,
    envApplied,
    dataDir: abs(input.dataDir),
    server: {
      host: input.server.host,
      port: input.server.port,
      publicUrl: input.server.publicUrl ?? null,
      trustProxy: input.server.trustProxy,
      trustedProxies: input.server.trustedProxies,
      allowedHosts: (input.server.allowedHosts ?? []).map((h) => h.toLowerCase()),
      metricsToken: await secret(
        input.server.metricsToken,
        input.server.metricsTokenFile,
        'server.metricsToken',
        false,
      ),
    },
    database: { url: dbUrl === null ? null : new Secret(dbUrl), poolSize: input.database.poolSize },
    masterKeyFile: input.masterKeyFile === undefined ? null : abs(input.masterKeyFile),
    duo: {
      transport: {
        timeoutMs: input.duo.transport.timeoutMs,
        caFile: input.duo.transport.caFile === undefined ? null : abs(input.duo.transport.caFile),
        resolve: Object.fromEntries(
          Object.entries(input.duo.transport.resolve).map(([h, ip]) => [h.toLowerCase(), ip]),
        ),
        allowPrivateAddresses: input.duo.transport.allowPrivateAddresses,
        proxy: input.duo.transport.proxy ?? null,
      },
      retry: { ...input.duo.retry },
      rateLimit: { ...input.duo.rateLimit },
    },
    schedules: { ...input.schedules },
    logging: { level: input.logging.level },
    emulator: { mode: input.emulator.mode },
    health: input.health,
    admin: {
      username: input.admin.username,
      bootstrapPassword: await secret(
        input.admin.bootstrapPassword,
        input.admin.bootstrapPasswordFile,
        'admin.bootstrapPassword',
        false,
      ),
    },
    integrations,
    alerts: await normaliseAlertsConfig(input.alerts, secret),
    detect: input.detect,
    devices: {
      ...input.devices,
      syncs: input.devices.syncs.map((s) => (s.file === undefined ? s : { ...s, file: abs(s.file) })),
    },
    verify: input.verify,
    logs: await normaliseLogsConfig(
      input.logs,
      { env: options.env, dataDir: abs(input.dataDir), readFile: options.readFile },
      issues,
    ),
  };
}

/** Rules that span fields or need more than a type check. */
function rules(config: Config, issues: ConfigIssue[]): void {
  const url = config.database.url?.reveal();
  if (url !== undefined && !/^(postgres(ql)?:\/\/|sqlite:)/.test(url)) {
    issues.push({ path: 'database.url', message: 'must start with postgres://, postgresql:// or sqlite:' });
  }
  if (config.duo.retry.maxDelayMs < config.duo.retry.baseDelayMs) {
    issues.push({ path: 'duo.retry.maxDelayMs', message: 'must be at least duo.retry.baseDelayMs' });
  }
  for (const [host, target] of Object.entries(config.duo.transport.resolve)) {
    // `address:port` as curl --resolve and DUOWATCH_DUO_RESOLVE write it (IPv6 in brackets); a bare
    // address means port 443.
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(target);
    const address = m === null ? target : (m[1] ?? m[2] ?? '');
    const port = m === null ? 443 : Number(m[3]);
    if (isIP(address) === 0 || port < 1 || port > 65535)
      issues.push({
        path: `duo.transport.resolve.${host}`,
        message: `"${target}" is not an IP address, or address:port`,
      });
  }
  for (const message of checkDetectConfig(config.detect, catalogue)) issues.push({ path: 'detect', message });
  const seen = new Set<string>();
  config.integrations.forEach((integration, i) => {
    const key = `${integration.org}/${integration.kind}/${integration.label}`;
    if (seen.has(key))
      issues.push({ path: `integrations[${i}]`, message: `duplicates another integration (${key})` });
    seen.add(key);
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof Secret) && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * A JSON-safe view for `config show`. Secret values are `[redacted]` (their own `toJSON`), and every URL anywhere
 * in the configuration is shown without what may carry a credential: its password (a database or proxy URL),
 * its query values (signed export links, API keys) and, for webhooks, its path — Slack, Teams and most
 * incoming-webhook services put the token in the path, so only the scheme and host are safe to print.
 */
export function redactedConfig(config: Config): unknown {
  const plain = JSON.parse(
    JSON.stringify({
      ...config,
      database: { ...config.database, url: config.database.url?.reveal() ?? null },
    }),
  ) as unknown;
  return redactUrls(plain, []);
}

const REDACTED = 'redacted';

function redactUrls(value: unknown, path: readonly string[]): unknown {
  if (typeof value === 'string') return looksLikeUrl(value) ? redactUrl(value, path) : value;
  if (Array.isArray(value)) return value.map((v, i) => redactUrls(v, [...path, String(i)]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactUrls(v, [...path, k]);
    return out;
  }
  return value;
}

const looksLikeUrl = (s: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);

function redactUrl(text: string, path: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return '[redacted]'; // looks like a URL but does not parse: show nothing rather than guess
  }
  if (url.password !== '') url.password = REDACTED;
  for (const key of [...new Set(url.searchParams.keys())]) url.searchParams.set(key, REDACTED);
  if (path.some((p) => /hook/i.test(p)) && url.pathname !== '/') url.pathname = `/${REDACTED}`;
  return url.toString();
}
