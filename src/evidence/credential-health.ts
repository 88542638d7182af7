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

/**
 * Whether a run skips the credential: the integrations capability's one back-off rule (docs/integrations.md),
 * read over this health shape (`retryAt` is the stored `until`).
 */
export function shouldSkip(health: CredentialHealth | null, now: number): boolean {
  return isBackedOff(
    health === null
      ? null
      : { state: health.state, until: health.retryAt === null ? null : new Date(health.retryAt) },
    new Date(now),
  );
}

export function healthAfterSuccess(prev: CredentialHealth | null, now: number): CredentialHealth {
  // A success clears auth_failed (e.g. after the Secret key was rotated) and rate_limited alike.
  return {
    state: 'ok',
    retryAt: null,
    lastErrorKind: prev?.lastErrorKind ?? null,
    lastErrorCode: prev?.lastErrorCode ?? null,
    lastErrorMessage: prev?.lastErrorMessage ?? null,
    lastSuccessAt: now,
    updatedAt: now,
  };
}

export function healthAfterFailure(
  prev: CredentialHealth | null,
  error: unknown,
  now: number,
  backoffMs: number = AUTH_FAILED_BACKOFF_MS,
): CredentialHealth {
  const cls = classifyFailure(error);
  const e = (error ?? {}) as DuoErrorLike;
  return {
    state: cls === 'transient' ? 'error' : cls,
    retryAt: cls === 'auth_failed' ? now + backoffMs : null,
    lastErrorKind: typeof e.kind === 'string' ? e.kind : cls,
    lastErrorCode: typeof e.duoCode === 'number' ? e.duoCode : null,
    lastErrorMessage: error instanceof Error ? error.message : null,
    lastSuccessAt: prev?.lastSuccessAt ?? null,
    updatedAt: now,
  };
}
