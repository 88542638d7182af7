import type { PendingWindow, StreamCheckpoint } from './checkpoint.js';
import { LogsError } from './errors.js';
import type { StreamSpec } from './streams.js';
import { windowEnd, windowFloor } from './windows.js';

/** The slice of the Duo client the collector uses: one signed, limited, retried GET. */
export type LogRequester = (req: {
  method: 'GET';
  path: string;
  params: Readonly<Record<string, unknown>>;
  signal?: AbortSignal;
}) => Promise<{ response: unknown }>;

export type RawEvent = Readonly<Record<string, unknown>>;

export interface ReadPage {
  events: RawEvent[];
  /** Where to resume if the run stops after this page; null once the window is read to its end. */
  pending: PendingWindow | null;
  /** v1 only: a full page sharing one second, whose further rows Duo cannot page to (counted, reported). */
  sharedSecondOverflow: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function malformed(spec: StreamSpec, what: string): LogsError {
  return new LogsError('logs.malformed_page', `${spec.path}: malformed reply (${what})`);
}

/** Checks a page's shape; an unreadable page stops the stream (and is retried later) rather than losing rows. */
function items(spec: StreamSpec, response: unknown): RawEvent[] {
  const list = spec.itemsKey === null ? response : isRecord(response) ? response[spec.itemsKey] : undefined;
  if (!Array.isArray(list)) throw malformed(spec, `no ${spec.itemsKey ?? 'array'}`);
  for (const e of list) {
    if (!isRecord(e)) throw malformed(spec, 'an event is not an object');
    if (spec.eventTime(e) === null) throw malformed(spec, 'an event has no readable time');
  }
  return list as RawEvent[];
}

function metadata(response: unknown): Record<string, unknown> {
  const m = isRecord(response) ? response['metadata'] : undefined;
  return isRecord(m) ? m : {};
}

/** Duo's next cursor for the three v2-style endpoints, or null on the last page. */
function nextCursor(spec: StreamSpec, response: unknown): PendingWindow['cursor'] | null {
  const next = metadata(response)['next_offset'];
  if (next === null || next === undefined || next === '') return null;
  switch (spec.paging) {
    case 'v2_auth': {
      // `["<ts ms>", "<txid>"]`; some replies carry `"<ts>,<txid>"`.
      if (Array.isArray(next) && next.length === 2) return next.map(String);
      if (typeof next === 'string' && next.includes(',')) {
        const i = next.indexOf(',');
        return [next.slice(0, i), next.slice(i + 1)];
      }
      if (Array.isArray(next) && next.length === 0) return null;
      break;
    }
    case 'v2_items':
      if (typeof next === 'string') return next;
      break;
    case 'trust':
      // Duo answers an integer-like offset; passed back unchanged in `offset`.
      if (typeof next === 'number' || typeof next === 'string') return next;
      break;
    case 'v1':
      break;
  }
  throw malformed(spec, 'unreadable next_offset');
}

/**
 * Reads one window of a stream page by page, oldest first, from the checkpoint: a pending window is resumed
 * with its own bounds and cursor; otherwise the window is [checkpoint.from, now − 2 min], raised to the
 * 179-day floor. Each page is yielded before the next is asked for, so the caller delivers and commits it
 * first (drain, checkpointing every page). Ends by itself at the window's end or at `maxPages`.
 */
export async function* readPages(
  spec: StreamSpec,
  request: LogRequester,
  cp: StreamCheckpoint,
  opts: { now: number; signal?: AbortSignal; maxPages?: number; pageSize?: number },
): AsyncGenerator<ReadPage> {
  const floor = windowFloor(opts.now);
  let window: PendingWindow | null = cp.pending !== null && cp.pending.mintime >= floor ? cp.pending : null;
  const mintime = window?.mintime ?? Math.max(cp.from, floor);
  const maxtime = window?.maxtime ?? windowEnd(opts.now);
  if (maxtime <= mintime) return;
  let cursor = window?.cursor ?? null;
  window = null;
  const limit = Math.min(opts.pageSize ?? spec.pageLimit, spec.pageLimit);
  const signal = opts.signal === undefined ? {} : { signal: opts.signal };
  const maxPages = opts.maxPages ?? Number.POSITIVE_INFINITY;
  for (let page = 0; page < maxPages; page++) {
    if (spec.paging === 'v1') {
      const mintimeS = typeof cursor === 'number' ? cursor : Math.floor(mintime / 1000);
      const reply = await request({
        method: 'GET',
        path: spec.path,
        params: { mintime: String(mintimeS) },
        ...signal,
      });
      const rows = items(spec, reply.response);
      const within = rows.filter((r) => (spec.eventTime(r) ?? 0) <= maxtime);
      // A short page is the last; a page reaching past the window's end too (the rest is the next poll's).
      const last = rows.length < spec.pageLimit || within.length < rows.length;
      let next: number | null = null;
      let overflow = false;
      if (!last) {
        let max = -Infinity;
        let min = Infinity;
        for (const r of rows) {
          const s = Math.floor((spec.eventTime(r) ?? 0) / 1000);
          max = Math.max(max, s);
          min = Math.min(min, s);
        }
        // The next mintime is the newest second (its rows come again and are dropped as repeats), except
        // when the whole page shares one second: only +1 moves on, and that second's further rows are out
        // of reach on Duo's v1 API.
        overflow = min === max;
        next = overflow ? max + 1 : max;
        if (typeof cursor === 'number' && next <= cursor) next = cursor + 1;
      }
      yield {
        events: within,
        pending: next === null ? null : { mintime, maxtime, cursor: next },
        sharedSecondOverflow: overflow,
      };
      if (next === null) return;
      cursor = next;
      continue;
    }
    const params: Record<string, unknown> = {
      mintime: String(Math.floor(mintime)),
      maxtime: String(Math.floor(maxtime)),
      limit: String(limit),
    };
    if (spec.paging !== 'trust') params['sort'] = 'ts:asc';
    if (cursor !== null) {
      if (spec.paging === 'trust') params['offset'] = String(cursor);
      else params['next_offset'] = Array.isArray(cursor) ? [...(cursor as string[])] : String(cursor);
    }
    const reply = await request({ method: 'GET', path: spec.path, params, ...signal });
    const events = items(spec, reply.response);
    const next = nextCursor(spec, reply.response);
    yield {
      events,
      pending: next === null ? null : { mintime, maxtime, cursor: next },
      sharedSecondOverflow: false,
    };
    if (next === null) return;
    cursor = next;
  }
}
