/**
 * Low-severity rules that fire on many users of a healthy tenant (a first-seen address, a phishable factor) are
 * worth reading as one list a day, not one alert per user: with the rule's `digest` parameter at 1 they fire for
 * the organization, so the alert folds every user's detection of the suppression window (24 h) into one alert,
 * with its count, the users (`users`, `entities`) and the events (docs/detect.md "Digests").
 */
import { createRequire } from 'node:module';
import type * as IpAddr from 'ipaddr.js';
import type { DetectEvent } from '../detect-event.js';
import type { EntityState, Firing, RuleContext } from '../rule.js';
import { internalIPv4, parseIPv4 } from '../ipv4.js';

// ipaddr.js is CommonJS without a default export under our module settings (as in settings.ts).
const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof IpAddr;

/** Users named in a digest's fields (the count goes on). */
export const DIGEST_ENTITIES = 50;

/** The users of one digest, since its first detection (the alert folds the same way: `d.ts − first < window`). */
interface DigestState {
  start: number;
  users: Set<string>;
  /**
   * The first users, as the fields show them: a new list only when a user joins it, so the detections of a busy
   * day share one list instead of building fifty names each.
   */
  entities: readonly string[];
}

// Keyed by the organization's state object, which belongs to one engine: no state shared between engines.
const digests = new WeakMap<EntityState, Map<string, DigestState>>();

/** The rule's verdict as a digest for the organization when its `digest` parameter is on, else unchanged. */
export function asDigest(ruleId: string, e: DetectEvent, ctx: RuleContext, f: Firing): Firing {
  if (ctx.settings.history.digest <= 0) return f;
  let byRule = digests.get(ctx.org);
  if (byRule === undefined) digests.set(ctx.org, (byRule = new Map<string, DigestState>()));
  let d = byRule.get(ruleId);
  if (d === undefined || e.ts - d.start >= ctx.settings.suppressionMs) {
    d = { start: e.ts, users: new Set(), entities: [] };
    byRule.set(ruleId, d);
  }
  if (!d.users.has(f.entity) && d.users.size < 100_000) {
    d.users.add(f.entity);
    if (d.entities.length < DIGEST_ENTITIES) d.entities = [...d.entities, f.entity];
  }
  // The rule's facts are not copied: the engine adds the digest's after them (copying them per detection was a
  // tenth of the engine's time on a tenant where digest rules fire on many logins).
  return {
    entity: e.orgSlug,
    eventIds: f.eventIds,
    facts: f.facts,
    digest: { users: d.users.size, entities: d.entities, since: d.start },
  };
}

/**
 * A private, loopback, link-local or unique-local address: an on-premises application's view of a workstation
 * inside the company network, which says nothing about where the user is (Duo gives it no location).
 */
export function internalAddress(ip: string): boolean {
  const v4 = parseIPv4(ip);
  if (v4 >= 0) return internalIPv4(v4);
  try {
    let addr = ipaddr.parse(ip);
    if (addr.kind() === 'ipv6' && (addr as IpAddr.IPv6).isIPv4MappedAddress())
      addr = (addr as IpAddr.IPv6).toIPv4Address();
    const range = addr.range();
    return range === 'private' || range === 'loopback' || range === 'linkLocal' || range === 'uniqueLocal';
  } catch {
    return false;
  }
}
