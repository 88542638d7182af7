/**
 * Python's `json.dumps(obj, sort_keys=True, ensure_ascii=True)` byte for byte.
 *
 * Duo's official Python client (the reference, docs/duo-wire.md §1) signs v4/v5 JSON bodies serialized with
 * `separators=(',', ':')`; Duo's servers answer with the default separators `', '` and `': '`. JavaScript's
 * JSON.stringify differs in key order, non-ASCII output and float formatting, so both the client and the
 * emulator use this serializer instead.
 */
export interface PythonJsonOptions {
  /** `true`: `(',', ':')` as the Python client's request bodies; `false`: Python's default `(', ', ': ')`. */
  compact: boolean;
}

export function pythonJson(value: unknown, options: PythonJsonOptions): string {
  const out: string[] = [];
  write(value, options.compact ? ',' : ', ', options.compact ? ':' : ': ', out);
  return out.join('');
}

function write(value: unknown, itemSep: string, keySep: string, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'string') {
    out.push(pythonString(value));
  } else if (typeof value === 'number') {
    out.push(pythonNumber(value));
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (typeof value === 'bigint') {
    out.push(value.toString());
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(itemSep);
      write(item, itemSep, keySep, out);
    });
    out.push(']');
  } else if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => compareCodePoints(a, b));
    out.push('{');
    entries.forEach(([k, v], i) => {
      if (i > 0) out.push(itemSep);
      out.push(pythonString(k), keySep);
      write(v, itemSep, keySep, out);
    });
    out.push('}');
  } else {
    throw new TypeError(`cannot serialize a ${typeof value} as JSON`);
  }
}

/** Python sorts str keys by code point; JavaScript's default sort compares UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const na = ia.next();
    const nb = ib.next();
    if (na.done === true) return nb.done === true ? 0 : -1;
    if (nb.done === true) return 1;
    const ca = na.value.codePointAt(0) ?? 0;
    const cb = nb.value.codePointAt(0) ?? 0;
    if (ca !== cb) return ca - cb;
  }
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** ensure_ascii: everything outside space..~ becomes \uXXXX (lowercase hex, UTF-16 units, so astral = pairs). */
function pythonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const code = s.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/**
 * Integers print as Python ints. Other numbers follow Python's float repr: the same shortest round-trip
 * digits as JavaScript, but scientific notation below 1e-4 and from 1e16, with a signed two-digit exponent.
 */
function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Number.isSafeInteger(n)) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    const [mantissa = '', exp = '0'] = n.toExponential().split('e');
    const e = Number(exp);
    const sign = e < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const s = String(n);
  if (s.includes('e')) {
    // JavaScript switches to exponent form at 1e21 / 1e-7; Python wants positional digits in this range.
    return n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '.0');
  }
  return s.includes('.') ? s : `${s}.0`;
}
