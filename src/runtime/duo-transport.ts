import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import {
  duoTransportOptionsFromEnv,
  parseLogBudget,
  parseResolveList,
  type DuoTransportOptions,
} from '../duo/index.js';
import type { Config } from '../config/index.js';
import type { DuoClientsOptions } from '../integrations/index.js';

/**
 * The Duo client's transport and budget from the configuration, with the three environment variables of docs/duo-client.md
 * (DUOWATCH_DUO_RESOLVE, DUOWATCH_DUO_CA_FILE, DUOWATCH_ALLOW_PRIVATE_ADDRESSES) layered on top, so the
 * checks that point duowatch at an emulator work whichever way they set it.
 */
export function duoClientsOptions(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
  extra: { resolve?: DuoTransportOptions['resolve']; caPem?: string; allowPrivateAddresses?: boolean } = {},
): DuoClientsOptions {
  const t = config.duo.transport;
  const fromEnv = duoTransportOptionsFromEnv(env);
  const configured = Object.entries(t.resolve)
    .map(([host, target]) => `${host}=${withPort(target)}`)
    .join(',');
  const resolve = { ...parseResolveList(configured), ...fromEnv.resolve, ...extra.resolve };
  const extraCaPem = [
    ...(t.caFile === null ? [] : [readFileSync(t.caFile, 'utf8')]),
    ...(fromEnv.extraCaPem ?? []),
    ...(extra.caPem === undefined ? [] : [extra.caPem]),
  ];
  const proxy =
    t.proxy === null
      ? fromEnv.proxy
      : { url: t.proxy, ...(fromEnv.proxy?.noProxy === undefined ? {} : { noProxy: fromEnv.proxy.noProxy }) };
  const transport: DuoTransportOptions = {
    resolve,
    extraCaPem,
    allowPrivateAddresses:
      t.allowPrivateAddresses ||
      fromEnv.allowPrivateAddresses === true ||
      extra.allowPrivateAddresses === true,
    ...(proxy === undefined ? {} : { proxy }),
  };
  // DUOWATCH_DUO_LOG_BUDGET overrides every integration's budget per log endpoint (0 = unlimited).
  const logBudget = parseLogBudget(env['DUOWATCH_DUO_LOG_BUDGET']);
  return {
    transport,
    client: {
      timeoutMs: t.timeoutMs,
      // 429 schedule: base, 2·base, 4·base … capped, one delay per retry (official: 1, 2, 4, 8, 16, 32 s).
      retry: {
        rateLimitDelaysMs: Array.from({ length: config.duo.retry.maxAttempts }, (_, i) =>
          Math.min(config.duo.retry.maxDelayMs, config.duo.retry.baseDelayMs * 2 ** i),
        ),
      },
    },
    ratesPerMinute: {
      // One auth-log request per interval (the specification: 1 per minute per tenant).
      auth_log: Math.max(1, Math.round(60_000 / Math.max(1, config.duo.rateLimit.authLogMinIntervalMs))),
      // Never above Duo's published 200 pages a minute, lower when configured so.
      admin_read: Math.max(1, Math.min(200, config.duo.rateLimit.requestsPerSecond * 60)),
      ...(logBudget === undefined ? {} : { auth_log: logBudget, log: logBudget }),
    },
  };
}

/** The configuration allows a bare address (port 443) where the client wants `address:port`. */
function withPort(target: string): string {
  const family = isIP(target);
  if (family === 4) return `${target}:443`;
  if (family === 6) return `[${target}]:443`;
  return target;
}
