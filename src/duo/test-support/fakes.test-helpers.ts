/** In-process fakes for client tests: a dispatcher that records what it was asked, and a clock that never sleeps. */
import type { Clock, HttpDispatcher } from '../index.js';

export interface FakeRequest {
  method: string;
  origin: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
  /** The headers timeout the client asked undici for. */
  timeoutMs: number | undefined;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

export type FakeHandler = (req: FakeRequest, n: number) => FakeReply | Error;

export interface FakeDispatcher {
  dispatcher: HttpDispatcher;
  seen: FakeRequest[];
}

export function fakeDispatcher(handler: FakeHandler): FakeDispatcher {
  const seen: FakeRequest[] = [];
  const request = (opts: {
    origin?: unknown;
    path: string;
    method: string;
    headers?: unknown;
    body?: unknown;
    headersTimeout?: number;
  }) => {
    const url = new URL(opts.path, 'https://x');
    const req: FakeRequest = {
      method: opts.method,
      origin: String(opts.origin),
      path: url.pathname,
      query: url.searchParams,
      headers: { ...(opts.headers as Record<string, string>) },
      body: typeof opts.body === 'string' ? opts.body : '',
      timeoutMs: opts.headersTimeout,
    };
    seen.push(req);
    const reply = handler(req, seen.length);
    if (reply instanceof Error) return Promise.reject(reply);
    const bytes = Buffer.from(reply.body ?? '');
    return Promise.resolve({
      statusCode: reply.status ?? 200,
      // undici lower-cases header names; so does the fake.
      headers: Object.fromEntries(
        Object.entries({ 'content-type': 'application/json', ...reply.headers }).map(([k, v]) => [
          k.toLowerCase(),
          v,
        ]),
      ),
      body: {
        arrayBuffer: () =>
          Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)),
      },
    });
  };
  return { dispatcher: { request } as unknown as HttpDispatcher, seen };
}

export function ok(response: unknown, extra: Record<string, unknown> = {}): FakeReply {
  return { body: JSON.stringify({ stat: 'OK', response, ...extra }) };
}

export function fail(
  status: number,
  code: number | string | undefined,
  message?: string,
  detail?: string,
): FakeReply {
  return {
    status,
    body: JSON.stringify({
      stat: 'FAIL',
      ...(code === undefined ? {} : { code }),
      ...(message === undefined ? {} : { message }),
      ...(detail === undefined ? {} : { message_detail: detail }),
    }),
  };
}

export interface FakeClock extends Clock {
  sleeps: number[];
  advance(ms: number): void;
}

/** Starts at a fixed instant; `sleep` records the delay and moves time forward at once. */
export function fakeClock(start = Date.UTC(2026, 10, 22, 12, 0, 0)): FakeClock {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    sleep: (ms, signal) => {
      if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}
