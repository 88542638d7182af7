import { compareCodePoints, pythonJson } from '../../duo/sign/index.js';

/**
 * Python's `json.dumps(obj, sort_keys=True)` with default separators, byte-identical to the shared
 * `pythonJson(obj, {compact: false})` (property-tested in python-dumps.test.ts) but built for the
 * emulator's hot path: a 1000-event auth-log page is ~1 MB of JSON and must not bound client benchmarks.
 * Strings go through the engine's JSON.stringify (same short escapes and lowercase `\u00XX` as Python for
 * controls) and then every code unit outside space..`~` becomes `\uXXXX`, which is `ensure_ascii`.
 */
export function pythonDumps(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
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
