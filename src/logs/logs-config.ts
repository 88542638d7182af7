import { ConfigError, type ConfigIssue } from '../config/errors.js';
import { Secret } from '../store/index.js';
import type { LogsConfigInput, RouteCondition, RouteStream } from './config-schema.js';
import { redactUrl } from './sinks/http-post.js';
import { resolveSinksConfig, type SinkConfig } from './sinks/sink-config.js';

/**
 * One configured sink after normalisation. The resolved settings (secrets, TLS keys) travel as a `Secret`
 * so `config show`, logs and API answers print `[redacted]`; `shown` is what may be printed.
 */
export interface ConfiguredSink {
  readonly type: SinkConfig['type'];
  /** The settings with secrets, keys, header values and URL credentials replaced. */
  readonly shown: Readonly<Record<string, unknown>>;
  readonly resolved: Secret;
}

export interface LogRoute {
  readonly org: string;
  readonly streams: readonly RouteStream[];
  readonly sinks: readonly string[];
  readonly where: readonly RouteCondition[];
}

/** The `logs` section as every capability sees it (normalised, frozen with the rest of the configuration). */
export interface LogsConfig {
  readonly sinks: Readonly<Record<string, ConfiguredSink>>;
  readonly routes: readonly LogRoute[];
  readonly pollIntervalSeconds: number;
  readonly firstRunLookback: string;
  readonly budgets: readonly {
    readonly org: string;
    readonly integration?: string | undefined;
    readonly requestsPerMinute: number;
  }[];
  readonly msp: readonly {
    readonly org: string;
    readonly include: readonly string[];
    readonly exclude: readonly string[];
  }[];
  readonly inventory: {
    readonly enabled: boolean;
    readonly cron: string;
    readonly enrich: { readonly users: boolean; readonly hosts: boolean };
  };
}

const SECRET_KEYS = new Set(['token', 'apiKey', 'secret', 'key', 'passphrase']);

function shownOf(value: unknown, key = ''): unknown {
  if (value === null || value === undefined) return value;
  if (SECRET_KEYS.has(key)) return '[redacted]';
  if (key === 'url' && typeof value === 'string') return redactUrl(value);
  if (key === 'headers' && typeof value === 'object')
    return Object.fromEntries(Object.keys(value).map((k) => [k, '[redacted]']));
  // A CA bundle or client certificate is public but long; `config show` names it, not its PEM.
  if ((key === 'ca' || key === 'cert') && typeof value === 'string') return '(PEM)';
  if (Array.isArray(value)) return value.map((v) => shownOf(v));
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shownOf(v, k)]));
  return value;
}

/** The sink's settings, ready for `createSink`. */
export function sinkSettings(sink: ConfiguredSink): SinkConfig {
  return JSON.parse(sink.resolved.reveal()) as SinkConfig;
}

export interface NormaliseLogsOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative sink paths (file sink, CA bundles, secret files) are taken from the data directory. */
  readonly dataDir: string;
  readonly readFile?: (path: string) => Promise<string>;
}

/**
 * Resolves the sinks (secrets from env or files) and checks what spans fields: every route names existing
 * sinks, `alerts` routes name every organization or one. Problems are added to `issues`, all at once.
 */
export async function normaliseLogsConfig(
  input: LogsConfigInput,
  options: NormaliseLogsOptions,
  issues: ConfigIssue[],
): Promise<LogsConfig> {
  const sinks: Record<string, ConfiguredSink> = {};
  try {
    const resolved = await resolveSinksConfig(input.sinks, {
      at: 'logs.sinks',
      env: options.env,
      baseDir: options.dataDir,
      ...(options.readFile === undefined ? {} : { readFile: options.readFile }),
    });
    for (const [name, config] of Object.entries(resolved))
      sinks[name] = {
        type: config.type,
        shown: shownOf(config) as Record<string, unknown>,
        resolved: new Secret(JSON.stringify(config)),
      };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }
  const declared = new Set(Object.keys(input.sinks));
  input.routes.forEach((route, i) => {
    route.sinks.forEach((name, j) => {
      if (!declared.has(name))
        issues.push({
          path: `logs.routes[${i}].sinks[${j}]`,
          message: `no sink named "${name}" in logs.sinks${declared.size === 0 ? ' (none is declared)' : ` (declared: ${[...declared].join(', ')})`}`,
        });
    });
  });
  input.msp.forEach((m, i) => {
    const both = m.include.filter((a) => m.exclude.includes(a));
    if (both.length > 0)
      issues.push({ path: `logs.msp[${i}]`, message: `${both.join(', ')} both included and excluded` });
  });
  return {
    sinks,
    routes: input.routes.map((r) => ({ org: r.org, streams: r.streams, sinks: r.sinks, where: r.where })),
    pollIntervalSeconds: input.pollIntervalSeconds,
    firstRunLookback: input.firstRunLookback,
    budgets: input.budgets,
    msp: input.msp,
    inventory: input.inventory,
  };
}
