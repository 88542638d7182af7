import { compareCodePoints, pythonJson } from '../../duo/sign/index.js';

/**
 * Python's `json.dumps(obj, sort_keys=True)` with default separators, byte-identical to the shared
 * `pythonJson(obj, {compact: false})` (property-tested in python-dumps.test.ts) but built for the
 * emulator's hot path: a 1000-event auth-log page is ~1 MB of JSON and must not bound client benchmarks.
 * Strings go through the engine's JSON.stringify (same short escapes and lowercase `\u00XX` as Python for
 * controls) and then every code unit outside space..`~` becomes `\uXXXX`, which is `ensure_ascii`.
 */
export function pythonDumps(value: unknown): string {
  return nativeDumps(value) ?? slowDumps(value);
}

/** The pure-JS writer: handles every case the native path declines. */
export function slowDumps(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

/** Thrown inside `sortedCopy` when the native path cannot reproduce Python's bytes (never escapes). */
class Decline extends Error {}
const DECLINE = new Decline('native JSON path declined');

/** Keys already checked to be neither array indices nor holding surrogates (event keys repeat endlessly). */
const SAFE_KEYS = new Set<string>();

function checkKey(k: string): void {
  if (SAFE_KEYS.has(k)) return;
  // Engines order array-index keys numerically; Python sorts them as text. Surrogates need code points.
  if (ARRAY_INDEX.test(k) || SURROGATE.test(k)) throw DECLINE;
  if (SAFE_KEYS.size < 10_000) SAFE_KEYS.add(k);
}

/**
 * The value with keys sorted at every depth; throws DECLINE where JavaScript and Python would differ. An
 * object or array that is already in order is returned as it is (no copy): the emulator builds its events
 * with sorted keys, so a 1000-event page is checked, not rebuilt (less garbage on the hot path).
 */
function sortedCopy(v: unknown): unknown {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw DECLINE;
    return v;
  }
  if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw DECLINE;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      const c = sortedCopy(item);
      if (c !== item && out === null) out = v.slice(0, i) as unknown[];
      if (out !== null) out.push(c);
    }
    return out ?? v;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) throw DECLINE;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  let inOrder = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    checkKey(k);
    if (i > 0 && (keys[i - 1] as string) > k) inOrder = false;
  }
  if (inOrder) {
    let out: Record<string, unknown> | null = null;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const c = sortedCopy(obj[k]);
      if (c !== obj[k] && out === null) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j] as string] = obj[keys[j] as string];
      }
      if (out !== null) out[k] = c;
    }
    return out ?? v;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys.sort()) out[k] = sortedCopy(obj[k]);
  return out;
}

const NEWLINE_AFTER_COMMA = /,\n */g;
const NEWLINE = /\n */g;

/**
 * Python's `", "` and `": "` separators from the engine's own indented output: `JSON.stringify(v, null, 1)`
 * already writes `": "`, and every newline in it is structural (strings escape theirs), so dropping the
 * newlines and their indentation — keeping one space after a comma — gives Python's bytes without a scan in
 * JavaScript.
 */
function pythonSeparators(indented: string): string {
  return indented.replace(NEWLINE_AFTER_COMMA, ', ').replace(NEWLINE, '');
}

/**
 * The fast path: keys sorted in a copy, the engine's JSON.stringify, then Python's separators and
 * `ensure_ascii`. It declines (null) where JavaScript and Python disagree: non-integer numbers (float repr),
 * keys an engine would reorder (array indices) or that hold surrogates (code-point order), and values that
 * are not plain JSON (toJSON, class instances, functions, bigints).
 */
function nativeDumps(value: unknown): string | null {
  let copy: unknown;
  try {
    copy = sortedCopy(value);
  } catch (err) {
    if (err === DECLINE) return null;
    throw err;
  }
  const json = JSON.stringify(copy, null, 1) as string | undefined;
  if (json === undefined) return null;
  const spaced = pythonSeparators(json);
  return PLAIN.test(spaced) ? spaced : spaced.replace(NON_ASCII, escapeUnit);
}

const PLAIN = /^[\x20-\x7e]*$/;
const NON_ASCII = /[^\x20-\x7e]/g;
const SURROGATE = /[\ud800-\udfff]/;

function escapeUnit(ch: string): string {
  return '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
}

export function pythonDumpsString(s: string): string {
  const json = JSON.stringify(s);
  // JSON.stringify leaves printable ASCII, escaped controls, `\"` and `\\` ASCII; only non-ASCII remains.
  return PLAIN.test(json) ? json : json.replace(NON_ASCII, escapeUnit);
}

function sortedKeys(obj: Record<string, unknown>): string[] {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  // Code-unit order equals code-point order unless a key holds surrogates (astral characters).
  if (keys.some((k) => SURROGATE.test(k))) return keys.sort(compareCodePoints);
  return keys.sort();
}

function write(value: unknown, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'string') {
    out.push(pythonDumpsString(value));
  } else if (typeof value === 'number') {
    out.push(Number.isSafeInteger(value) ? String(value) : pythonJson(value, { compact: false }));
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(', ');
      write(value[i], out);
    }
    out.push(']');
  } else if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    out.push('{');
    let first = true;
    for (const k of sortedKeys(obj)) {
      if (!first) out.push(', ');
      first = false;
      out.push(pythonDumpsString(k), ': ');
      write(obj[k], out);
    }
    out.push('}');
  } else {
    out.push(pythonJson(value, { compact: false }));
  }
}
