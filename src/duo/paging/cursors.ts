/**
 * Cursor rules for each Duo paging style (docs/duo-wire.md §4). Pure functions, so every rule is tested alone.
 */

/** v1 lists: `next_offset` at top level; absent or null on the last page. */
export function nextV1Offset(paging: { next_offset?: number | null | undefined }): number | null {
  return typeof paging.next_offset === 'number' ? paging.next_offset : null;
}

/** The auth-log v2 cursor: `[ts_ms, txid]`. Duo may also hand it back as one `"ts,txid"` string. */
export type AuthLogCursor = readonly [string, string];

export function parseAuthLogCursor(raw: unknown): AuthLogCursor | null {
  if (raw == null) return null;
  if (Array.isArray(raw)) {
    if (raw.length === 0) return null;
    const [ts, txid] = raw as unknown[];
    const ok = (v: unknown): v is string | number => typeof v === 'string' || typeof v === 'number';
    if (!ok(ts) || !ok(txid)) return null;
    return [String(ts), String(txid)];
  }
  if (typeof raw === 'string' && raw.includes(',')) {
    const i = raw.indexOf(',');
    return [raw.slice(0, i), raw.slice(i + 1)];
  }
  return null;
}

/**
 * v1 logs paged by `mintime` (seconds; docs/duo-wire.md §4). A page shorter than `limit` is the last. Otherwise we
 * follow Go's client: the next `mintime` is the greatest timestamp (not +1, so rows sharing that second past
 * the page are not lost; the caller drops the repeats), except when a full page shares one timestamp, where
 * only +1 makes progress (`sharedSecondOverflow`: rows of that second beyond the page are unreachable).
 */
export function nextMintime(
  rows: ReadonlyArray<{ timestamp: number }>,
  limit: number,
): { next: number | null; sharedSecondOverflow: boolean } {
  if (rows.length < limit || rows.length === 0) return { next: null, sharedSecondOverflow: false };
  let max = -Infinity;
  let min = Infinity;
  for (const r of rows) {
    max = Math.max(max, r.timestamp);
    min = Math.min(min, r.timestamp);
  }
  const shared = Math.floor(min) === Math.floor(max);
  return { next: Math.floor(max) + (shared ? 1 : 0), sharedSecondOverflow: shared };
}
