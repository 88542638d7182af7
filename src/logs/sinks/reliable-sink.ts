import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SinkEvent } from './types.js';
import type { LogSink, SinkStats } from './types.js';
import { SinkError } from './types.js';
import { acquirePathLock } from './path-lock.js';
import type { PathLock } from './path-lock.js';

export interface ReliableSinkOptions {
  /** Where batches wait while the receiver is down; null = no spill queue (a failed send fails the batch). */
  readonly spillDir: string | null;
  /** Bound of the spill queue; when a batch would not fit, `send` fails and the route stops advancing. */
  readonly maxSpillBytes: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly clock?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Told about every failed attempt (for logs); never given a secret (SinkError messages carry none). */
  readonly onError?: (error: SinkError, context: { queued: number; attempt: number }) => void;
  /** The pid written to the queue's lock file `<spillDir>/queue.lock` (default this process's; for tests). */
  readonly pid?: number;
}

export type ReliableState = 'ok' | 'retrying' | 'full';

interface Spilled {
  readonly file: string;
  readonly bytes: number;
  readonly events: number;
}

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

function asSinkError(name: string, error: unknown): SinkError {
  if (error instanceof SinkError) return error;
  return new SinkError('sink.unavailable', name, error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}

async function fsyncPath(path: string, flags: string): Promise<void> {
  const h = await open(path, flags);
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/**
 * Per-sink retry with back-off and a bounded, durable spill queue (docs/log-sinks.md, "When a SIEM is down").
 *
 * A batch the receiver does not take is written to the spill directory (one fsync'd file per batch) and counts
 * as acknowledged, so the collector's checkpoint moves on; a background loop delivers the spilled batches in
 * order, with exponential back-off and jitter, until the queue is empty. While anything is queued, new batches
 * queue behind it, so order is kept. When a batch does not fit, `send` fails: the collector's cursors for that
 * route stop advancing and nothing is dropped. The queue survives a restart (it is read back on the first send).
 *
 * A batch the receiver refuses as data (`sink.rejected`) is not retried as is: it fails the send, or — when it
 * comes out of the queue — moves to `<spill>/rejected/`, counted, so it is never retried forever nor lost.
 */
export function createReliableSink(
  inner: LogSink,
  o: ReliableSinkOptions,
): LogSink & {
  state(): ReliableState;
  drained(): Promise<void>;
} {
  const name = inner.name;
  const clock = o.clock ?? Date.now;
  const random = o.random ?? Math.random;
  const sleep = o.sleep ?? defaultSleep;
  const queue: Spilled[] = [];
  let queueBytes = 0;
  let loaded = false;
  // Held from load to close: a second process would replay and delete this one's queued batches.
  let lock: PathLock | null = null;
  let seq = 0;
  let draining: Promise<void> | null = null;
  let full = false;
  const stopper = new AbortController();
  const counters = {
    delivered: 0,
    spilled: 0,
    rejected: 0,
    failures: 0,
    consecutiveFailures: 0,
    lastAckAt: 0,
    dropped: 0, // by design: a batch is delivered, queued on disk, or refused to the caller
  };
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  };

  async function load(): Promise<void> {
    if (loaded || o.spillDir === null) return;
    await mkdir(o.spillDir, { recursive: true });
    lock ??= await acquirePathLock({
      sink: name,
      what: 'spill queue',
      target: o.spillDir,
      lockFile: join(o.spillDir, 'queue.lock'),
      ...(o.pid === undefined ? {} : { pid: o.pid }),
    });
    const names = (await readdir(o.spillDir)).filter((n) => /^\d{12}\.ndjson$/.test(n)).sort();
    for (const n of names) {
      const file = join(o.spillDir, n);
      const st = await stat(file);
      const text = await readFile(file, 'utf8');
      queue.push({ file, bytes: st.size, events: text === '' ? 0 : text.trimEnd().split('\n').length });
      queueBytes += st.size;
      seq = Math.max(seq, Number(n.slice(0, 12)));
    }
    // Half-written spills (a crash before the rename) were never acknowledged: the collector sends them again.
    for (const n of await readdir(o.spillDir)) if (n.endsWith('.tmp')) await unlink(join(o.spillDir, n));
    loaded = true;
    if (queue.length > 0) startDrain();
  }

  async function spill(batch: readonly SinkEvent[]): Promise<boolean> {
    if (o.spillDir === null) return false;
    const text = batch.map((e) => JSON.stringify(e)).join('\n') + '\n';
    const bytes = Buffer.byteLength(text);
    if (queueBytes + bytes > o.maxSpillBytes) {
      full = true;
      return false;
    }
    seq += 1;
    const file = join(o.spillDir, `${String(seq).padStart(12, '0')}.ndjson`);
    const tmp = `${file}.tmp`;
    const h = await open(tmp, 'w');
    try {
      await h.writeFile(text);
      await h.sync();
    } finally {
      await h.close();
    }
    await rename(tmp, file);
    await fsyncPath(o.spillDir, 'r');
    queue.push({ file, bytes, events: batch.length });
    queueBytes += bytes;
    counters.spilled += batch.length;
    full = false;
    return true;
  }

  function backoff(attempt: number): number {
    const exp = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.min(attempt, 20));
    // Full jitter in the upper half: spread retries without ever retrying at once.
    return Math.round(exp / 2 + (random() * exp) / 2);
  }

  async function moveRejected(item: Spilled): Promise<void> {
    const dir = join(o.spillDir ?? '', 'rejected');
    await mkdir(dir, { recursive: true });
    await rename(item.file, join(dir, `${clock()}-${item.file.split('/').pop() ?? 'batch.ndjson'}`));
  }

  function startDrain(): void {
    if (draining !== null) return;
    draining = (async () => {
      let attempt = 0;
      while (queue.length > 0 && !stopper.signal.aborted) {
        const head = queue[0]!;
        try {
          const text = await readFile(head.file, 'utf8');
          const batch = text
            .trimEnd()
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as SinkEvent);
          await serial(() => inner.send(batch, stopper.signal));
          await unlink(head.file);
          queue.shift();
          queueBytes -= head.bytes;
          counters.delivered += head.events;
          counters.lastAckAt = clock();
          counters.consecutiveFailures = 0;
          full = false;
          attempt = 0;
        } catch (error) {
          if (stopper.signal.aborted) break;
          const e = asSinkError(name, error);
          counters.failures += 1;
          counters.consecutiveFailures += 1;
          o.onError?.(e, { queued: queue.length, attempt });
          if (e.code === 'sink.rejected') {
            await moveRejected(head).catch(() => undefined);
            queue.shift();
            queueBytes -= head.bytes;
            counters.rejected += head.events;
            continue;
          }
          await sleep(backoff(attempt), stopper.signal);
          attempt += 1;
        }
      }
    })().finally(() => {
      draining = null;
      // A batch spilled while the last attempt was finishing starts a new round.
      if (queue.length > 0 && !stopper.signal.aborted) startDrain();
    });
  }

  // Read back what a previous run left queued, and start delivering it, without waiting for the first batch.
  let loadError: unknown = null;
  serial(load).catch((error: unknown) => {
    loadError = error;
  });

  return {
    name,
    guarantee: inner.guarantee,
    async send(batch, signal): Promise<void> {
      if (batch.length === 0) return;
      await serial(load);
      if (loadError !== null && !loaded) {
        const e = loadError;
        loadError = null;
        throw asSinkError(name, e);
      }
      if (queue.length === 0) {
        try {
          await serial(() => inner.send(batch, signal));
          counters.delivered += batch.length;
          counters.lastAckAt = clock();
          counters.consecutiveFailures = 0;
          return;
        } catch (error) {
          const e = asSinkError(name, error);
          counters.failures += 1;
          counters.consecutiveFailures += 1;
          o.onError?.(e, { queued: queue.length, attempt: 0 });
          if (e.code === 'sink.rejected' || signal.aborted) throw e;
          if (!(await serial(() => spill(batch)))) throw e;
          startDrain();
          return;
        }
      }
      // Something is queued: keep order by queueing behind it.
      if (!(await serial(() => spill(batch)))) {
        throw new SinkError(
          'sink.unavailable',
          name,
          `receiver down and spill queue full (${queueBytes} of ${o.maxSpillBytes} bytes, ${queue.length} batches): collection for this route pauses until it drains`,
        );
      }
      startDrain();
    },
    stats(): SinkStats {
      return {
        ...counters,
        queueBatches: queue.length,
        queueEvents: queue.reduce((n, q) => n + q.events, 0),
        queueBytes,
        queueFull: full ? 1 : 0,
        ...(inner.stats?.() ?? {}),
      };
    },
    state(): ReliableState {
      if (full) return 'full';
      return queue.length > 0 ? 'retrying' : 'ok';
    },
    async drained(): Promise<void> {
      while (draining !== null) await draining;
    },
    async close(): Promise<void> {
      stopper.abort();
      if (draining !== null) await draining;
      try {
        await inner.close();
      } finally {
        await lock?.release();
        lock = null;
      }
    },
  };
}
