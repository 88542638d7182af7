/**
 * The Auth API actions for people and automation (docs/verify.md): each returns Duo's `response` object as
 * Duo sent it (status messages stripped of control characters), or throws a VerifyError carrying Duo's code.
 */
import { DuoApiError, type AuthEndpoints, type DuoClient } from '../duo/index.js';
import { DuowatchError } from '../shared/index.js';
import { adviceForDuoCode, cleanStatusMsg } from './advice.js';
import { VerifyError } from './errors.js';

export const AUTH_ACTIONS = [
  'preauth',
  'push',
  'passcode',
  'sms',
  'phone',
  'status',
  'check',
  'ping',
] as const;
export type AuthAction = (typeof AUTH_ACTIONS)[number];

export interface AuthActionInput {
  user?: string | undefined;
  passcode?: string | undefined;
  txid?: string | undefined;
  /** push/phone: answer with a txid at once, plus the first status (Duo's `waiting`/`pushed`). */
  async?: boolean | undefined;
  device?: string | undefined;
  /** Push: the text shown as the request's type (e.g. "Identity check"). */
  type?: string | undefined;
  displayUsername?: string | undefined;
  /** Push: key/value pairs shown in Duo Mobile (why you are asking). */
  pushinfo?: Readonly<Record<string, string>> | undefined;
  ipaddr?: string | undefined;
  /** The longest the caller waits for Duo (a synchronous push, one auth_status long poll). */
  timeoutMs?: number | undefined;
}

/** What an action returns: Duo's response object. */
export type DuoResponse = Record<string, unknown>;

/** Long enough for a push's ~60 s answer window, short enough that a caller never hangs. */
export const DEFAULT_TIMEOUT_MS = 75_000;
const PUSHINFO_MAX_BYTES = 20_000;

type AuthApi = Pick<DuoClient, 'auth'>;

function need(value: string | undefined, what: string, action: AuthAction): string {
  if (value === undefined || value === '')
    throw new VerifyError('verify_usage', `auth ${action} needs ${what}`);
  return value;
}

export function encodePushinfo(info: Readonly<Record<string, string>>): string {
  const text = new URLSearchParams(Object.entries(info)).toString();
  if (Buffer.byteLength(text) >= PUSHINFO_MAX_BYTES)
    throw new VerifyError(
      'verify_usage',
      `pushinfo is ${String(Buffer.byteLength(text))} bytes; Duo accepts under 20000`,
    );
  return text;
}

function clean<T extends DuoResponse>(r: T): T {
  const out: DuoResponse = {};
  for (const [k, v] of Object.entries(r)) {
    if (v === undefined) continue;
    out[k] = k === 'status_msg' && typeof v === 'string' ? cleanStatusMsg(v) : v;
  }
  return out as T;
}

/** Runs one action; Duo answering (whatever the result) is success, anything else a VerifyError. */
export async function runAuthAction(
  client: AuthApi,
  action: AuthAction,
  input: AuthActionInput,
): Promise<DuoResponse> {
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return clean(await dispatch(client.auth, action, input, signal));
  } catch (error) {
    throw asVerifyError(error, action, timeoutMs, signal);
  }
}

async function dispatch(
  auth: AuthEndpoints,
  action: AuthAction,
  input: AuthActionInput,
  signal: AbortSignal,
): Promise<DuoResponse> {
  const opts = { signal };
  switch (action) {
    case 'ping': {
      const r = await auth.ping(opts);
      return { time: r.time };
    }
    case 'check': {
      const r = await auth.check(opts);
      return { time: r.time };
    }
    case 'preauth':
      return {
        ...(await auth.preauth(
          {
            username: need(input.user, '--user', action),
            ...(input.ipaddr === undefined ? {} : { ipaddr: input.ipaddr }),
          },
          opts,
        )),
      };
    case 'status': {
      const txid = need(input.txid, '--txid', action);
      return { ...(await auth.authStatus(txid, opts)) };
    }
    case 'sms':
      return {
        ...(await auth.auth(
          { username: need(input.user, '--user', action), factor: 'sms', device: input.device ?? 'auto' },
          opts,
        )),
      };
    case 'passcode':
    case 'push':
    case 'phone': {
      const username = need(input.user, '--user', action);
      const params = {
        username,
        factor: action,
        ...(action === 'passcode'
          ? { passcode: need(input.passcode, '--passcode', action) }
          : { device: input.device ?? 'auto' }),
        ...(action === 'push' && input.type !== undefined ? { type: input.type } : {}),
        ...(action === 'push' && input.displayUsername !== undefined
          ? { display_username: input.displayUsername }
          : {}),
        ...(action === 'push' && input.pushinfo !== undefined
          ? { pushinfo: encodePushinfo(input.pushinfo) }
          : {}),
        ...(input.ipaddr === undefined ? {} : { ipaddr: input.ipaddr }),
      };
      if (input.async !== true) {
        const r = await auth.auth(params, opts);
        return { result: r.result, status: r.status, status_msg: r.status_msg };
      }
      const { txid } = await auth.authAsync(params, opts);
      // The first auth_status answers at once with the state not yet reported (waiting/pushed for a push,
      // the final answer for a passcode), so the caller gets result/status/status_msg with the txid.
      const s = await auth.authStatus(txid, opts);
      return { result: s.result, status: s.status, status_msg: s.status_msg, txid };
    }
  }
}

function asVerifyError(
  error: unknown,
  action: AuthAction,
  timeoutMs: number,
  signal: AbortSignal,
): VerifyError {
  if (error instanceof VerifyError) return error;
  if (signal.aborted || (error instanceof DuoApiError && error.kind === 'timeout'))
    return new VerifyError(
      'verify_timeout',
      `auth ${action}: no answer from Duo within ${String(Math.round(timeoutMs / 1000))} s (use auth status --txid to follow an async push)`,
      { status: 504, cause: error },
    );
  if (error instanceof DuoApiError) {
    const code = error.duoCode;
    return new VerifyError(
      'verify_duo_error',
      `auth ${action}: ${error.message}${code === undefined ? '' : ` [Duo ${String(code)}]`}. ${adviceForDuoCode(code, error.detail)}`,
      {
        status: error.status >= 500 ? 502 : error.status,
        ...(code === undefined ? {} : { duoCode: code }),
        cause: error,
      },
    );
  }
  if (error instanceof DuowatchError)
    return new VerifyError('verify_duo_error', `auth ${action}: ${error.message} [${error.code}]`, {
      status: error.status,
      cause: error,
    });
  return new VerifyError(
    'verify_duo_error',
    `auth ${action}: ${error instanceof Error ? error.message : String(error)}`,
    {
      status: 502,
      cause: error,
    },
  );
}
