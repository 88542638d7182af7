/**
 * Seeded randomness for the emulated world. Everything the world generates derives from `hashKey(seed, …)`
 * so the same seed gives the same tenant and logs byte for byte (issue 3, "deterministic from a seed").
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

export function createRng(...seedParts: readonly (string | number)[]): Rng {
  let a = hash32('a', ...seedParts);
  let b = hash32('b', ...seedParts);
  let c = hash32('c', ...seedParts);
  let d = hash32('d', ...seedParts) | 1;
  const u32 = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up: sfc32 needs a few rounds before its output is well mixed.
  for (let i = 0; i < 12; i++) u32();
  const next = (): number => u32() / 4294967296;
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      let total = 0;
      for (const [, w] of items) total += w;
      let r = next() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      const last = items[items.length - 1];
      if (last === undefined) throw new RangeError('weighted pick from an empty list');
      return last[0];
    },
    chance: (p) => next() < p,
    chars: (n, alphabet) => {
      let s = '';
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
      return s;
    },
  };
  return rng;
}

/** Duo object ids: 20 characters, upper-case letters and digits, with a two-letter prefix (duo-wire.md §5). */
export const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** DU user, DP phone, DH token, DG group, DI integration, DA account, DM management system, PO policy, DC cache. */
export function duoId(prefix: string, ...seedParts: readonly (string | number)[]): string {
  return prefix + createRng('id', prefix, ...seedParts).chars(18, ID_ALPHABET);
}

/** A lowercase v4-shaped UUID derived from the seed parts (auth-log txids look like this). */
export function seededUuid(...seedParts: readonly (string | number)[]): string {
  const r = createRng('uuid', ...seedParts);
  const hex = r.chars(32, '0123456789abcdef');
  const variant = '89ab'[r.int(0, 3)] ?? '8';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Base-32 secret (for HOTP/TOTP) derived from the seed parts. */
export function seededBase32(bytes: number, ...seedParts: readonly (string | number)[]): string {
  return createRng('secret', ...seedParts).chars(
    Math.ceil((bytes * 8) / 5),
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  );
}
