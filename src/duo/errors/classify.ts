import type { DuoErrorKind } from './duo-api-error.js';

/**
 * Beyond this skew a 401 is blamed on the clock. Duo rejects dates more than 300 s off (docs/duo-wire.md §2),
 * the compliance specification warns at ~60 s; we use 60 s so a drifting clock is named before it breaks every call.
 */
export const CLOCK_SKEW_THRESHOLD_MS = 60_000;

/**
 * Maps an HTTP status and Duo code (docs/duo-wire.md §3) to a kind.
 *
 * Decision on the clock (documented in docs/duo-client.md): the compliance specification calls 40103/40104 the
 * clock-skew errors, but the official tables say 40103 is "Invalid signature" and 40104 "Missing request
 * timestamp". We follow the official meaning: 40104 is always `clock_skew` (the date was missing or
 * unusable), and 40103 — or any 401 — is `clock_skew` only when the response's own `Date` shows our clock
 * more than CLOCK_SKEW_THRESHOLD_MS off; otherwise a bad signature is `auth_failed` (wrong skey).
 */
export function classifyDuoFailure(
  status: number,
  duoCode: number | undefined,
  skewMs?: number,
): DuoErrorKind {
  const skewed = skewMs !== undefined && Math.abs(skewMs) > CLOCK_SKEW_THRESHOLD_MS;
  switch (duoCode) {
    case 40001:
    case 40002:
      return 'invalid_request';
    case 40101:
    case 40102:
      return 'auth_failed';
    case 40103:
      return skewed ? 'clock_skew' : 'auth_failed';
    case 40104:
      return 'clock_skew';
    case 40301:
      return 'permission_denied';
    case 40401:
      return 'not_found';
    case 42901:
      return 'rate_limited';
    case 50001:
      return 'server_error';
    default:
      break;
  }
  // No or unknown code (Go tolerates `"code": ""`): fall back to the status.
  if (status === 401) return skewed ? 'clock_skew' : 'auth_failed';
  if (status === 403) return 'permission_denied';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'invalid_request';
  return 'bad_response';
}
