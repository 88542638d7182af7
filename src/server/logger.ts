import pino from 'pino';
import type { ServerLogger } from './context.js';

/**
 * pino with every place a secret could sit redacted (request headers, bodies, service inputs), so a log
 * line is always safe to ship. Paths follow pino's redact syntax; `*` covers one level of nesting.
 */
export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  'cookie',
  '*.cookie',
  'req.headers.cookie',
  'headers.cookie',
  '*["set-cookie"]',
  'skey',
  '*.skey',
  '*.*.skey',
  'password',
  '*.password',
  '*.*.password',
  'newPassword',
  'currentPassword',
  '*.currentPassword',
  '*.newPassword',
  'token',
  '*.token',
  '*.*.token',
  'csrfToken',
  '*.csrfToken',
  '*["x-csrf-token"]',
];

export function createLogger(
  options: { level?: string; destination?: pino.DestinationStream } = {},
): ServerLogger & pino.Logger {
  const config = {
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'duowatch' },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
