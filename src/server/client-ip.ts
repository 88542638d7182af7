import { isIP } from 'node:net';
import type { AppContext } from './context.js';

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string; encrypted?: boolean } };
}

/** How far to believe forwarding headers: `trustedProxies` reverse proxies in front of us (0 = none). */
export interface ProxyTrust {
  trustedProxies: number;
}

function peerAddress(c: AppContext): string {
  const env = c.env as NodeBindings | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/** Comma-separated values of a header, across repeated headers, trimmed, empty ones dropped. */
function hops(c: AppContext, name: string): string[] {
  return (c.req.header(name) ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/**
 * The client's address. Without trusted proxies it is the TCP peer. Behind N trusted proxies it is the Nth
 * entry of X-Forwarded-For counted from the right: each proxy appends the address it saw, so the entries
 * right of that one were written by our proxies and everything left of it was written by the client, who
 * can put anything there. Taking the leftmost entry would let a client pick its own address.
 */
export function clientIp(c: AppContext, trust: ProxyTrust): string {
  const peer = peerAddress(c);
  if (trust.trustedProxies <= 0) return peer;
  const forwarded = hops(c, 'x-forwarded-for');
  if (forwarded.length === 0) return peer;
  // Fewer entries than proxies: the request skipped a proxy; the leftmost is the furthest we can see.
  const candidate = forwarded[Math.max(0, forwarded.length - trust.trustedProxies)] ?? peer;
  const bare = candidate.replace(/^\[(.*)\](?::\d+)?$/, '$1');
  // A proxy writes an address; anything else means the header is not what our proxy wrote.
  return isIP(bare) === 0 ? peer : bare;
}

/**
 * Whether the client reached us over TLS: the socket itself, or, behind trusted proxies, the
 * X-Forwarded-Proto our nearest proxy set (its rightmost value).
 */
export function isTls(c: AppContext, trust: ProxyTrust): boolean {
  const env = c.env as NodeBindings | undefined;
  if (env?.incoming?.socket?.encrypted === true || new URL(c.req.url).protocol === 'https:') return true;
  if (trust.trustedProxies <= 0) return false;
  return hops(c, 'x-forwarded-proto').at(-1)?.toLowerCase() === 'https';
}
