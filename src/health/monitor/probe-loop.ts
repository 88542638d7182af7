import { createHash } from 'node:crypto';
import type { ProbeSubject } from '../probe/probe-targets.js';

/** Timers on the loop's clock: real ones by default; a test drives a fake clock and these together. */
export interface LoopTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface ProbeLoopOptions {
  /** The integrations to probe; asked again every `refreshMs` (integrations come and go). */
  subjects: () => Promise<readonly ProbeSubject[]>;
  probe: (subject: ProbeSubject) => Promise<unknown>;
  intervalMs: number;
  concurrency: number;
  refreshMs?: number;
  now?: () => number;
  timers?: LoopTimers;
  /**
   * Asked at each slot before probing: may this process probe the integration now? (The cross-process lease:
   * with several `serve` processes on one database, only the holder probes.) Default: always.
   */
  claim?: (subject: ProbeSubject) => Promise<boolean>;
  onError?: (error: unknown, subject: ProbeSubject | null) => void;
}

export interface ProbeLoopStats {
  /** Probes started. */
  started: number;
  /** Slots another process held the lease for. */
  notClaimed: number;
  /** Slots skipped because the previous probe of that integration was still running. */
  overlapped: number;
  /** Slots that could not start within one interval (every concurrency slot busy): skipped, not piled up. */
  missed: number;
}

export interface ProbeLoop {
  /** Start minus scheduled time of recent probes, ms (the last 10 000): timer lateness plus queue wait. */
  jitterSamples(): readonly number[];
  /** When the loop noticed each slot minus the slot, ms (the last 10 000): the timer's own lateness. */
  latenessSamples(): readonly number[];
  probesStarted(): number;
  stats(): ProbeLoopStats;
  /** Stops scheduling and waits for the probes in flight. */
  stop(): Promise<void>;
}

/** A stable offset inside the interval per integration, so 1 000 probes spread over the minute, not a burst. */
export function offsetOf(integrationId: string, intervalMs: number): number {
  return createHash('sha1').update(integrationId).digest().readUInt32BE(0) % intervalMs;
}

/** The first slot of `id` strictly after `after`: offset + k × interval. */
export function nextSlot(id: string, after: number, intervalMs: number): number {
  const offset = offsetOf(id, intervalMs);
  return (Math.floor((after - offset) / intervalMs) + 1) * intervalMs + offset;
}

interface Entry {
  id: string;
  subject: ProbeSubject;
  /** The next slot (epoch ms on the loop's clock). */
  next: number;
  busy: boolean;
  queued: boolean;
  /** Position in the heap, -1 when removed. */
  at: number;
}

/** A binary min-heap of entries by `next`: the loop wakes once per due slot, never scans every integration. */
class SlotHeap {
  readonly items: Entry[] = [];
  push(e: Entry): void {
    e.at = this.items.length;
    this.items.push(e);
    this.#up(e.at);
  }
  peek(): Entry | undefined {
    return this.items[0];
  }
  /** After the top's `next` grew: sink it to its place. */
  fixTop(): void {
    this.#down(0);
  }
  remove(e: Entry): void {
    const i = e.at;
    const last = this.items.pop();
    e.at = -1;
    if (last === undefined || last === e) return;
    this.items[i] = last;
    last.at = i;
    this.#up(i);
    this.#down(last.at);
  }
  #swap(i: number, j: number): void {
    const a = this.items[i] as Entry;
    const b = this.items[j] as Entry;
    this.items[i] = b;
    this.items[j] = a;
    a.at = j;
    b.at = i;
  }
  #up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((this.items[p] as Entry).next <= (this.items[i] as Entry).next) return;
      this.#swap(i, p);
      i = p;
    }
  }
  #down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.items.length && (this.items[l] as Entry).next < (this.items[m] as Entry).next) m = l;
      if (r < this.items.length && (this.items[r] as Entry).next < (this.items[m] as Entry).next) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }
}

const REAL_TIMERS: LoopTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * The probe schedule: every integration once per interval at its own offset (spread over the interval, not a
 * burst), at most `concurrency` in flight, a probe never overlapping the previous one of the same integration.
 * Deadline-based: the loop sleeps until the earliest slot on its clock and computes each next slot from the
 * slot, not from when it woke, so a late wake-up never drifts the schedule. Overload never piles up: a slot that
 * cannot start within one interval is skipped and counted (`missed`), as is a slot whose previous probe still
 * runs (`overlapped`). An in-process timer rather than a scheduler job: 1 000 jobs a minute would be 1 000 run
 * records a minute, and cron fires everything in the same second (docs/health.md, "Why a timer loop").
 */
export function startProbeLoop(o: ProbeLoopOptions): ProbeLoop {
  const now = o.now ?? (() => Date.now());
  const timers = o.timers ?? REAL_TIMERS;
  const refreshMs = o.refreshMs ?? 30_000;
  const entries = new Map<string, Entry>();
  const heap = new SlotHeap();
  const ready: Array<{ entry: Entry; scheduled: number }> = [];
  let readyHead = 0;
  const jitter: number[] = [];
  const lateness: number[] = [];
  const running = new Set<Promise<void>>();
  const stats: ProbeLoopStats = { started: 0, notClaimed: 0, overlapped: 0, missed: 0 };
  let stopped = false;
  let timer: unknown = null;
  let lastRefresh = -Infinity;
  let refreshing: Promise<void> | null = null;

  const refresh = async (): Promise<void> => {
    const list = await o.subjects();
    const t = now();
    const seen = new Set<string>();
    for (const s of list) {
      seen.add(s.integrationId);
      const e = entries.get(s.integrationId);
      if (e !== undefined) {
        e.subject = s;
        continue;
      }
      const fresh: Entry = {
        id: s.integrationId,
        subject: s,
        next: nextSlot(s.integrationId, t, o.intervalMs),
        busy: false,
        queued: false,
        at: -1,
      };
      entries.set(fresh.id, fresh);
      heap.push(fresh);
    }
    for (const [id, e] of entries)
      if (!seen.has(id)) {
        entries.delete(id);
        heap.remove(e);
      }
    lastRefresh = t;
  };

  const run = (entry: Entry, scheduled: number): void => {
    entry.busy = true;
    const p: Promise<void> = (async () => {
      if (o.claim !== undefined && !(await o.claim(entry.subject))) {
        stats.notClaimed += 1;
        return;
      }
      const start = now();
      jitter.push(start - scheduled);
      if (jitter.length > 20_000) jitter.splice(0, jitter.length - 10_000);
      stats.started += 1;
      await o.probe(entry.subject);
    })()
      .catch((error: unknown) => o.onError?.(error, entry.subject))
      .finally(() => {
        entry.busy = false;
        running.delete(p);
        pump();
      });
    running.add(p);
  };

  const pump = (): void => {
    while (!stopped && running.size < o.concurrency && readyHead < ready.length) {
      const item = ready[readyHead++];
      if (item === undefined) break;
      item.entry.queued = false;
      if (entries.get(item.entry.id) !== item.entry) continue;
      if (now() - item.scheduled >= o.intervalMs) {
        stats.missed += 1;
        continue;
      }
      run(item.entry, item.scheduled);
    }
    // Compact the consumed head now and then instead of shifting on every item.
    if (readyHead > 1024 && readyHead * 2 > ready.length) {
      ready.splice(0, readyHead);
      readyHead = 0;
    }
  };

  const tick = (): void => {
    // Called by the timer and when a refresh ends: either way one timer is pending afterwards, never two.
    if (timer !== null) timers.clear(timer);
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
    for (let top = heap.peek(); top !== undefined && top.next <= t; top = heap.peek()) {
      const scheduled = top.next;
      lateness.push(t - scheduled);
      if (lateness.length > 20_000) lateness.splice(0, lateness.length - 10_000);
      if (top.busy || top.queued) stats.overlapped += 1;
      else {
        top.queued = true;
        ready.push({ entry: top, scheduled });
      }
      // From the slot, not from now: a late wake-up does not shift the schedule; slots long past are skipped.
      top.next = scheduled + o.intervalMs <= t ? nextSlot(top.id, t, o.intervalMs) : scheduled + o.intervalMs;
      heap.fixTop();
    }
    pump();
    // While a refresh runs, its end ticks again; otherwise the next refresh is a deadline too.
    const earliest = Math.min(
      heap.peek()?.next ?? Infinity,
      refreshing === null ? lastRefresh + refreshMs : Infinity,
    );
    if (Number.isFinite(earliest)) timer = timers.set(tick, Math.max(0, earliest - now()));
  };

  tick();
  return {
    jitterSamples: () => jitter,
    latenessSamples: () => lateness,
    probesStarted: () => stats.started,
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true;
      if (timer !== null) timers.clear(timer);
      timer = null;
      await refreshing;
      await Promise.all([...running]);
    },
  };
}
