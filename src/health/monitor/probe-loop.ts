import { createHash } from 'node:crypto';
import type { ProbeSubject } from '../probe/probe-targets.js';

export interface ProbeLoopOptions {
  /** The integrations to probe; asked again every `refreshMs` (integrations come and go). */
  subjects: () => Promise<readonly ProbeSubject[]>;
  probe: (subject: ProbeSubject) => Promise<unknown>;
  intervalMs: number;
  concurrency: number;
  refreshMs?: number;
  now?: () => number;
  onError?: (error: unknown, subject: ProbeSubject | null) => void;
}

export interface ProbeLoop {
  /** Start minus scheduled time of recent probes, ms (the last 10 000). */
  jitterSamples(): readonly number[];
  probesStarted(): number;
  /** Stops scheduling and waits for the probes in flight. */
  stop(): Promise<void>;
}

/** A stable offset inside the interval per integration, so 1 000 probes spread over the minute, not a burst. */
export function offsetOf(integrationId: string, intervalMs: number): number {
  return createHash('sha1').update(integrationId).digest().readUInt32BE(0) % intervalMs;
}

/**
 * The probe schedule: every integration once per interval at its own offset, at most `concurrency` in flight,
 * a probe never overlapping the previous one of the same integration (a slow tenant skips, it does not pile up).
 * An in-process timer rather than a scheduler job: 1 000 jobs a minute would be 1 000 run records a minute,
 * and cron fires everything in the same second (docs/health.md, "Why a timer loop").
 */
export function startProbeLoop(o: ProbeLoopOptions): ProbeLoop {
  const now = o.now ?? (() => Date.now());
  const refreshMs = o.refreshMs ?? 30_000;
  const entries = new Map<string, { subject: ProbeSubject; next: number; busy: boolean }>();
  const queue: Array<{ id: string; scheduled: number }> = [];
  const jitter: number[] = [];
  const running = new Set<Promise<void>>();
  let started = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let lastRefresh = -Infinity;
  let refreshing: Promise<void> | null = null;

  const nextSlot = (id: string, after: number): number => {
    const offset = offsetOf(id, o.intervalMs);
    const k = Math.floor((after - offset) / o.intervalMs) + 1;
    return k * o.intervalMs + offset;
  };

  const refresh = async (): Promise<void> => {
    const list = await o.subjects();
    const t = now();
    const seen = new Set<string>();
    for (const s of list) {
      seen.add(s.integrationId);
      const e = entries.get(s.integrationId);
      if (e === undefined)
        entries.set(s.integrationId, { subject: s, next: nextSlot(s.integrationId, t), busy: false });
      else e.subject = s;
    }
    for (const id of [...entries.keys()]) if (!seen.has(id)) entries.delete(id);
    lastRefresh = t;
  };

  const pump = (): void => {
    while (!stopped && running.size < o.concurrency && queue.length > 0) {
      const item = queue.shift();
      const e = item === undefined ? undefined : entries.get(item.id);
      if (item === undefined || e === undefined) continue;
      const start = now();
      jitter.push(start - item.scheduled);
      if (jitter.length > 10_000) jitter.splice(0, jitter.length - 10_000);
      started += 1;
      e.busy = true;
      const p: Promise<void> = o
        .probe(e.subject)
        .then(() => undefined)
        .catch((error: unknown) => o.onError?.(error, e.subject))
        .finally(() => {
          e.busy = false;
          running.delete(p);
          pump();
        });
      running.add(p);
    }
  };

  const tick = (): void => {
    timer = null;
    if (stopped) return;
    const t = now();
    if (t - lastRefresh >= refreshMs && refreshing === null) {
      refreshing = refresh()
        .catch((error: unknown) => o.onError?.(error, null))
        .finally(() => {
          refreshing = null;
          tick();
        });
    }
    let earliest = t + 1000;
    for (const [id, e] of entries) {
      if (e.next <= t) {
        if (!e.busy) queue.push({ id, scheduled: e.next });
        e.next = nextSlot(id, t);
      }
      earliest = Math.min(earliest, e.next);
    }
    pump();
    timer = setTimeout(tick, Math.max(0, earliest - now()));
  };

  tick();
  return {
    jitterSamples: () => jitter,
    probesStarted: () => started,
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await refreshing;
      await Promise.all([...running]);
    },
  };
}
