/**
 * Delivered events per stream over the last few minutes, for `events/s` in the status, the REST answer and
 * /metrics. In memory, per process: with several processes on PostgreSQL each reports what it delivered.
 */
export interface StreamMeter {
  record(key: string, events: number, at: number): void;
  /** Events per second over the window ending at `now` (0 when nothing was recorded). */
  rate(key: string, now: number): number;
}

export function createStreamMeter(windowMs = 10 * 60_000): StreamMeter {
  const samples = new Map<string, { at: number; events: number }[]>();
  const prune = (list: { at: number; events: number }[], now: number): void => {
    while (list.length > 0 && list[0]!.at < now - windowMs) list.shift();
  };
  return {
    record(key, events, at) {
      const list = samples.get(key) ?? [];
      list.push({ at, events });
      prune(list, at);
      // Bounded: one sample per page, and a window holds at most a few thousand pages.
      if (list.length > 10_000) list.splice(0, list.length - 10_000);
      samples.set(key, list);
    },
    rate(key, now) {
      const list = samples.get(key);
      if (list === undefined) return 0;
      prune(list, now);
      const total = list.reduce((n, s) => n + s.events, 0);
      return total / (windowMs / 1000);
    },
  };
}
