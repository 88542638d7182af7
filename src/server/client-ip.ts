import type { AppContext } from './context.js';

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string; encrypted?: boolean } };
}

/** The peer address from @hono/node-server's bindings; X-Forwarded-For only when the proxy is trusted. */
export function clientIp(c: AppContext, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const env = c.env as NodeBindings | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

export function isTls(c: AppContext): boolean {
  const env = c.env as NodeBindings | undefined;
  return env?.incoming?.socket?.encrypted === true || new URL(c.req.url).protocol === 'https:';
}
