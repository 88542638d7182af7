import { setImmediate as flush } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ProbeSubject } from '../probe/probe-targets.js';
import { nextSlot, offsetOf, startProbeLoop, type LoopTimers } from './probe-loop.js';

/** A fake clock and the timers on it: `runUntil` fires due timers in deadline order, letting promises settle. */
function fakeClock(start: number) {
  let t = start;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: LoopTimers = {
    set(fn, ms) {
      const id = ++seq;
      pending.set(id, { at: t + Math.max(0, ms), fn });
      return id;
    },
    clear: (h) => void pending.delete(h as number),
  };
  const sleep = (ms: number): Promise<void> => new Promise((r) => timers.set(r, ms));
  async function runUntil(until: number, wakeLateMs = 0): Promise<void> {
    for (let guard = 0; guard < 1_000_000; guard++) {
      await flush();
      let first: [number, { at: number; fn: () => void }] | undefined;
      for (const e of pending) if (first === undefined || e[1].at < first[1].at) first = e;
      if (first === undefined || first[1].at > until) {
        t = until;
        await flush();
        return;
      }
      pending.delete(first[0]);
      t = Math.max(t, first[1].at + wakeLateMs);
      first[1].fn();
    }
    throw new Error('runaway timers');
  }
  return { now: () => t, timers, sleep, runUntil };
}

const subjects = (n: number): ProbeSubject[] =>
  Array.from({ length: n }, (_, i) => ({
    orgId: 'o',
    orgSlug: 'acme',
    integrationId: `int-${String(i)}`,
    kind: 'auth' as const,
    apiHost: 'api-x.duosecurity.com',
    mkey: null,
    label: `auth ${String(i)}`,
  }));

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);

describe('probe loop on an injected clock', () => {
  it('probes each of 1 000 integrations once a minute at its own offset, spread over the minute, on time', async () => {
    const clock = fakeClock(T0);
    const list = subjects(1000);
    const starts = new Map<string, number[]>();
    const loop = startProbeLoop({
      subjects: () => Promise.resolve(list),
      intervalMs: MIN,
      concurrency: 16,
      now: clock.now,
      timers: clock.timers,
      probe: async (s) => {
        starts.set(s.integrationId, [...(starts.get(s.integrationId) ?? []), clock.now()]);
        await clock.sleep(400);
      },
    });
    await clock.runUntil(T0 + 2 * MIN);
    // Stopping waits for the probes in flight, whose sleeps run on the fake clock.
    const stopped = loop.stop();
    await clock.runUntil(T0 + 2 * MIN + 1000);
    await stopped;
    expect(starts.size).toBe(1000);
    for (const [id, at] of starts) {
      // Two minutes: two probes, each exactly at offset + k × interval.
      expect(at).toHaveLength(2);
      for (const a of at) expect(a % MIN).toBe(offsetOf(id, MIN) % MIN);
      expect((at[1] ?? 0) - (at[0] ?? 0)).toBe(MIN);
    }
    // Spread, not a burst: no second of the minute holds more than a few dozen of the 1 000 slots.
    const perSecond = new Map<number, number>();
    for (const at of starts.values()) {
      const s = Math.floor(((at[0] ?? 0) % MIN) / 1000);
      perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    }
    expect(perSecond.size).toBeGreaterThan(55);
    expect(Math.max(...perSecond.values())).toBeLessThan(40);
    expect(Math.max(...loop.jitterSamples())).toBe(0);
    expect(loop.stats()).toMatchObject({ started: 2000, missed: 0, overlapped: 0, notClaimed: 0 });
  });

  it('never runs more than `concurrency` at once; under overload slots are skipped and counted, not piled up', async () => {
    const clock = fakeClock(T0);
    let inFlight = 0;
    let peak = 0;
    const loop = startProbeLoop({
      subjects: () => Promise.resolve(subjects(100)),
      intervalMs: MIN,
      concurrency: 2,
      now: clock.now,
      timers: clock.timers,
      probe: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await clock.sleep(10_000);
        inFlight -= 1;
      },
    });
    await clock.runUntil(T0 + 3 * MIN);
    const stopped = loop.stop();
    await clock.runUntil(T0 + 3 * MIN + 10_000);
    await stopped;
    const stats = loop.stats();
    expect(peak).toBe(2);
    // Two lanes of 10 s probes: at most 12 a minute can start.
    expect(stats.started).toBeLessThanOrEqual(3 * 12 + 2);
    // 300 slots in three minutes: started, skipped (missed, or its previous slot still queued), or still waiting
    // at the end — at most one waiting slot per integration, never a backlog of old ones.
    expect(stats.missed).toBeGreaterThan(0);
    expect(stats.started + stats.missed + stats.overlapped).toBeGreaterThan(300 - 100);
    // Every started probe began within one interval of its slot: nothing waited for minutes in a queue.
    expect(Math.max(...loop.jitterSamples())).toBeLessThan(MIN);
  });

  it('skips integrations another process holds (claim false) and probes the rest', async () => {
    const clock = fakeClock(T0);
    const probed = new Set<string>();
    const loop = startProbeLoop({
      subjects: () => Promise.resolve(subjects(50)),
      intervalMs: MIN,
      concurrency: 8,
      now: clock.now,
      timers: clock.timers,
      claim: (s) => Promise.resolve(Number(s.integrationId.slice(4)) % 2 === 0),
      probe: (s) => Promise.resolve(void probed.add(s.integrationId)),
    });
    await clock.runUntil(T0 + MIN);
    await loop.stop();
    expect(probed.size).toBe(25);
    expect([...probed].every((id) => Number(id.slice(4)) % 2 === 0)).toBe(true);
    expect(loop.stats()).toMatchObject({ started: 25, notClaimed: 25 });
  });

  it('a late wake-up does not shift the schedule: the next slots stay at offset + k × interval', async () => {
    const clock = fakeClock(T0);
    const starts: number[] = [];
    const [one] = subjects(1);
    if (one === undefined) throw new Error('no subject');
    const loop = startProbeLoop({
      subjects: () => Promise.resolve([one]),
      intervalMs: MIN,
      concurrency: 1,
      refreshMs: 10 * MIN,
      now: clock.now,
      timers: clock.timers,
      probe: () => Promise.resolve(void starts.push(clock.now())),
    });
    // Every timer fires 3 s late (a blocked event loop).
    await clock.runUntil(T0 + 3 * MIN, 3000);
    await loop.stop();
    const slot = nextSlot(one.integrationId, T0, MIN);
    expect(starts).toEqual(
      [slot + 3000, slot + MIN + 3000, slot + 2 * MIN + 3000].filter((s) => s <= T0 + 3 * MIN),
    );
    expect(loop.latenessSamples().every((l) => l === 3000)).toBe(true);
  });
});
