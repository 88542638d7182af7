/**
 * Environment overrides: one explicit table (documented in docs/configuration.md), applied on top of the file.
 * Environment wins over the file. Values are converted by declared type; a bad value is reported like any
 * other problem, with the variable's name as its path.
 */
export type EnvKind = 'string' | 'int' | 'bool' | 'map';

export interface EnvMapping {
  env: string;
  path: readonly string[];
  kind: EnvKind;
  secret?: boolean;
}

export const envMappings: readonly EnvMapping[] = [
  { env: 'DUOWATCH_DATA_DIR', path: ['dataDir'], kind: 'string' },
  { env: 'DUOWATCH_SERVER_HOST', path: ['server', 'host'], kind: 'string' },
  { env: 'DUOWATCH_SERVER_PORT', path: ['server', 'port'], kind: 'int' },
  { env: 'DUOWATCH_PUBLIC_URL', path: ['server', 'publicUrl'], kind: 'string' },
  { env: 'DUOWATCH_TRUST_PROXY', path: ['server', 'trustProxy'], kind: 'bool' },
  { env: 'DUOWATCH_TRUSTED_PROXIES', path: ['server', 'trustedProxies'], kind: 'int' },
  { env: 'DUOWATCH_METRICS_TOKEN', path: ['server', 'metricsToken'], kind: 'string', secret: true },
  // DATABASE_URL is the convention of every PostgreSQL tool; the DUOWATCH_ name wins when both are set.
  { env: 'DATABASE_URL', path: ['database', 'url'], kind: 'string', secret: true },
  { env: 'DUOWATCH_DATABASE_URL', path: ['database', 'url'], kind: 'string', secret: true },
  { env: 'DUOWATCH_DATABASE_POOL_SIZE', path: ['database', 'poolSize'], kind: 'int' },
  { env: 'DUOWATCH_MASTER_KEY_FILE', path: ['masterKeyFile'], kind: 'string' },
  { env: 'DUOWATCH_DUO_TIMEOUT_MS', path: ['duo', 'transport', 'timeoutMs'], kind: 'int' },
  { env: 'DUOWATCH_DUO_CA_FILE', path: ['duo', 'transport', 'caFile'], kind: 'string' },
  { env: 'DUOWATCH_DUO_RESOLVE', path: ['duo', 'transport', 'resolve'], kind: 'map' },
  {
    env: 'DUOWATCH_DUO_ALLOW_PRIVATE_ADDRESSES',
    path: ['duo', 'transport', 'allowPrivateAddresses'],
    kind: 'bool',
  },
  // The name docs/duo-client.md documents (and other tools use); same setting.
  {
    env: 'DUOWATCH_ALLOW_PRIVATE_ADDRESSES',
    path: ['duo', 'transport', 'allowPrivateAddresses'],
    kind: 'bool',
  },
  { env: 'DUOWATCH_DUO_PROXY', path: ['duo', 'transport', 'proxy'], kind: 'string' },
  { env: 'DUOWATCH_DUO_MAX_ATTEMPTS', path: ['duo', 'retry', 'maxAttempts'], kind: 'int' },
  { env: 'DUOWATCH_DUO_REQUESTS_PER_SECOND', path: ['duo', 'rateLimit', 'requestsPerSecond'], kind: 'int' },
  { env: 'DUOWATCH_SCHEDULE_IDENTITY', path: ['schedules', 'identity'], kind: 'string' },
  { env: 'DUOWATCH_SCHEDULE_AUTH_LOG', path: ['schedules', 'authLog'], kind: 'string' },
  { env: 'DUOWATCH_SCHEDULE_JITTER_SECONDS', path: ['schedules', 'jitterSeconds'], kind: 'int' },
  { env: 'DUOWATCH_LOG_LEVEL', path: ['logging', 'level'], kind: 'string' },
  { env: 'DUOWATCH_EMULATOR', path: ['emulator', 'mode'], kind: 'string' },
  { env: 'DUOWATCH_ADMIN_USERNAME', path: ['admin', 'username'], kind: 'string' },
  { env: 'DUOWATCH_ADMIN_PASSWORD', path: ['admin', 'bootstrapPassword'], kind: 'string', secret: true },
];

export interface EnvIssue {
  path: string;
  message: string;
}

function convert(kind: EnvKind, raw: string): { value: unknown } | { error: string } {
  switch (kind) {
    case 'string':
      return { value: raw };
    case 'int':
      return /^-?\d+$/.test(raw.trim()) ? { value: Number(raw.trim()) } : { error: 'must be an integer' };
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return { value: true };
      if (['0', 'false', 'no', 'off'].includes(v)) return { value: false };
      return { error: 'must be true or false' };
    }
    case 'map': {
      // "host=ip,host2=ip2", like curl --resolve lists.
      const out: Record<string, string> = {};
      for (const pair of raw
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const at = pair.indexOf('=');
        if (at <= 0) return { error: `"${pair}" is not host=address` };
        out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
      }
      return { value: out };
    }
  }
}

/** Returns a copy of `raw` with every set variable applied, and the problems found on the way. */
export function applyEnv(
  raw: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): { value: Record<string, unknown>; issues: EnvIssue[]; applied: string[] } {
  const value = structuredClone(raw);
  const issues: EnvIssue[] = [];
  const applied: string[] = [];
  for (const mapping of envMappings) {
    const text = env[mapping.env];
    if (text === undefined || text === '') continue;
    const converted = convert(mapping.kind, text);
    if ('error' in converted) {
      issues.push({ path: `env.${mapping.env}`, message: converted.error });
      continue;
    }
    let node: Record<string, unknown> = value;
    for (const key of mapping.path.slice(0, -1)) {
      const next = node[key];
      if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next))
        node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[mapping.path[mapping.path.length - 1] as string] = converted.value;
    applied.push(mapping.env);
  }
  return { value, issues, applied };
}
