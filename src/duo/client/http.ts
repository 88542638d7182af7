import type { Dispatcher } from 'undici';
import { DuoApiError, DuoConfigError } from '../errors/index.js';

/** The narrow slice of undici we use (docs/conventions.md §4): one request, whole body. A test may inject any Dispatcher. */
export type HttpDispatcher = Pick<Dispatcher, 'request'>;

export interface HttpRequest {
  origin: string;
  /** Path plus query, exactly as signed. */
  path: string;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body: string | null;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** `METHOD /path` for messages. */
  label: string;
  secrets: readonly string[];
}

export interface HttpReply {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  contentType: string | undefined;
  bytes: Buffer;
  text: string;
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

function header(headers: HttpReply['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

class TimeoutSignalReason extends Error {}

/**
 * Sends one request and reads the whole reply. Everything that goes wrong below HTTP becomes a DuoApiError
 * (`network`, `timeout`, or `bad_response` for a reply cut short) or, for a local refusal (forbidden address),
 * a DuoConfigError; a caller's own abort is re-thrown as is.
 */
export async function sendHttp(dispatcher: HttpDispatcher, req: HttpRequest): Promise<HttpReply> {
  const timeout = new AbortController();
  const timer = setTimeout(() => {
    timeout.abort(new TimeoutSignalReason(`no complete reply within ${String(req.timeoutMs)} ms`));
  }, req.timeoutMs);
  const signal = req.signal === undefined ? timeout.signal : AbortSignal.any([req.signal, timeout.signal]);
  const fail = (kind: 'network' | 'timeout' | 'bad_response', text: string, cause: unknown): DuoApiError =>
    new DuoApiError({ kind, request: req.label, text, secrets: req.secrets, cause });
  let headersArrived = false;
  try {
    const res = await dispatcher.request({
      origin: req.origin,
      path: req.path,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    headersArrived = true;
    const bytes = Buffer.from(await res.body.arrayBuffer());
    const contentType = header(res.headers, 'content-type');
    return { status: res.statusCode, headers: res.headers, contentType, bytes, text: bytes.toString('utf8') };
  } catch (error) {
    if (req.signal?.aborted === true) throw req.signal.reason;
    if (timeout.signal.aborted)
      throw fail('timeout', `no complete reply within ${String(req.timeoutMs)} ms`, error);
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'duo_forbidden_address') throw new DuoConfigError('duo_forbidden_address', message, error);
    if (error instanceof DuoConfigError) throw error;
    if (typeof code === 'string' && /TIMEOUT/.test(code)) throw fail('timeout', message, error);
    if (typeof code === 'string' && TLS_CODES.test(code))
      throw fail('network', `TLS verification failed (${code}): ${message}`, error);
    if (headersArrived) throw fail('bad_response', `reply cut short: ${message}`, error);
    throw fail('network', message, error);
  } finally {
    clearTimeout(timer);
  }
}

export { header as firstHeader };
