import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * scrypt password hashes with their parameters stored alongside (`scrypt$N$r$p$salt$hash`, base64url), so
 * the cost can be raised later without invalidating existing hashes: a hash made with weaker parameters is
 * replaced at the next successful sign-in (`needsRehash`). N=2^17, r=8, p=1 is the OWASP Password Storage
 * Cheat Sheet's recommendation for scrypt (128 MiB and a few hundred ms per hash; docs/server.md).
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LEN = 32;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // maxmem must exceed 128·N·r bytes or node refuses the parameters.
  const maxmem = 256 * params.N * params.r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LEN, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

function parseHash(stored: string): { params: ScryptParams; saltText: string; keyText: string } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, n, r, p, saltText, keyText] = parts as [string, string, string, string, string, string];
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every((v) => Number.isInteger(v) && v > 0)) return null;
  return { params, saltText, keyText };
}

/** True when the stored hash is weaker than `params` in any dimension (or unreadable). */
export function needsRehash(stored: string, params: ScryptParams): boolean {
  const parsed = parseHash(stored);
  if (parsed === null) return true;
  const have = parsed.params;
  return have.N < params.N || have.r < params.r || have.p < params.p;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (parsed === null) return false;
  const { params, saltText, keyText } = parsed;
  const expected = Buffer.from(keyText, 'base64url');
  const actual = await derive(password, Buffer.from(saltText, 'base64url'), params);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A hash of nothing, verified against when the username is unknown so timing does not reveal accounts. */
export function dummyHash(params: ScryptParams): Promise<string> {
  return hashPassword(randomBytes(12).toString('base64url'), params);
}

/** A generated password for the first administrator: 18 random bytes, 24 URL-safe characters. */
export function generatePassword(random: (n: number) => Buffer = randomBytes): string {
  return random(18).toString('base64url');
}
