import { Cron } from 'croner';
import { SchedulerError } from './errors.js';

// Cron slot arithmetic, always in UTC (the specification's "Sync schedule": `0 */4 * * *` runs at 00:00, 04:00, …
// UTC; `30 * * * *` hourly at :30). croner only computes slots; timers are ours, so tests drive them with a
// fake clock and never sleep to a cron boundary.
export interface CronSlots {
  /** The first slot strictly after `afterMs`. */
  next(afterMs: number): number | null;
}

export function cronSlots(pattern: string): CronSlots {
  let cron: Cron;
  try {
    // `paused` so croner never arms its own timer: this instance is a calculator only.
    cron = new Cron(pattern, { timezone: 'UTC', paused: true });
  } catch (cause) {
    throw new SchedulerError('scheduler_invalid_job', `invalid cron pattern "${pattern}"`, { cause });
  }
  return {
    next(afterMs: number): number | null {
      return cron.nextRun(new Date(afterMs))?.getTime() ?? null;
    },
  };
}

/** A delay in [0, jitterMs] (whole milliseconds), from an injected random source in [0, 1). */
export function jitterDelay(jitterMs: number | undefined, random: () => number): number {
  if (jitterMs === undefined || jitterMs <= 0) return 0;
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * (jitterMs + 1));
}
