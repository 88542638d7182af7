/** Where a stream resumes, stored as JSON with the sink positions in one row update (docs/logs.md, "Checkpoints"). */
export interface StreamCheckpoint {
  /** Lower bound (epoch ms, inclusive) of the next window: the second of the newest delivered event. */
  from: number;
  /** Ids already delivered whose time lies in the second starting at `from` (the inclusive-cursor overlap). */
  boundary: string[];
  /** Time of the newest delivered event, null before the first. */
  newestTs: number | null;
  /** A window read part-way: resumed with the same bounds and Duo's cursor, so nothing is skipped or re-read. */
  pending: PendingWindow | null;
  /** The `alerts` stream only: the last alert-outbox sequence delivered (src/logs/alert-stream.ts). */
  seq?: number;
}

export interface PendingWindow {
  /** Window bounds in epoch ms (v1 logs use whole seconds of them). */
  mintime: number;
  maxtime: number;
  /** Duo's cursor as it must go back: `[ts, txid]`, `"<ts>,<id>"`, a trust-monitor offset, or a v1 mintime (s). */
  cursor: string | number | readonly string[];
}

export function initialCheckpoint(from: number): StreamCheckpoint {
  return { from, boundary: [], newestTs: null, pending: null };
}

/**
 * The checkpoint after a page was delivered: the newest time moves forward, the boundary keeps the ids of
 * the newest second (a new second replaces it), and the pending window follows Duo's cursor.
 */
export function advance(
  cp: StreamCheckpoint,
  delivered: ReadonlyArray<{ id: string; ts: number }>,
  pending: PendingWindow | null,
): StreamCheckpoint {
  let from = cp.from;
  let boundary = cp.boundary;
  let newestTs = cp.newestTs;
  for (const e of delivered) if (newestTs === null || e.ts > newestTs) newestTs = e.ts;
  if (newestTs !== null) {
    const second = Math.floor(newestTs / 1000) * 1000;
    if (second !== from) {
      from = Math.max(from, second);
      boundary = [];
    }
    const set = new Set(boundary);
    for (const e of delivered) if (e.ts >= from && e.ts < from + 1000) set.add(e.id);
    boundary = [...set];
  }
  return { from, boundary, newestTs, pending };
}
