/**
 * Duo's `canon_params` as the official Python client writes it (docs/duo-wire.md §1): UTF-8, every byte outside
 * `A-Z a-z 0-9 - . _ ~` as uppercase `%XX`, pairs sorted by the encoded key and then by each key's encoded
 * values, repeated keys repeated. Node's client sorts raw keys and keeps array order; we copy Python.
 */
export type ParamScalar = string | number | boolean;
export type ParamValue = ParamScalar | readonly ParamScalar[];
export type QueryParams = Readonly<Record<string, ParamValue>>;

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
// encodeURIComponent leaves these five unescaped besides Python's unreserved set; `~` stays, the rest go.
const EXTRA = /[!'()*]/g;

function percentEncodeBytes(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += UNRESERVED.test(ch) ? ch : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function percentEncode(text: string): string {
  try {
    // Same bytes as the loop below (UTF-8, uppercase hex), several times faster on the signing hot path.
    return encodeURIComponent(text).replace(EXTRA, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  } catch {
    // A lone surrogate: encodeURIComponent throws where Buffer writes U+FFFD; keep Buffer's bytes.
    return percentEncodeBytes(text);
  }
}

export function scalarToString(value: ParamScalar): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

/** Flattens a params record into `[key, value]` string pairs, keeping repeated keys. */
export function paramPairs(params: QueryParams): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(params)) {
    const values = Array.isArray(value) ? (value as readonly ParamScalar[]) : [value as ParamScalar];
    for (const v of values) pairs.push([key, scalarToString(v)]);
  }
  return pairs;
}

function byEncodedPair(a: readonly [string, string], b: readonly [string, string]): number {
  // Encoded text is ASCII, so code-unit order is byte order, as in Python.
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}

/** The params line from string pairs (what a server parsed off the wire, or `paramPairs` output). */
export function canonicalizePairs(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(byEncodedPair)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function canonicalizeParams(params: QueryParams): string {
  return canonicalizePairs(paramPairs(params));
}
