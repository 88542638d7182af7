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
const TOKENS = /"(?:[^"\\]|\\.)*"|[,:]/g;

/**
 * The fast path: the engine's JSON.stringify with keys sorted by a replacer, then Python's separators put
 * back outside strings and non-ASCII escaped. It declines (null) where JavaScript and Python disagree:
 * non-integer numbers (float repr), keys an engine would reorder (array indices) or that hold surrogates
 * (code-point order), and values with toJSON.
 */
function nativeDumps(value: unknown): string | null {
  let declined = false;
  const json = JSON.stringify(value, function (this: unknown, _key: string, v: unknown): unknown {
    if (declined) return null;
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) declined = true;
      return v;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    if (Object.getPrototypeOf(v) !== Object.prototype) {
      declined = true;
      return null;
    }
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj);
    const sorted: Record<string, unknown> = {};
    for (const k of keys.sort()) {
      if (ARRAY_INDEX.test(k) || SURROGATE.test(k)) {
        declined = true;
        return null;
      }
      sorted[k] = obj[k];
    }
    return sorted;
  });
  if (declined || json === undefined) return null;
  const spaced = json.replace(TOKENS, (t) => (t === ',' ? ', ' : t === ':' ? ': ' : t));
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
