import { createHash, createHmac } from 'node:crypto';
import { canonicalizeParams, paramPairs, type QueryParams } from './canon-params.js';
import { formatDuoDate } from './duo-date.js';
import { pythonJson } from './python-json.js';

export type SigVersion = 2 | 4 | 5;
export type SigDigest = 'sha512' | 'sha1';
export type ParamsMode = 'query' | 'form' | 'json';

export interface SignInput {
  ikey: string;
  skey: string;
  method: string;
  /** The API hostname. Lower-cased; a `:port` is dropped (Duo signs the bare host). */
  host: string;
  /** Exactly as it goes on the wire: still percent-encoded, no query. */
  path: string;
  /** For `query`/`form`: scalars or arrays of scalars. For `json`: any JSON object. */
  params?: QueryParams | Readonly<Record<string, unknown>>;
  /** The exact `Date` (or `X-Duo-Date`) text, or a Date formatted the way Python does. Default: now. */
  date?: string | Date;
  sigVersion?: SigVersion;
  /** Only v2 may ask for `sha1` (a 40-hex signature Duo still accepts). */
  digest?: SigDigest;
  /** Extra `X-Duo-*` headers; hashed into v5 signatures. An `x-duo-date` here is the signed date. */
  headers?: Readonly<Record<string, string>>;
  /** Defaults as Python 5.6.1 chooses: GET/DELETE `query`; other methods `json` on v4/v5, `form` on v2. */
  paramsMode?: ParamsMode;
}

export interface SignedRequest {
  authorization: string;
  canonical: string;
  /** The JSON body to send (`json` mode); null otherwise. */
  body: string | null;
  /** The form body to send (`form` mode); null otherwise. */
  form: string | null;
  /** Query string without `?` (empty when there are no query params). */
  query: string;
  /** Every header to send: Authorization, Date or X-Duo-Date, the X-Duo-* extras, Content-Type, Host. */
  headers: Record<string, string>;
}

export class SignError extends Error {
  readonly code = 'sign_invalid_input';
}

export const EMPTY_SHA512 = sha512Hex('');

export function sha512Hex(data: string | Buffer): string {
  return createHash('sha512').update(data).digest('hex');
}

/**
 * v5 header hash (docs/duo-wire.md §1): names lower-cased and sorted, joined `name\0value\0…`, sha512 hex.
 * Throws for a name that is not `x-duo-*`, contains NUL, or repeats by case.
 */
export function hashXDuoHeaders(headers: Readonly<Record<string, string>>): string {
  const names = Object.keys(headers);
  if (names.length === 0) return EMPTY_SHA512;
  const lowered = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('x-duo-'))
      throw new SignError(`header ${JSON.stringify(name)} is not an X-Duo-* header`);
    if (name.includes('\0') || value.includes('\0'))
      throw new SignError('X-Duo-* headers may not contain NUL');
    if (lowered.has(lower)) throw new SignError(`header ${JSON.stringify(name)} is repeated`);
    lowered.set(lower, value);
  }
  const parts: string[] = [];
  for (const name of [...lowered.keys()].sort()) parts.push(name, lowered.get(name) ?? '');
  return sha512Hex(parts.join('\0'));
}

export function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/:\d+$/, '');
}

/** The canonical string for a version, from already-canonical parts. The emulator verifies with this too. */
export function canonicalString(parts: {
  sigVersion: SigVersion;
  date: string;
  method: string;
  host: string;
  path: string;
  params: string;
  bodyHash?: string;
  headersHash?: string;
}): string {
  const lines = [parts.date, parts.method.toUpperCase(), normalizeHost(parts.host), parts.path, parts.params];
  if (parts.sigVersion >= 4) lines.push(parts.bodyHash ?? EMPTY_SHA512);
  if (parts.sigVersion === 5) lines.push(parts.headersHash ?? EMPTY_SHA512);
  return lines.join('\n');
}

export function hmacHex(skey: string, canonical: string, digest: SigDigest): string {
  return createHmac(digest, Buffer.from(skey, 'utf8')).update(Buffer.from(canonical, 'utf8')).digest('hex');
}

export function basicAuthorization(ikey: string, signature: string): string {
  return 'Basic ' + Buffer.from(`${ikey}:${signature}`, 'utf8').toString('base64');
}

function defaultMode(method: string, sigVersion: SigVersion): ParamsMode {
  if (method === 'GET' || method === 'DELETE') return 'query';
  return sigVersion >= 4 ? 'json' : 'form';
}

/** Signs one Duo request byte-for-byte as the official Python client 5.6.1 does. Pure: no I/O. */
export function signRequest(input: SignInput): SignedRequest {
  const method = input.method.toUpperCase();
  const sigVersion: SigVersion = input.sigVersion ?? 5;
  if (![2, 4, 5].includes(sigVersion))
    throw new SignError(`signature version ${String(sigVersion)} is not supported`);
  const digest: SigDigest = input.digest ?? 'sha512';
  if (digest === 'sha1' && sigVersion !== 2) throw new SignError('sha1 signatures exist only in version 2');
  const mode = input.paramsMode ?? defaultMode(method, sigVersion);
  if (mode === 'json' && sigVersion < 4) throw new SignError('JSON bodies need signature version 4 or 5');
  if (mode === 'form' && sigVersion > 2) throw new SignError('form bodies are signed with version 2');
  const extra = input.headers ?? {};
  if (Object.keys(extra).length > 0 && sigVersion !== 5)
    throw new SignError('X-Duo-* headers need version 5');

  const xDuoDate = Object.entries(extra).find(([k]) => k.toLowerCase() === 'x-duo-date')?.[1];
  const date =
    xDuoDate ?? (typeof input.date === 'string' ? input.date : formatDuoDate(input.date ?? new Date()));
  const params = input.params ?? {};

  let paramsLine = '';
  let body: string | null = null;
  let form: string | null = null;
  let query = '';
  if (mode === 'json') {
    body = pythonJson(params, { compact: true });
  } else {
    paramsLine = canonicalizeParams(params as QueryParams);
    if (mode === 'form') form = paramsLine;
    else query = paramsLine;
  }
  const headersHash = sigVersion === 5 ? hashXDuoHeaders(extra) : undefined;
  const canonical = canonicalString({
    sigVersion,
    date,
    method,
    host: input.host,
    path: input.path,
    params: paramsLine,
    bodyHash: body === null || body === '' ? EMPTY_SHA512 : sha512Hex(body),
    ...(headersHash === undefined ? {} : { headersHash }),
  });
  const authorization = basicAuthorization(input.ikey, hmacHex(input.skey, canonical, digest));

  const headers: Record<string, string> = { Authorization: authorization, Host: normalizeHost(input.host) };
  if (xDuoDate === undefined) headers['Date'] = date;
  for (const [k, v] of Object.entries(extra)) headers[k] = v;
  if (mode === 'json') headers['Content-Type'] = 'application/json';
  if (mode === 'form') headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return { authorization, canonical, body, form, query, headers };
}

/** Re-exported for callers that build pairs themselves (the emulator's verifier). */
export { paramPairs };
