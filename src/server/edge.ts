import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv, ServerConfig } from './context.js';
import { ApiError } from './errors.js';
import { safeEqual, sha256 } from '../accounts/index.js';

/**
 * Checks at the edge of the service, before any route runs: a well-formed path, an expected Host, a bounded
 * body, and the optional /metrics token. Each answers in the usual error shape.
 */

/** A path whose percent-encoding does not decode (`/%E0%A4%A`) is a client error, not a server crash. */
export function wellFormedPath(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    try {
      decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      throw new ApiError(400, 'malformed_path', 'The request path is not valid percent-encoded UTF-8.');
    }
    return next();
  };
}

/** The host name of a Host header value (`Example.com:8080` → `example.com`, `[::1]:80` → `::1`). */
export function hostName(host: string): string {
  const trimmed = host.trim().toLowerCase();
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed);
  if (v6?.[1] !== undefined) return v6[1];
  return trimmed.replace(/:\d+$/, '').replace(/\.$/, '');
}

/** The names a loopback listener is reached by; anything else in Host is a rebinding name. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

const isLoopback = (host: string): boolean =>
  LOOPBACK_HOSTS.includes(hostName(host)) || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * The Host names a server accepts: the publicUrl's, the configured extras, and the loopback names when it
 * listens on loopback. null (no check) only for a non-loopback listener with neither publicUrl nor extras,
 * where there is nothing to compare with (docs/server.md says to set one).
 */
export function allowedHostsFor(options: {
  listenHost: string;
  publicUrl: string | null;
  extra: readonly string[];
}): string[] | null {
  const names = options.extra.map(hostName);
  if (options.publicUrl !== null) names.push(hostName(new URL(options.publicUrl).host));
  if (isLoopback(options.listenHost)) names.push(...LOOPBACK_HOSTS);
  else if (names.length === 0) return null;
  return [...new Set(names)];
}

/** Paths probes call by address (orchestrators use the pod IP); they reveal nothing. */
const HOST_EXEMPT = new Set(['/healthz', '/readyz']);

/**
 * Refuses a request whose Host is not one this service is reached by. A DNS-rebinding page makes the
 * browser send its own name in Host (and in Origin, so the same-origin check passes); the name gives it away.
 */
export function allowedHost(allowed: readonly string[] | null): MiddlewareHandler<AppEnv> {
  const names = allowed === null ? null : new Set(allowed.map(hostName));
  return async (c, next) => {
    if (names === null || HOST_EXEMPT.has(c.req.path)) return next();
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!names.has(hostName(host)))
      throw new ApiError(421, 'host_not_allowed', 'This service is not reached by that host name.');
    return next();
  };
}

/**
 * Bounds every /api/* body (default 64 KiB; larger for paths listed in `bodyLimits`). A declared
 * Content-Length over the limit is refused before a byte is read; a chunked body is read only until it
 * passes the limit.
 */
export function apiBodyLimit(
  config: Pick<ServerConfig, 'maxBodyBytes' | 'bodyLimits'>,
): MiddlewareHandler<AppEnv> {
  const tooLarge = (bytes: number) => () => {
    throw new ApiError(413, 'payload_too_large', `The request body exceeds ${bytes} bytes.`);
  };
  const limits = [
    ...config.bodyLimits.map((l) => ({ path: l.path, bytes: l.bytes })),
    { path: /.*/, bytes: config.maxBodyBytes },
  ].map((l) => ({ path: l.path, check: bodyLimit({ maxSize: l.bytes, onError: tooLarge(l.bytes) }) }));
  return async (c, next) => {
    const limit = limits.find((l) => l.path.test(c.req.path));
    // The catch-all entry always matches; the fallback only satisfies the type checker.
    return limit === undefined ? next() : limit.check(c, next);
  };
}

/** With a configured token, /metrics needs `Authorization: Bearer <token>` (compared in constant time). */
export function metricsAuth(token: string | null): MiddlewareHandler<AppEnv> {
  const expected = token === null ? null : sha256(token);
  return async (c, next) => {
    if (expected === null) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match?.[1] || !safeEqual(sha256(match[1]), expected))
      throw new ApiError(401, 'unauthenticated', 'The metrics token is missing or wrong.', {
        headers: { 'www-authenticate': 'Bearer realm="metrics"' },
      });
    return next();
  };
}
