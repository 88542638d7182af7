/** Questions rules ask of a user's baseline (the history before the event tested). */
import type { SeenKeys } from '../baseline.js';
import type { DetectEvent } from '../detect-event.js';
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
  const days = b.bypassDays ?? [];
  for (let i = 0; i + 1 < days.length; i += 2)
    if ((days[i] as number) >= from && (days[i + 1] as number) > 0) n++;
  return n;
}
