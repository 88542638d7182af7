import type { DuoApiError } from '../errors/index.js';

export interface RetryPolicy {
  /** Delays before each 429 retry; official clients: 1, 2, 4, 8, 16, 32 s (docs/duo-wire.md §6). */
  rateLimitDelaysMs: readonly number[];
  /** Random extra per retry, up to this (official: 1 s). */
  jitterMs: number;
  /** Delays before retrying a network error or 5xx; GET only, because a POST may have taken effect. */
  transientDelaysMs: readonly number[];
  /** Whole-call budget including retries and limiter waits. */
  deadlineMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  rateLimitDelaysMs: [1000, 2000, 4000, 8000, 16_000, 32_000],
  jitterMs: 1000,
  transientDelaysMs: [500, 2000],
  deadlineMs: 120_000,
};

/** The delay before the next attempt, or null to give up with this error. */
export function nextDelay(
  policy: RetryPolicy,
  error: DuoApiError,
  method: string,
  counts: { rateLimited: number; transient: number },
  random: () => number,
): number | null {
  let base: number | undefined;
  if (error.kind === 'rate_limited' && error.httpStatus === 429) {
    base = policy.rateLimitDelaysMs[counts.rateLimited];
    counts.rateLimited += 1;
  } else if (
    method === 'GET' &&
    (error.kind === 'network' || error.kind === 'timeout' || error.kind === 'server_error')
  ) {
    base = policy.transientDelaysMs[counts.transient];
    counts.transient += 1;
  }
  if (base === undefined) return null;
  return base + Math.floor(random() * policy.jitterMs);
}
