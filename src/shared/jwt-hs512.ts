/**
 * Compact JWTs signed HS512 with a shared secret: the only kind Duo's Universal Prompt (OIDC) uses, on both
 * sides (the request and client-assertion JWTs a client signs with its client secret, and the id_token Duo
 * signs with the same secret). Small on purpose: one algorithm, no `none`, no key lookup from the header.
 * The emulator and the verify capability share it; the official `@duosecurity/duo_universal` client (jose)
 * is tested against the emulator so both sides are also checked against an independent implementation.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type JwtClaims = Record<string, unknown>;

export type JwtFailure =
  'jwt_malformed' | 'jwt_algorithm' | 'jwt_signature' | 'jwt_expired' | 'jwt_not_yet_valid' | 'jwt_claim';

export class JwtError extends Error {
  readonly code: JwtFailure;
  constructor(code: JwtFailure, message: string) {
    super(message);
    this.name = 'JwtError';
    this.code = code;
  }
}

const b64 = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

function mac(input: string, secret: string): Buffer {
  return createHmac('sha512', secret).update(input).digest();
}

export function signHs512(claims: JwtClaims, secret: string): string {
  const head = b64(JSON.stringify({ alg: 'HS512', typ: 'JWT' }));
  const body = b64(JSON.stringify(claims));
  return `${head}.${body}.${b64(mac(`${head}.${body}`, secret))}`;
}

function parseJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw new JwtError('jwt_malformed', 'the token is not a JWT');
  }
}

/** The claims without checking anything (to find whose secret signed it, e.g. a client assertion's `iss`). */
export function peekClaims(token: string): JwtClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('jwt_malformed', 'the token is not a JWT');
  const claims = parseJson(parts[1] ?? '');
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    throw new JwtError('jwt_malformed', 'the token has no claims object');
  return claims as JwtClaims;
}

export interface VerifyOptions {
  /** Seconds since the epoch (injected clock). */
  nowS: number;
  /** Clock skew allowed on exp/iat/nbf, in seconds (Duo's clients allow 60). */
  leewayS?: number;
  /** Required exact values (`aud` also matches one entry of an array). */
  expect?: Record<string, string>;
  /** `exp` must be present (true for every token in this flow). */
  requireExp?: boolean;
}

/**
 * Checks the signature first (constant time), then the header's algorithm, expiry and the expected claims.
 * Throws JwtError with a stable code; the message never contains the token or the secret.
 */
export function verifyHs512(token: string, secret: string, opts: VerifyOptions): JwtClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => p === '' || !/^[A-Za-z0-9_-]+$/.test(p)))
    throw new JwtError('jwt_malformed', 'the token is not a JWT');
  const [head = '', body = '', sig = ''] = parts;
  const header = parseJson(head) as { alg?: unknown } | null;
  if (header === null || typeof header !== 'object' || header.alg !== 'HS512')
    throw new JwtError('jwt_algorithm', 'the token is not signed HS512');
  const given = Buffer.from(sig, 'base64url');
  const wanted = mac(`${head}.${body}`, secret);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    throw new JwtError('jwt_signature', 'the token signature does not verify');
  const claims = peekClaims(token);
  const leeway = opts.leewayS ?? 60;
  const exp = claims['exp'];
  if (exp === undefined ? opts.requireExp !== false : typeof exp !== 'number')
    throw new JwtError('jwt_claim', 'the token has no valid exp');
  if (typeof exp === 'number' && opts.nowS > exp + leeway)
    throw new JwtError('jwt_expired', 'the token has expired');
  for (const k of ['iat', 'nbf'] as const) {
    const v = claims[k];
    if (v === undefined) continue;
    if (typeof v !== 'number') throw new JwtError('jwt_claim', `the token's ${k} is not a number`);
    if (v > opts.nowS + leeway) throw new JwtError('jwt_not_yet_valid', `the token's ${k} is in the future`);
  }
  for (const [k, want] of Object.entries(opts.expect ?? {})) {
    const v = claims[k];
    const ok = Array.isArray(v) && k === 'aud' ? v.includes(want) : v === want;
    if (!ok) throw new JwtError('jwt_claim', `the token's ${k} is not the expected one`);
  }
  return claims;
}
