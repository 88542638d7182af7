import { isBackedOff } from '../integrations/index.js';
import type { CredentialHealth, DuoErrorLike } from './ports.js';
import { DAY_MS } from './types.js';

/**
 * The specification's default back-off: a credential failing authentication is skipped for 24 hours, then
 * retried. `schedules.authFailedBackoffHours` sets it (the runs take it as `authFailedBackoffMs`).
 */
export const AUTH_FAILED_BACKOFF_MS = DAY_MS;

export type FailureClass = 'auth_failed' | 'rate_limited' | 'transient';

/**
 * Seed, "Auth failure backoff": 401-range errors, missing permission (40301) and clock skew (40103/40104)
 * are persistent until a human acts → auth_failed; a 429 is rate_limited; anything else (network, 5xx,
 * timeouts) is transient and simply retried on the next tick.
 */
export function classifyFailure(error: unknown): FailureClass {
  const e = (error ?? {}) as DuoErrorLike;
  const kind = typeof e.kind === 'string' ? e.kind : undefined;
  if (kind === 'auth_failed' || kind === 'permission_denied' || kind === 'clock_skew') return 'auth_failed';
  if (kind === 'rate_limited') return 'rate_limited';
  const code = typeof e.duoCode === 'number' ? e.duoCode : undefined;
  const status = typeof e.httpStatus === 'number' ? e.httpStatus : undefined;
  if (code !== undefined && code >= 40100 && code < 40200) return 'auth_failed';
  if (code === 40301 || status === 401 || status === 403) return 'auth_failed';
  if (code === 42901 || status === 429) return 'rate_limited';
  return 'transient';
}

/** Whether a run skips the credential: the integrations capability's one back-off rule (docs/integrations.md). */
export function shouldSkip(health: CredentialHealth | null, now: number): boolean {
  return isBackedOff(health, new Date(now));
}

/** A success clears auth_failed (e.g. after the Secret key was rotated) and rate_limited alike. */
export function healthAfterSuccess(_prev: CredentialHealth | null, now: number): CredentialHealth {
  const at = new Date(now);
  return {
    state: 'ok',
    until: null,
    lastErrorKind: null,
    lastErrorMessage: null,
    lastSuccessAt: at,
    updatedAt: at,
  };
}

/**
 * After a failure: an auth-class one backs the credential off for `backoffMs` (clock skew shown as its own
 * state), a 429 is `rate_limited` with no back-off, and a transient one keeps the state and its `until`.
 */
export function healthAfterFailure(
  prev: CredentialHealth | null,
  error: unknown,
  now: number,
  backoffMs: number = AUTH_FAILED_BACKOFF_MS,
): CredentialHealth {
  const cls = classifyFailure(error);
  const e = (error ?? {}) as DuoErrorLike;
  const kind = typeof e.kind === 'string' ? e.kind : cls;
  const base = {
    lastErrorKind: kind,
    lastErrorMessage: error instanceof Error ? error.message : null,
    lastSuccessAt: prev?.lastSuccessAt ?? null,
    updatedAt: new Date(now),
  };
  if (cls === 'auth_failed')
    return {
      ...base,
      state: kind === 'clock_skew' ? 'clock_skew' : 'auth_failed',
      until: new Date(now + backoffMs),
    };
  if (cls === 'rate_limited') return { ...base, state: 'rate_limited', until: null };
  return { ...base, state: prev?.state ?? 'ok', until: prev?.until ?? null };
}
