import type { CollectedEvent, LogEventHub } from '../app/index.js';
import type { LogSink } from './sinks/types.js';
import { advance, initialCheckpoint, type StreamCheckpoint } from './checkpoint.js';
import type { CheckpointRepository, DuoStreamKey } from './checkpoint.repository.js';
import type { DeliveryLock } from './delivery-lock.js';
import { readPages, type LogRequester } from './read-pages.js';
import { eventId, STREAM_SPECS } from './streams.js';

/** What delivering one stream needs; everything injected (docs/conventions.md §3). */
export interface StreamDeps {
  repo: CheckpointRepository;
  request: LogRequester;
  sinks: readonly LogSink[];
  lock: DeliveryLock;
  hub?: LogEventHub;
  now: () => number;
}

export interface StreamRunOptions {
  orgSlug: string;
  /** Where a stream with no checkpoint starts (epoch ms). */
  firstFrom: number;
  signal?: AbortSignal;
  maxPages?: number;
  pageSize?: number;
  /** Called after every committed page (progress bars, lease renewal). */
  onPage?: (p: { delivered: number; checkpoint: StreamCheckpoint }) => Promise<void> | void;
}

export interface StreamRunResult {
  events: number;
  pages: number;
  duplicatesDropped: number;
  /** v1 pages whose rows all shared one second (rows past the page are out of Duo's reach). */
  sharedSecondOverflows: number;
  newestTs: number | null;
}

/**
 * Drains one stream from its checkpoint to the window's end: for every page, drops the ids already delivered
 * (the inclusive-cursor overlap), sends the rest to every sink on the route, and only when all acknowledged
 * commits the checkpoint with the exactly-once sinks' positions in one transaction; then publishes the
 * events to the in-process hub. A failing sink leaves the checkpoint where it was (and rewinds exactly-once
 * sinks to their committed position), so the batch is sent again later and never lost.
 */
export async function collectStream(
  deps: StreamDeps,
  key: DuoStreamKey,
  opts: StreamRunOptions,
): Promise<StreamRunResult> {
  const spec = STREAM_SPECS[key.stream];
  const record = await deps.repo.ensure(key, initialCheckpoint(opts.firstFrom), deps.now());
  let cp = record.checkpoint;
  const result: StreamRunResult = {
    events: 0,
    pages: 0,
    duplicatesDropped: 0,
    sharedSecondOverflows: 0,
    newestTs: cp.newestTs,
  };
  const signal = opts.signal ?? new AbortController().signal;
  for await (const page of readPages(spec, deps.request, cp, {
    now: deps.now(),
    signal,
    ...(opts.maxPages === undefined ? {} : { maxPages: opts.maxPages }),
    ...(opts.pageSize === undefined ? {} : { pageSize: opts.pageSize }),
  })) {
    result.pages += 1;
    if (page.sharedSecondOverflow) result.sharedSecondOverflows += 1;
    const seen = new Set(cp.boundary);
    const fresh: CollectedEvent[] = [];
    for (const raw of page.events) {
      const id = eventId(spec, raw);
      if (seen.has(id)) {
        result.duplicatesDropped += 1;
        continue;
      }
      seen.add(id);
      fresh.push({
        id,
        stream: key.stream,
        orgId: key.orgId,
        orgSlug: opts.orgSlug,
        ts: spec.eventTime(raw) ?? 0,
        raw,
      });
    }
    const next = advance(cp, fresh, page.pending);
    await deps.lock.run(async () => {
      try {
        if (fresh.length > 0) for (const sink of deps.sinks) await sink.send(fresh, signal);
        const positions: Record<string, string> = {};
        for (const sink of deps.sinks) if (sink.position) positions[sink.name] = await sink.position();
        await deps.repo.commit(key, next, fresh.length, positions, deps.now());
      } catch (error) {
        // What an exactly-once sink wrote for this batch is not committed: rewind it, so the retry is not a
        // duplicate there.
        for (const sink of deps.sinks)
          if (sink.restore) await sink.restore(await deps.repo.sinkPosition(sink.name));
        throw error;
      }
    });
    cp = next;
    result.events += fresh.length;
    result.newestTs = cp.newestTs;
    await deps.hub?.publish(fresh);
    await opts.onPage?.({ delivered: fresh.length, checkpoint: cp });
  }
  return result;
}
