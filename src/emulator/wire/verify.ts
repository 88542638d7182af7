import { timingSafeEqual } from 'node:crypto';
import {
  canonicalString,
  canonicalizePairs,
  hashXDuoHeaders,
  hmacHex,
  parseDuoDate,
  sha512Hex,
} from '../../duo/sign/index.js';
import { DuoApiError } from './duo-errors.js';
import { parseFormPairs, type ParamPairs } from './params.js';

/** Allowed distance between the request's date and emulator time (docs/duo-wire.md §2.2). */
export const MAX_SKEW_MS = 300_000;

export type VerifiedVersion = 'v2-sha1' | 'v2' | 'v4' | 'v5';

export interface RawRequest {
  method: string;
  /** The API hostname the client addressed (Host header), any case, with or without a port. */
  host: string;
  /** Path exactly as on the wire: percent-encoded, no query. */
  path: string;
  /** Query text after `?` (may be empty). */
  query: string;
  headers: Headers;
  /** The exact body bytes. v4/v5 hash these; the server never re-serializes (docs/duo-wire.md §1). */
  body: Uint8Array;
}

export interface VerifyOk {
  ok: true;
  ikey: string;
  version: VerifiedVersion;
  pairs: ParamPairs;
  dateMs: number;
}

export interface VerifyFail {
  ok: false;
  error: DuoApiError;
  ikey?: string;
}

/** Parses `Authorization: Basic base64(ikey:sig)`, splitting on the FIRST `:` (docs/duo-wire.md §2.1). */
export function parseAuthorization(header: string | null): { ikey: string; signature: string } | null {
  if (header === null) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header.trim());
  if (m === null) return null;
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { ikey: decoded.slice(0, colon), signature: decoded.slice(colon + 1) };
}

/** Query pairs, plus the form body's pairs for a form post (docs/duo-wire.md §2.3). */
export function requestPairs(req: RawRequest): ParamPairs {
  const pairs = parseFormPairs(req.query);
  const type = (req.headers.get('content-type') ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded') && req.body.length > 0) {
    pairs.push(...parseFormPairs(Buffer.from(req.body).toString('utf8')));
  }
  return pairs;
}

function xDuoHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.toLowerCase().startsWith('x-duo-')) out[name.toLowerCase()] = value;
  });
  return out;
}

function sameHex(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b.toLowerCase(), 'utf8');
  // Lengths are public (40 or 128 hex); compare contents in constant time.
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * Verifies one signed request the way Duo's servers do (docs/duo-wire.md §2): credentials, timestamp, then
 * v5, v4 and v2 (SHA-512, or SHA-1 when the signature is 40 hex) over the same parsed params. Version 3
 * was removed from every client and is never tried. `lookup` answers the secret key of an ikey valid on
 * this host, or undefined (40102).
 */
export function verifyRequest(
  req: RawRequest,
  lookup: (ikey: string, pairs: ParamPairs) => string | undefined,
  nowMs: number,
): VerifyOk | VerifyFail {
  const auth = parseAuthorization(req.headers.get('authorization'));
  if (auth === null) return { ok: false, error: new DuoApiError(40101) };
  const pairs = requestPairs(req);
  const skey = lookup(auth.ikey, pairs);
  if (skey === undefined) return { ok: false, error: new DuoApiError(40102), ikey: auth.ikey };
  // The server prefers X-Duo-Date when both are present (docs/duo-wire.md §1).
  const dateText = req.headers.get('x-duo-date') ?? req.headers.get('date');
  const dateMs = dateText === null ? null : parseDuoDate(dateText);
  if (dateText === null || dateMs === null)
    return { ok: false, error: new DuoApiError(40104), ikey: auth.ikey };

  const signature = auth.signature;
  const base = {
    date: dateText,
    method: req.method,
    host: req.host,
    path: req.path,
    params: canonicalizePairs(pairs),
  };
  let version: VerifiedVersion | null = null;
  if (/^[0-9a-fA-F]{40}$/.test(signature)) {
    if (sameHex(hmacHex(skey, canonicalString({ ...base, sigVersion: 2 }), 'sha1'), signature))
      version = 'v2-sha1';
  } else if (/^[0-9a-fA-F]{128}$/.test(signature)) {
    const bodyHash = sha512Hex(Buffer.from(req.body));
    let headersHash: string | null;
    try {
      headersHash = hashXDuoHeaders(xDuoHeaders(req.headers));
    } catch {
      headersHash = null;
    }
    if (headersHash !== null) {
      const v5 = canonicalString({ ...base, sigVersion: 5, bodyHash, headersHash });
      if (sameHex(hmacHex(skey, v5, 'sha512'), signature)) version = 'v5';
    }
    if (
      version === null &&
      sameHex(hmacHex(skey, canonicalString({ ...base, sigVersion: 4, bodyHash }), 'sha512'), signature)
    )
      version = 'v4';
    if (
      version === null &&
      sameHex(hmacHex(skey, canonicalString({ ...base, sigVersion: 2 }), 'sha512'), signature)
    )
      version = 'v2';
  }
  if (version === null) return { ok: false, error: new DuoApiError(40103), ikey: auth.ikey };
  // A correctly signed but stale request: Duo answers 401 (its mock does); we use 40103 because the signature
  // is only valid inside the ±300 s window. Assumption, documented in docs/emulator.md.
  if (Math.abs(dateMs - nowMs) > MAX_SKEW_MS)
    return { ok: false, error: new DuoApiError(40103), ikey: auth.ikey };
  return { ok: true, ikey: auth.ikey, version, pairs, dateMs };
}
