import { createHash } from 'node:crypto';
import { pythonDumps } from './python-dumps.js';

/**
 * Headers every Duo API answer carries (docs/duo-wire.md §3, read off saved real responses). `Date` comes from the
 * emulator clock so a client's skew detection sees emulator time.
 */
export function duoHeaders(contentType: string, dateMs?: number): Headers {
  const h = new Headers();
  h.set('Server', 'Duo/1.0');
  h.set('Content-Type', contentType);
  h.set('Cache-Control', 'no-store');
  h.set('Pragma', 'no-cache');
  h.set('Strict-Transport-Security', 'max-age=31536000');
  if (dateMs !== undefined) h.set('Date', new Date(dateMs).toUTCString());
  return h;
}

/**
 * Python `json.dumps(obj, sort_keys=True)` with the default separators: Duo's response bytes. Same bytes as
 * `pythonJson(obj, {compact: false})` from duo/sign, through a faster writer (see python-dumps.ts).
 */
export function duoBodyText(body: unknown): string {
  return pythonDumps(body);
}

export function etagOf(text: string | Uint8Array): string {
  return `"${createHash('sha1').update(text).digest('hex')}"`;
}

/**
 * A JSON answer with Duo's bytes and headers; GETs also carry `Etag` = quoted lowercase SHA-1 of the body.
 * `body` is the whole document (`{"stat": "OK", "response": …}` or a FAIL body).
 */
export function duoResponse(
  body: unknown,
  options: { status?: number; method: string; dateMs?: number; text?: string },
): Response {
  const text = options.text ?? duoBodyText(body);
  const headers = duoHeaders('application/json', options.dateMs);
  if (options.method === 'GET' && (options.status ?? 200) === 200) headers.set('Etag', etagOf(text));
  return new Response(text, { status: options.status ?? 200, headers });
}

/** `{"stat": "OK", "response": …}` plus top-level extras (v1 paging metadata lives beside `response`). */
export function okResponse(
  response: unknown,
  options: { method: string; dateMs?: number; extra?: Record<string, unknown> },
): Response {
  return duoResponse(
    { ...(options.extra ?? {}), stat: 'OK', response },
    { method: options.method, ...(options.dateMs === undefined ? {} : { dateMs: options.dateMs }) },
  );
}
