/** Questions rules ask of a user's baseline (the history before the event tested). */
import { countOf, dayOf, type SeenKeys } from '../baseline.js';
import type { DetectEvent } from '../detect-event.js';
import { otherUsers } from '../org-places.js';
import { DAY, type RuleContext } from '../rule.js';

/** The parameters every history rule takes (overridable per rule in the configuration). */
export const LOCATION_PARAMS = { baselineDays: 14, minHistoryDays: 3, excludeHours: 1 };

/** Whether the user has at least `minHistoryDays` of history before this event. */
export function hasHistory(e: DetectEvent, ctx: RuleContext): boolean {
  const b = ctx.baseline;
  return b !== null && e.ts - b.firstTs >= ctx.settings.history.minHistoryMs;
}

/** With enough history: whether `key` was not seen in the baseline period before `ts`. */
export function isNew(seen: SeenKeys, key: string, e: DetectEvent, ctx: RuleContext): boolean {
  if (!hasHistory(e, ctx)) return false;
  const { excludeMs, baselineMs } = ctx.settings.history;
  const i = seen.indexOf(key);
  if (i < 0) return true;
  // Known only if first seen before the window tested and still seen within the baseline period.
  const t = seen.spans;
  return !((t[2 * i] as number) <= e.ts - excludeMs && (t[2 * i + 1] as number) >= e.ts - baselineMs);
}

/** Successes by bypass in the baseline period (days before this event's, plus earlier the same day). */
export function bypassDaysSeen(e: DetectEvent, ctx: RuleContext): number {
  const b = ctx.baseline;
  if (b === null) return 0;
  const from = Math.floor((e.ts - ctx.settings.history.baselineMs) / DAY);
  let n = 0;
  for (const x of b.bypassDays ?? []) if (dayOf(x) >= from && countOf(x) > 0) n++;
  return n;
}

/**
 * How many other users of the organization logged in at `key` (an address or a country) in the baseline period
 * before the window tested, with MFA and outside trusted networks (org-places.ts). 0 when the organization has
 * no such history, or when the rule's `orgUsers` parameter is 0 (the check is off).
 */
export function orgUsersAt(kind: 'ips' | 'countries', key: string, e: DetectEvent, ctx: RuleContext): number {
  const places = ctx.orgBaseline.places;
  const { orgUsers, excludeMs, baselineMs } = ctx.settings.history;
  if (places === undefined || orgUsers <= 0) return 0;
  const list = places[kind].get(key);
  const knownBefore = e.ts - excludeMs;
  const since = e.ts - baselineMs;
  return otherUsers(list, e.userKey ?? e.user ?? '', knownBefore, since);
}

/** Whether at least the rule's `orgUsers` other users of the organization are known at `key`. */
export const orgKnown = (kind: 'ips' | 'countries', key: string, e: DetectEvent, ctx: RuleContext): boolean =>
  ctx.settings.history.orgUsers > 0 && orgUsersAt(kind, key, e, ctx) >= ctx.settings.history.orgUsers;
