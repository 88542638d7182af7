import { loadConfig } from '../../../config/index.js';
import {
  DuoConfigError,
  duoTransportOptionsFromEnv,
  parseResolveList,
  type DuoTransportOptions,
} from '../../../duo/index.js';
import type { CliIo } from '../../io.js';
import { readFileSync } from 'node:fs';

export interface DuoCliOptions {
  org?: string;
  sigVersion?: string;
  json?: boolean;
  config?: string;
  dataDir?: string;
}

export interface ResolvedDuo {
  ikey: string;
  skey: string;
  host: string;
  transport: DuoTransportOptions;
  timeoutMs?: number;
}

/** Env credentials first (all three), else a configured integration; transport from config, then env. */
export async function resolveDuo(opts: DuoCliOptions, io: CliIo): Promise<ResolvedDuo> {
  const env = io.env;
  const envTransport = duoTransportOptionsFromEnv(env);
  const needConfig = opts.config !== undefined || opts.org !== undefined;
  const config = needConfig
    ? await loadConfig({ file: opts.config, env, cwd: process.cwd(), overrides: { dataDir: opts.dataDir } })
    : undefined;
  const fromConfig: DuoTransportOptions = {};
  if (config !== undefined) {
    const t = config.duo.transport;
    if (t.caFile !== null) fromConfig.extraCaPem = [readFileSync(t.caFile, 'utf8')];
    const pins = Object.entries(t.resolve).map(
      ([h, target]) => `${h}=${/:\d+$/.test(target) ? target : `${target}:443`}`,
    );
    if (pins.length > 0) fromConfig.resolve = parseResolveList(pins.join(','));
    if (t.allowPrivateAddresses) fromConfig.allowPrivateAddresses = true;
    if (t.proxy !== null) fromConfig.proxy = { url: t.proxy };
  }
  const transport: DuoTransportOptions = {
    ...fromConfig,
    ...envTransport,
    ...(fromConfig.extraCaPem || envTransport.extraCaPem
      ? { extraCaPem: [...(fromConfig.extraCaPem ?? []), ...(envTransport.extraCaPem ?? [])] }
      : {}),
    ...(fromConfig.resolve || envTransport.resolve
      ? { resolve: { ...fromConfig.resolve, ...envTransport.resolve } }
      : {}),
  };
  const [ikey, skey, host] = [env['DUOWATCH_IKEY'], env['DUOWATCH_SKEY'], env['DUOWATCH_HOST']];
  if (opts.org === undefined && ikey && skey && host)
    return { ikey, skey, host, transport, ...(config ? { timeoutMs: config.duo.transport.timeoutMs } : {}) };
  const integration =
    config?.integrations.find((i) => opts.org === undefined || i.org === opts.org) ?? undefined;
  if (integration === undefined) {
    throw new DuoConfigError(
      'duo_no_credentials',
      opts.org === undefined
        ? 'no Duo credentials: set DUOWATCH_IKEY, DUOWATCH_SKEY and DUOWATCH_HOST, or pass --config with an integration'
        : `no integration for org ${JSON.stringify(opts.org)} in the configuration`,
    );
  }
  return {
    ikey: integration.ikey.reveal(),
    skey: integration.skey.reveal(),
    host: integration.apiHost,
    transport,
    timeoutMs: config?.duo.transport.timeoutMs ?? 30_000,
  };
}
