import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectedEvent } from '../../app/index.js';
import { batchOf } from './events.test-helpers.js';
import { createReliableSink, type ReliableSinkOptions } from './reliable-sink.js';
import type { LogSink } from './types.js';
import { SinkError } from './types.js';

const signal = new AbortController().signal;

/** A receiver at the leaf: records what it accepted; `down` makes it refuse like a closed port. */
function receiver(): LogSink & { got: string[]; down: boolean; rejectIds: Set<string>; attempts: number } {
  const r = {
    name: 'recv',
    guarantee: 'at_least_once' as const,
    got: [] as string[],
    down: false,
    rejectIds: new Set<string>(),
    attempts: 0,
    send(batch: readonly CollectedEvent[]): Promise<void> {
      r.attempts += 1;
      if (r.down) return Promise.reject(new SinkError('sink.unavailable', 'recv', 'ECONNREFUSED'));
      if (batch.some((e) => r.rejectIds.has(e.id))) {
        return Promise.reject(new SinkError('sink.rejected', 'recv', '400 bad data'));
      }
      r.got.push(...batch.map((e) => e.id));
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return r;
}

const fastSleep = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

describe('reliable sink (retry + spill queue)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duowatch-spill-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  /** A sink spilling to this test's directory that retries at once (1 ms) unless told otherwise. */
  const sinkOver = (r: LogSink, over: Partial<ReliableSinkOptions> = {}) =>
    createReliableSink(r, {
      spillDir: dir,
      maxSpillBytes: 1e6,
      baseDelayMs: 1,
      maxDelayMs: 1,
      sleep: fastSleep,
      ...over,
    });
  /** What a process leaves behind when it stops while its receiver is down: a queue of these batches. */
  async function leftover(batches: ReadonlyArray<readonly [number, number]>): Promise<void> {
    const r1 = receiver();
    r1.down = true;
    const a = createReliableSink(r1, {
      spillDir: dir,
      maxSpillBytes: 1e6,
      baseDelayMs: 1000,
      maxDelayMs: 1000,
    });
    for (const [from, n] of batches) await a.send(batchOf(from, n), signal);
    await a.close();
  }

  it('acknowledges batches once spilled while the receiver is down, then delivers them in order', async () => {
    const r = receiver();
    r.down = true;
    const sink = sinkOver(r, { maxDelayMs: 5 });
    for (let i = 0; i < 3; i++) await sink.send(batchOf(i * 10, 10), signal);
    expect(sink.state()).toBe('retrying');
    expect(sink.stats?.()).toMatchObject({ queueBatches: 3, queueEvents: 30, dropped: 0 });
    expect((await readdir(dir)).filter((n) => n.endsWith('.ndjson'))).toHaveLength(3);
    r.down = false;
    await sink.send(batchOf(30, 10), signal); // queued behind the others, order kept
    await sink.drained();
    expect(r.got).toEqual(batchOf(0, 40).map((e) => e.id));
    expect(sink.stats?.()).toMatchObject({ queueBatches: 0, delivered: 40, spilled: 40, dropped: 0 });
    // Only the queue's lock is left while the sink is open; close releases it.
    expect(await readdir(dir)).toEqual(['queue.lock']);
    await sink.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails send when the queue is full, so the route pauses, and loses nothing', async () => {
    const r = receiver();
    r.down = true;
    const sink = sinkOver(r, { maxSpillBytes: 12_000, maxDelayMs: 2 });
    const accepted: number[] = [];
    let refused = -1;
    for (let i = 0; i < 20; i++) {
      try {
        await sink.send(batchOf(i * 5, 5), signal);
        accepted.push(i);
      } catch (error) {
        expect(error).toMatchObject({ code: 'sink.unavailable' });
        expect((error as Error).message).toMatch(/spill queue full/);
        refused = i;
        break;
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(sink.state()).toBe('full');
    expect(sink.stats?.()).toMatchObject({ queueFull: 1, dropped: 0 });
    r.down = false;
    await sink.drained();
    await sink.send(batchOf(refused * 5, 5), signal); // the collector sends the refused batch again
    await sink.drained();
    expect(r.got).toEqual(batchOf(0, (refused + 1) * 5).map((e) => e.id));
    await sink.close();
  });

  it.each([
    {
      name: 'keeps the queue across a restart and delivers it before new batches',
      left: [
        [0, 5],
        [5, 5],
      ] as const,
      newBatch: [10, 5] as const,
      delivered: 15,
    },
    {
      name: 'starts draining a leftover queue without waiting for a new batch',
      left: [[0, 5]] as const,
      newBatch: null,
      delivered: 5,
    },
  ])('$name', async ({ left, newBatch, delivered }) => {
    await leftover(left);
    const r2 = receiver();
    const b = sinkOver(r2);
    // The leftover queue first, in order, then the new batch.
    const expected = batchOf(0, delivered).map((e) => e.id);
    if (newBatch !== null) {
      await b.send(batchOf(newBatch[0], newBatch[1]), signal);
      await b.drained();
    } else {
      const end = Date.now() + 10_000;
      while (r2.got.length < expected.length && Date.now() < end)
        await new Promise((res) => setTimeout(res, 5));
    }
    expect(r2.got).toEqual(expected);
    await b.close();
  });

  it('a batch refused as data fails the send directly, and from the queue moves to rejected/ (counted)', async () => {
    const r = receiver();
    r.rejectIds.add(batchOf(3, 1)[0]!.id);
    const sink = sinkOver(r);
    await expect(sink.send(batchOf(0, 5), signal)).rejects.toMatchObject({ code: 'sink.rejected' });
    r.down = true;
    await sink.send(batchOf(0, 5), signal); // spilled
    await sink.send(batchOf(5, 5), signal);
    r.down = false;
    await sink.drained();
    expect(r.got).toEqual(batchOf(5, 5).map((e) => e.id));
    expect(sink.stats?.()).toMatchObject({ rejected: 5, queueBatches: 0 });
    expect(await readdir(join(dir, 'rejected'))).toHaveLength(1);
    await sink.close();
  });

  it('without a spill directory a failed send fails the batch', async () => {
    const r = receiver();
    r.down = true;
    const sink = createReliableSink(r, { spillDir: null, maxSpillBytes: 0, baseDelayMs: 1, maxDelayMs: 1 });
    await expect(sink.send(batchOf(0, 1), signal)).rejects.toMatchObject({ code: 'sink.unavailable' });
    await sink.close();
  });
});
