import { DAY_MS } from './types.js';

/** Schedule constants from the compliance specification ("Cursor"). */
export const FIRST_LOOKBACK_MS = DAY_MS;
export const OVERLAP_MS = 5 * 60_000;
export const STALE_AFTER_MS = 30 * DAY_MS;
/** Duo shows auth-log events only after about two minutes (docs/duo-wire.md §4): `maxtime = now − 2 min`. */
export const VISIBILITY_LAG_MS = 2 * 60_000;
/** Auth-log cap per poll: 25 pages × 1,000 events (seed, "Pagination caps"). */
export const AUTH_LOG_CAP = Object.freeze({ maxPages: 25, pageSize: 1000 });
/** Users, admins and policies: 100 pages × 300 (specification). */
export const LIST_CAP = Object.freeze({ maxPages: 100, pageSize: 300 });

/**
 * One aggregated ledger row: how many events of one kind we already counted in one whole second.
 * `[second, event_type, result, factor, reason, count]`. No txid, IP, username or user key: only counts.
 */
export type LedgerRow = [number, string, string, string, string, number];

/**
 * The persisted auth-log cursor (our `nextAfter`). Duo's own `next_offset` is `[ts, txid]`, so it is used
 * only in memory inside one poll and never stored; between polls we keep a millisecond high-water mark on a
 * whole second plus the per-second counts of the events at or after it (docs/evidence.md, "Dedup").
 */
export interface AuthLogCursor {
  version: 1;
  /** `mintime` of the next poll, ms, always on a whole second. */
  nextAfterMs: number;
  /** When the last successful poll ran, ms. */
  lastSuccessAt: number;
  /** Counts already taken for every second ≥ nextAfterMs. */
  ledger: LedgerRow[];
}

export interface AuthLogWindow {
  mintimeMs: number;
  maxtimeMs: number;
  /** How mintime was chosen. */
  basis: 'first' | 'resume' | 'stale_reset';
  /** Ledger rows that still apply (empty after a reset). */
  ledger: LedgerRow[];
  /** true when mintime ≥ maxtime: nothing to ask Duo for. */
  empty: boolean;
}

export function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/**
 * Chooses the window of the next poll (pure; `now` from the injected clock):
 * no cursor → the last 24 h; a cursor whose nextAfter is more than 30 days old → the 24 h look-back again
 * (the specification refuses to chase a month of backlog); otherwise resume at the cursor. `maxtime = now − 2 min`.
 */
export function planAuthLogWindow(cursor: AuthLogCursor | null, now: number): AuthLogWindow {
  const maxtimeMs = now - VISIBILITY_LAG_MS;
  const lookback = floorSecond(now - FIRST_LOOKBACK_MS);
  let mintimeMs: number;
  let basis: AuthLogWindow['basis'];
  let ledger: LedgerRow[] = [];
  if (cursor === null) {
    mintimeMs = lookback;
    basis = 'first';
  } else if (now - cursor.nextAfterMs > STALE_AFTER_MS) {
    mintimeMs = lookback;
    basis = 'stale_reset';
  } else {
    mintimeMs = cursor.nextAfterMs;
    basis = 'resume';
    ledger = cursor.ledger.filter((r) => r[0] * 1000 >= mintimeMs);
  }
  return { mintimeMs, maxtimeMs, basis, ledger, empty: mintimeMs >= maxtimeMs };
}

/** Validates a cursor read back from the store; anything malformed counts as no cursor (first poll). */
export function parseAuthLogCursor(value: unknown): AuthLogCursor | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (v['version'] !== 1 || typeof v['nextAfterMs'] !== 'number' || typeof v['lastSuccessAt'] !== 'number') {
    return null;
  }
  const ledgerIn = Array.isArray(v['ledger']) ? (v['ledger'] as unknown[]) : [];
  const ledger: LedgerRow[] = [];
  for (const r of ledgerIn) {
    if (
      Array.isArray(r) &&
      r.length === 6 &&
      typeof r[0] === 'number' &&
      typeof r[1] === 'string' &&
      typeof r[2] === 'string' &&
      typeof r[3] === 'string' &&
      typeof r[4] === 'string' &&
      typeof r[5] === 'number'
    ) {
      ledger.push([r[0], r[1], r[2], r[3], r[4], r[5]]);
    }
  }
  return { version: 1, nextAfterMs: v['nextAfterMs'], lastSuccessAt: v['lastSuccessAt'], ledger };
}
