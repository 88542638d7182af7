import type { Clock, Timers } from './types.js';
import type { CronSlots } from './cron-slots.js';

// A timer is never armed for longer than this: after a suspend or a wall-clock jump the next slot is
// recomputed from the clock within a minute instead of firing hours off.
const MAX_ARM_MS = 60_000;

export interface SlotDriver {
  stop(): void;
}

/**
 * Calls `onSlot(slotMs)` once per cron slot, at the slot time, for slots after the driver starts. A slot
 * that passed while the process was not running is not replayed (neither does pg-boss's own cron).
 */
export function startSlotDriver(
  slots: CronSlots,
  clock: Clock,
  timers: Timers,
  onSlot: (slotMs: number) => void,
): SlotDriver {
  let stopped = false;
  let handle: unknown;
  let next = slots.next(clock.now());

  const arm = (): void => {
    if (stopped || next === null) return;
    const wait = Math.max(0, Math.min(next - clock.now(), MAX_ARM_MS));
    handle = timers.setTimeout(tick, wait);
  };

  const tick = (): void => {
    handle = undefined;
    if (stopped || next === null) return;
    const now = clock.now();
    if (now < next) {
      arm();
      return;
    }
    const due = next;
    // Skip slots missed while the loop was blocked or the clock jumped forward: fire only the latest due.
    let following = slots.next(due);
    let latest = due;
    while (following !== null && following <= now) {
      latest = following;
      following = slots.next(following);
    }
    next = following;
    onSlot(latest);
    arm();
  };

  arm();
  return {
    stop(): void {
      stopped = true;
      if (handle !== undefined) timers.clearTimeout(handle);
      handle = undefined;
    },
  };
}
