import { LogsError } from './errors.js';

/** Duo's logs become visible two minutes after the event (docs/duo-wire.md §4): query up to now − 2 min. */
export const VISIBILITY_DELAY_MS = 120_000;
/** Duo keeps 180 days; asking for exactly 180 races its own clock, so the floor is 179 days. */
export const RETENTION_FLOOR_MS = 179 * 86_400_000;

/** The newest time a poll may ask for. */
export function windowEnd(now: number): number {
  return now - VISIBILITY_DELAY_MS;
}

/** The oldest time Duo will still serve. */
export function windowFloor(now: number): number {
  return now - RETENTION_FLOOR_MS;
}

/** Start of the second holding `ms` (v1 logs page by whole seconds, and auth timestamps are whole seconds). */
export function secondOf(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--since` and `logs.firstRunLookback`: a duration back from now (`90m`, `24h`, `7d`) or an ISO time. Times
 * older than the retention floor are raised to it (and said so by the caller), never refused.
 */
export function parseSince(text: string, now: number): number {
  const t = text.trim();
  const rel = /^(\d+)\s*([mhd])$/i.exec(t);
  if (rel !== null) {
    const n = Number(rel[1]);
    const unit = UNIT_MS[(rel[2] ?? '').toLowerCase()];
    if (unit !== undefined) return now - n * unit;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) {
      if (ms > now)
        throw new LogsError('logs.invalid_since', `--since ${JSON.stringify(text)} is in the future`);
      return ms;
    }
  }
  throw new LogsError(
    'logs.invalid_since',
    `--since ${JSON.stringify(text)} is neither a duration (e.g. 90m, 24h, 7d) nor an ISO time`,
  );
}
