import { createRequire } from 'node:module';
import type * as IpAddr from 'ipaddr.js';

// ipaddr.js is CommonJS without named ESM exports and tsconfig has no esModuleInterop; require is the
// one form that works the same under tsc, tsx and vitest.
const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof IpAddr;

/** Cloud metadata endpoints, named explicitly so the refusal says what it was (AWS, GCP, Azure; AWS IPv6). */
const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254']);

/**
 * Why an address may not be dialled, or null if it is ordinary public unicast (docs/duo-client.md). An allow-list:
 * ipaddr.js names every special range (private, loopback, linkLocal, carrierGradeNat, multicast, unspecified,
 * ipv4Mapped, 6to4, teredo, rfc6052 …) and only `unicast` passes, so a translated or embedded private IPv4
 * cannot slip through an IPv6 form.
 */
export function forbiddenAddressReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const parsed = ipaddr.parse(address);
  const normal = parsed.toNormalizedString();
  if (
    METADATA.has(address) ||
    METADATA.has(normal) ||
    (parsed.kind() === 'ipv6' && normal === 'fd00:ec2:0:0:0:0:0:254')
  )
    return 'a cloud metadata address';
  const range = parsed.range();
  if (range === 'unicast') return null;
  return `in the ${range} range`;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Vets every answer: one forbidden address refuses the whole lookup, because a mixed answer is the signature
 * of DNS rebinding and happy-eyeballs could pick either.
 */
export function vetAddresses(hostname: string, answers: readonly ResolvedAddress[]): ResolvedAddress[] {
  if (answers.length === 0) throw new Error(`DNS returned no address for ${hostname}`);
  for (const a of answers) {
    const why = forbiddenAddressReason(a.address);
    if (why !== null) throw new ForbiddenAddressError(hostname, a.address, why);
  }
  return [...answers];
}

export class ForbiddenAddressError extends Error {
  readonly code = 'duo_forbidden_address';
  constructor(hostname: string, address: string, why: string) {
    super(`refusing to connect to ${hostname}: ${address} is ${why}`);
    this.name = 'ForbiddenAddressError';
  }
}
