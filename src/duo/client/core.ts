import { version } from '../../version.js';
import { DuoApiError, classifyDuoFailure } from '../errors/index.js';
import {
  formatDuoDate,
  paramPairs,
  parseDuoDate,
  percentEncode,
  signRequest,
  type ParamsMode,
  type QueryParams,
  type SigVersion,
} from '../sign/index.js';
import { validateApiHostname } from '../transport/index.js';
import { parseEnvelope, type DuoEnvelope } from '../wire/index.js';
import type { Clock, SkewTracker } from './clock.js';
import { firstHeader, sendHttp, type HttpDispatcher, type HttpReply } from './http.js';
import type { LimiterRegistry } from './limiter.js';
import { nextDelay, type RetryPolicy } from './retry.js';

export interface DuoCredentials {
  ikey: string;
  skey: string;
  /** API hostname, validated before any request. */
  host: string;
}

/** One Duo call, before signing. */
export interface DuoRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  params?: Readonly<Record<string, unknown>>;
  /** Default: the client's (5, as Python 5.6.1). */
  sigVersion?: SigVersion;
  paramsMode?: ParamsMode;
  /** `/auth/v2/ping` needs no signature (docs/duo-wire.md §2.6). */
  unsigned?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** For binary replies (`/auth/v2/logo`): skip the JSON envelope. */
  raw?: boolean;
}

export interface DuoReply extends DuoEnvelope {
  status: number;
  /** Server time from the `Date` header, epoch ms, if present. */
  serverDate: number | undefined;
  bytes: Buffer;
  contentType: string | undefined;
}

export interface CoreOptions {
  credentials: DuoCredentials;
  dispatcher: HttpDispatcher;
  clock: Clock;
  random: () => number;
  limiter: LimiterRegistry;
  skew: SkewTracker;
  retry: RetryPolicy;
  defaultSigVersion: SigVersion;
  timeoutMs: number;
  /** Params merged into every request (Accounts API: `account_id` of the child). */
  extraParams?: Readonly<Record<string, string>>;
  /** Sign with local time + learned skew (off by default: a wrong estimate would break good clocks). */
  signWithServerTime: boolean;
  userAgent?: string;
  /** Receives one line per attempt; never given a secret. */
  log?: (event: RequestLogEvent) => void;
}

export interface RequestLogEvent {
  request: string;
  attempt: number;
  status?: number;
  durationMs: number;
  outcome: 'ok' | 'retry' | 'error';
  kind?: string;
  delayMs?: number;
}

/**
 * The one request function (docs/conventions.md §6): limiter → sign → send → parse, inside a retry loop bounded by a
 * deadline. Signing happens per attempt so the Date stays fresh (an official client re-sends the same
 * signed request on 429, which Duo accepts — docs/duo-wire.md §2.7 — but a fresh date is never worse).
 */
export function createRequester(options: CoreOptions): (req: DuoRequest) => Promise<DuoReply> {
  const host = validateApiHostname(options.credentials.host);
  const { ikey, skey } = options.credentials;
  const secrets = [skey, ikey];
  const userAgent = options.userAgent ?? `duowatch/${version}`;

  async function attempt(req: DuoRequest, label: string): Promise<DuoReply> {
    const params = { ...req.params, ...options.extraParams };
    const now = options.clock.now();
    const skew = options.signWithServerTime ? (options.skew.get() ?? 0) : 0;
    const signed = signRequest({
      ikey,
      skey,
      method: req.method,
      host,
      path: req.path,
      params,
      date: formatDuoDate(new Date(now + skew)),
      sigVersion: req.sigVersion ?? options.defaultSigVersion,
      ...(req.paramsMode === undefined ? {} : { paramsMode: req.paramsMode }),
    });
    const headers: Record<string, string> = { ...signed.headers, 'User-Agent': userAgent };
    if (req.unsigned === true) delete headers['Authorization'];
    const attemptSecrets = [...secrets, signed.authorization];
    const sentAt = options.clock.now();
    const reply: HttpReply = await sendHttp(options.dispatcher, {
      origin: `https://${host}`,
      path: signed.query === '' ? req.path : `${req.path}?${wireQuery(params as QueryParams)}`,
      method: req.method,
      headers,
      body: signed.body ?? signed.form,
      timeoutMs: req.timeoutMs ?? options.timeoutMs,
      signal: req.signal,
      label,
      secrets: attemptSecrets,
    });
    const receivedAt = options.clock.now();
    const dateText = firstHeader(reply.headers, 'date');
    const serverDate = dateText === undefined ? undefined : (parseDuoDate(dateText) ?? undefined);
    const skewMs =
      serverDate === undefined ? undefined : options.skew.observe(serverDate, sentAt, receivedAt);
    const ctx = { request: label, secrets, ...(skewMs === undefined ? {} : { skewMs }) };
    if (reply.status >= 300 && reply.status < 400) {
      throw new DuoApiError({
        kind: 'bad_response',
        request: label,
        httpStatus: reply.status,
        text: 'redirect refused: Duo API hosts never redirect, so a 3xx means something in between answered',
        secrets,
      });
    }
    const base = { status: reply.status, serverDate, bytes: reply.bytes, contentType: reply.contentType };
    if (req.raw === true && reply.status === 200) return { ...base, response: reply.bytes, paging: {} };
    if (req.raw === true && !/json/i.test(reply.contentType ?? '')) {
      throw new DuoApiError({
        kind: classifyDuoFailure(reply.status, undefined, skewMs),
        request: label,
        httpStatus: reply.status,
        text: 'error without a JSON body',
        secrets,
      });
    }
    return { ...base, ...parseEnvelope(reply, ctx) };
  }

  return async function request(req: DuoRequest): Promise<DuoReply> {
    const label = `${req.method} ${req.path}`;
    const started = options.clock.now();
    const deadline = started + options.retry.deadlineMs;
    const counts = { rateLimited: 0, transient: 0 };
    for (let n = 1; ; n++) {
      await options.limiter.acquire(`${ikey}@${host}`, req.method, req.path, deadline, req.signal);
      const t0 = options.clock.now();
      try {
        const reply = await attempt(req, label);
        options.log?.({
          request: label,
          attempt: n,
          status: reply.status,
          durationMs: options.clock.now() - t0,
          outcome: 'ok',
        });
        return reply;
      } catch (error) {
        if (!(error instanceof DuoApiError)) throw error;
        const delay = nextDelay(options.retry, error, req.method, counts, options.random);
        const durationMs = options.clock.now() - t0;
        const event = {
          request: label,
          attempt: n,
          durationMs,
          kind: error.kind,
          ...(error.httpStatus === undefined ? {} : { status: error.httpStatus }),
        };
        if (delay === null || options.clock.now() + delay > deadline) {
          options.log?.({ ...event, outcome: 'error' });
          throw error;
        }
        options.log?.({ ...event, outcome: 'retry', delayMs: delay });
        await options.clock.sleep(delay, req.signal);
      }
    }
  };
}

/**
 * The query as sent: insertion order, like Python's urlencode (docs/duo-wire.md §1: the wire query is not
 * canonical; the server re-canonicalizes). This matters for the auth-log cursor, whose two repeated
 * `next_offset` values must arrive as timestamp then txid, while the signature sorts them.
 */
function wireQuery(params: QueryParams): string {
  return paramPairs(params)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
}
