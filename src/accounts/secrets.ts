import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Session ids and API tokens are 256-bit random strings; only their SHA-256 is stored, so a database leak
 * does not hand out working credentials (a plain hash suffices for high-entropy tokens, unlike passwords).
 */
export type RandomBytes = (n: number) => Buffer;

export const TOKEN_PREFIX = 'dwt_';

export function newSecret(random: RandomBytes = randomBytes): string {
  return random(32).toString('base64url');
}

export function newApiToken(random: RandomBytes = randomBytes): string {
  return TOKEN_PREFIX + newSecret(random);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newId(random: RandomBytes = randomBytes): string {
  return random(12).toString('hex');
}
