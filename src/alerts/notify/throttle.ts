/**
 * A token bucket per channel: at most `perHour` notifications an hour with bursts of `burst`. What it drops
 * is counted, and the next message that goes through says how many were held back, so a storm of alerts never
 * floods a channel and nobody believes it was quiet.
 */
export interface Throttle {
  /** True when a notification may go now. */
  take(now: number): boolean;
  /** How many were refused since the last one that went through (and resets it). */
  takeDropped(): number;
}

export function tokenBucket(perHour: number, burst: number): Throttle {
  let tokens = burst;
  let last: number | null = null;
  let dropped = 0;
  const ratePerMs = perHour / 3_600_000;
  return {
    take(now) {
      if (last !== null) tokens = Math.min(burst, tokens + (now - last) * ratePerMs);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      dropped++;
      return false;
    },
    takeDropped() {
      const n = dropped;
      dropped = 0;
      return n;
    },
  };
}
