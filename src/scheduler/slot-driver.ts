import type { Clock, Timers } from './types.js';
import type { CronSlots } from './cron-slots.js';

// A timer is never armed for longer than this: after a suspend or a wall-clock jump the next slot is
// recomputed from the clock within a minute instead of firing hours off.
const MAX_ARM_MS = 60_000;

// How far back a late timer still fires missed slots, and at most how many.
const CATCH_UP_MS = 60_000;
const MAX_CATCH_UP_SLOTS = 60;

export interface SlotDriver {
  stop(): void;
}

/**
 * Calls `onSlot(slotMs)` once per cron slot, at the slot time, for slots after the driver starts. A slot
 * that passed while the process was not running is not replayed (pg-boss's own cron does not either).
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
    // A timer that fired late (busy event loop, suspend) may find several slots due. Slots within the
    // catch-up window all fire, oldest first (the pgboss engine dedups them by id, the local engine's overlap
    // guard keeps them from piling up); older ones are dropped rather than replayed in a burst.
    const due: number[] = [];
    let slot: number | null = next;
    while (slot !== null && slot <= now) {
      if (slot >= now - CATCH_UP_MS) due.push(slot);
      slot = slots.next(slot);
    }
    next = slot;
    for (const fire of due.slice(-MAX_CATCH_UP_SLOTS)) onSlot(fire);
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
