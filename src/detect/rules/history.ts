/** Questions rules ask of a user's baseline (the history before the event tested). */
import { countOf, dayOf, type SeenKeys } from '../baseline.js';
import type { DetectEvent } from '../detect-event.js';
import { otherUsers } from '../org-places.js';
import { DAY, HOUR, type RuleContext } from '../rule.js';

/** The parameters every history rule takes (overridable per rule in the configuration). */
export const LOCATION_PARAMS = { baselineDays: 14, minHistoryDays: 3, excludeHours: 1 };

/** Whether the user has at least `minHistoryDays` of history before this event. */
export function hasHistory(e: DetectEvent, ctx: RuleContext): boolean {
  const b = ctx.baseline;
  return b !== null && e.ts - b.firstTs >= (ctx.settings.params['minHistoryDays'] ?? 3) * DAY;
}

/** With enough history: whether `key` was not seen in the baseline period before `ts`. */
export function isNew(seen: SeenKeys, key: string, e: DetectEvent, ctx: RuleContext): boolean {
  if (!hasHistory(e, ctx)) return false;
  const { params } = ctx.settings;
  const excludeMs = (params['excludeHours'] ?? 1) * HOUR;
  const i = seen.indexOf(key);
  if (i < 0) return true;
  // Known only if first seen before the window tested and still seen within the baseline period.
  return !(
    seen.firstAt(i) <= e.ts - excludeMs && seen.lastAt(i) >= e.ts - (params['baselineDays'] ?? 14) * DAY
  );
}

/** Successes by bypass in the baseline period (days before this event's, plus earlier the same day). */
export function bypassDaysSeen(e: DetectEvent, ctx: RuleContext): number {
  const b = ctx.baseline;
  if (b === null) return 0;
  const from = Math.floor((e.ts - (ctx.settings.params['baselineDays'] ?? 14) * DAY) / DAY);
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
  const { params } = ctx.settings;
  if (places === undefined || (params['orgUsers'] ?? 0) <= 0) return 0;
  const list = places[kind].get(key);
  const knownBefore = e.ts - (params['excludeHours'] ?? 1) * HOUR;
  const since = e.ts - (params['baselineDays'] ?? 14) * DAY;
  return otherUsers(list, e.userKey ?? e.user ?? '', knownBefore, since);
}

/** Whether at least the rule's `orgUsers` other users of the organization are known at `key`. */
export const orgKnown = (kind: 'ips' | 'countries', key: string, e: DetectEvent, ctx: RuleContext): boolean =>
  (ctx.settings.params['orgUsers'] ?? 0) > 0 &&
  orgUsersAt(kind, key, e, ctx) >= (ctx.settings.params['orgUsers'] ?? 0);
