/**
 * Routes the client's requests to an in-process fetch handler (the emulator's `app.request`), so tests go
 * through the real emulator without sockets (docs/conventions.md §10). Only the `request` slice the client uses.
 */
import type { HttpDispatcher } from '../index.js';

export interface FetchApp {
  request(input: string, init?: RequestInit): Promise<Response>;
}

export function appDispatcher(app: FetchApp): HttpDispatcher {
  const request = async (opts: {
    origin?: unknown;
    path: string;
    method: string;
    headers?: unknown;
    body?: unknown;
  }) => {
    const res = await app.request(`${String(opts.origin)}${opts.path}`, {
      method: opts.method,
      headers: opts.headers as Record<string, string>,
      // A GET carries no body; a Request refuses even an empty one.
      ...(typeof opts.body === 'string' && opts.body !== '' ? { body: opts.body } : {}),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return {
      statusCode: res.status,
      headers,
      body: {
        arrayBuffer: () =>
          Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)),
      },
    };
  };
  return { request } as unknown as HttpDispatcher;
}
