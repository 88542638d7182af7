import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.js';

/**
 * Headers on every response, API and dashboard alike. The CSP has no 'unsafe-inline': the dashboard ships
 * no inline script or style (uplot sets element styles through the CSSOM, which CSP does not govern).
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(opts: { hsts: boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('content-security-policy', CSP);
    h.set('x-content-type-options', 'nosniff');
    h.set('referrer-policy', 'no-referrer');
    h.set('cross-origin-opener-policy', 'same-origin');
    h.set('cross-origin-resource-policy', 'same-origin');
    h.set('x-frame-options', 'DENY');
    h.set('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    if (opts.hsts) h.set('strict-transport-security', 'max-age=31536000');
    if (c.req.path.startsWith('/api/') && !h.has('cache-control')) h.set('cache-control', 'no-store');
  };
}
