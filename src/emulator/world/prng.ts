/**
 * Seeded randomness for the emulated world. Everything the world generates derives from `hashKey(seed, …)`
 * so the same seed gives the same tenant and logs byte for byte (docs/emulator.md).
 * Math.random is never used.
 */

/** 32-bit FNV-1a over the UTF-8-ish code units of the joined parts, then avalanche-mixed (murmur3 fmix). */
export function hash32(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  const text = parts.join('\u0001');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small deterministic generator (sfc32) with the helpers the generators need. */
export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** integer in [min, max] inclusive */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** picks by weight; weights need not sum to 1 */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  chance(p: number): boolean;
  /** `n` characters from `alphabet` */
  chars(n: number, alphabet: string): string;
}

/** sfc32 with its state on the instance (no per-call closures: generators make millions of these). */
class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(a: number, b: number, c: number, d: number) {
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = (d | 1) >>> 0;
    // Warm up: sfc32 needs a few rounds before its output is well mixed.
    for (let i = 0; i < 8; i++) this.u32();
  }
  u32(): number {
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  next(): number {
    return this.u32() / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new RangeError('weighted pick from an empty list');
    return last[0];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
}

export function createRng(...seedParts: readonly (string | number)[]): Rng {
  return new Sfc32(
    hash32('a', ...seedParts),
    hash32('b', ...seedParts),
    hash32('c', ...seedParts),
    hash32('d', ...seedParts),
  );
}

/** A generator keyed by integers only (a bucket hash and an index): no string hashing on the hot path. */
export function rngFrom(h: number, k: number): Rng {
  const mix = (x: number): number => {
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
    x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
    return (x ^ (x >>> 16)) >>> 0;
  };
  const a = mix(h ^ 0x9e3779b9);
  const b = mix(a ^ k);
  return new Sfc32(a, b, mix(b + 0x632be5ab), mix(h + k * 0x85ebca6b));
}

/** A lowercase v4-shaped UUID drawn from `r`. */
export function uuidFrom(r: Rng): string {
  const hex = r.chars(32, '0123456789abcdef');
  const variant = '89ab'[r.int(0, 3)] ?? '8';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Duo object ids: 20 characters, upper-case letters and digits, with a two-letter prefix (docs/duo-wire.md §5). */
export const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** DU user, DP phone, DH token, DG group, DI integration, DA account, DM management system, PO policy, DC cache. */
export function duoId(prefix: string, ...seedParts: readonly (string | number)[]): string {
  return prefix + createRng('id', prefix, ...seedParts).chars(18, ID_ALPHABET);
}

/** A lowercase v4-shaped UUID derived from the PRNG seed parts (auth-log txids look like this). */
export function seededUuid(...seedParts: readonly (string | number)[]): string {
  return uuidFrom(createRng('uuid', ...seedParts));
}

/** Base-32 secret (for HOTP/TOTP) derived from the PRNG seed parts. */
export function seededBase32(bytes: number, ...seedParts: readonly (string | number)[]): string {
  return createRng('secret', ...seedParts).chars(
    Math.ceil((bytes * 8) / 5),
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  );
}
