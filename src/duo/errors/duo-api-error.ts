import { DuowatchError, stripControl } from '../../shared/index.js';

export type DuoErrorKind =
  | 'auth_failed'
  | 'permission_denied'
  | 'clock_skew'
  | 'rate_limited'
  | 'invalid_request'
  | 'not_found'
  | 'server_error'
  | 'network'
  | 'timeout'
  | 'bad_response';

export interface DuoApiErrorInit {
  kind: DuoErrorKind;
  /** What we tried, e.g. `GET /admin/v1/users`. Never includes the query (it may hold user data). */
  request?: string;
  /** HTTP status, when a response arrived. */
  httpStatus?: number;
  /** Duo's numeric `code` (docs/duo-wire.md §3), when the body carried one. */
  duoCode?: number;
  /** Duo's `message`; stripped of control characters and redacted. */
  duoMessage?: string;
  /** Duo's `message_detail`; stripped and redacted. */
  detail?: string;
  /** Our own words, used as the message when Duo gave none. */
  text?: string;
  /** Estimated clock skew (server minus local, ms) when it explains the failure. */
  clockSkewMs?: number;
  /** Values that must never appear in text: the ikey, skey, Authorization header. */
  secrets?: readonly string[];
  cause?: unknown;
}

/** HTTP status we answer with (REST API) and CLI exit code, per kind. */
const KIND_STATUS: Record<DuoErrorKind, number> = {
  auth_failed: 502,
  permission_denied: 502,
  clock_skew: 502,
  rate_limited: 503,
  invalid_request: 502,
  not_found: 404,
  server_error: 502,
  network: 504,
  timeout: 504,
  bad_response: 502,
};

const MAX_TEXT = 500;

/** Removes every secret and anything that looks like a Basic credential, then control characters. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  out = out.replace(/Basic\s+[A-Za-z0-9+/=]{8,}/g, 'Basic [redacted]');
  const clean = stripControl(out);
  return clean.length > MAX_TEXT ? clean.slice(0, MAX_TEXT) + '…' : clean;
}

/**
 * The one error a Duo call raises (docs/duo-client.md). Every text field is redacted and stripped in the constructor,
 * so `message`, `toJSON()` and `String(error)` are always safe to log or show (Duo's mock tests inject ANSI
 * escapes into `message`; docs/duo-wire.md §7).
 */
export class DuoApiError extends DuowatchError {
  readonly kind: DuoErrorKind;
  readonly httpStatus: number | undefined;
  readonly duoCode: number | undefined;
  readonly duoMessage: string | undefined;
  readonly detail: string | undefined;
  readonly request: string | undefined;
  readonly clockSkewMs: number | undefined;

  constructor(init: DuoApiErrorInit) {
    const secrets = init.secrets ?? [];
    const duoMessage = init.duoMessage === undefined ? undefined : redact(init.duoMessage, secrets);
    const detail = init.detail === undefined ? undefined : redact(init.detail, secrets);
    const request = init.request === undefined ? undefined : redact(init.request, secrets);
    const text = init.text === undefined ? undefined : redact(init.text, secrets);
    const parts = [
      `Duo ${init.kind.replace('_', ' ')}`,
      request === undefined ? '' : ` on ${request}`,
      init.httpStatus === undefined ? '' : ` (HTTP ${String(init.httpStatus)}`,
      init.duoCode === undefined
        ? ''
        : `${init.httpStatus === undefined ? ' (' : ', '}code ${String(init.duoCode)}`,
      init.httpStatus === undefined && init.duoCode === undefined ? '' : ')',
      ': ',
      duoMessage ?? text ?? 'no message',
      detail === undefined ? '' : ` — ${detail}`,
    ];
    // The cause is kept for debugging, but only after it too was scrubbed of secrets.
    super(`duo_${init.kind}`, parts.join(''), {
      status: KIND_STATUS[init.kind],
      exitCode: init.kind === 'rate_limited' ? 75 : 69,
      ...(init.cause === undefined ? {} : { cause: scrubCause(init.cause, secrets) }),
    });
    this.kind = init.kind;
    this.httpStatus = init.httpStatus;
    this.duoCode = init.duoCode;
    this.duoMessage = duoMessage;
    this.detail = detail;
    this.request = request;
    this.clockSkewMs = init.clockSkewMs;
  }

  /** Retrying might help: rate limits, network trouble, timeouts and 5xx. */
  get retryable(): boolean {
    return ['rate_limited', 'network', 'timeout', 'server_error'].includes(this.kind);
  }

  override toJSON(): {
    code: string;
    message: string;
    kind: DuoErrorKind;
    httpStatus?: number;
    duoCode?: number;
    detail?: string;
    clockSkewMs?: number;
  } {
    return {
      code: this.code,
      message: this.message,
      kind: this.kind,
      ...(this.httpStatus === undefined ? {} : { httpStatus: this.httpStatus }),
      ...(this.duoCode === undefined ? {} : { duoCode: this.duoCode }),
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(this.clockSkewMs === undefined ? {} : { clockSkewMs: this.clockSkewMs }),
    };
  }
}

function scrubCause(cause: unknown, secrets: readonly string[]): unknown {
  if (cause instanceof Error) {
    const copy = new Error(redact(cause.message, secrets));
    copy.name = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') Object.assign(copy, { code });
    return copy;
  }
  return typeof cause === 'string' ? redact(cause, secrets) : undefined;
}
