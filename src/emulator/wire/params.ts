/**
 * Request parameters as Duo's servers read them (docs/duo-wire.md §2.3): the query for every method (`+` is a
 * space, as in `application/x-www-form-urlencoded`; Python's client writes it that way), plus the form body
 * of v1/v2 form posts. Repeated keys are kept in order; blank values are kept (`a=` is `a` = "").
 */
export type ParamPairs = Array<[string, string]>;

function decode(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Python's unquote replaces bad escapes rather than failing; keep the text as sent.
    return spaced;
  }
}

export function parseFormPairs(text: string): ParamPairs {
  const pairs: ParamPairs = [];
  if (text === '') return pairs;
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    if (eq < 0) pairs.push([decode(piece), '']);
    else pairs.push([decode(piece.slice(0, eq)), decode(piece.slice(eq + 1))]);
  }
  return pairs;
}

/** Read-only view over parsed pairs with the accessors endpoint handlers need. */
export class Params {
  constructor(readonly pairs: ReadonlyArray<readonly [string, string]>) {}

  get(key: string): string | undefined {
    for (const [k, v] of this.pairs) if (k === key) return v;
    return undefined;
  }

  all(key: string): string[] {
    const out: string[] = [];
    for (const [k, v] of this.pairs) if (k === key) out.push(v);
    return out;
  }

  has(key: string): boolean {
    return this.pairs.some(([k]) => k === key);
  }

  /** Values of `key`, or of `key[]` (the form some clients send lists in). */
  list(key: string): string[] {
    return [...this.all(key), ...this.all(`${key}[]`)];
  }

  /** A flat record (first value wins) for world functions that take `Record<string, string>`. */
  record(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.pairs) if (!(k in out)) out[k] = v;
    return out;
  }

  /** Merges a JSON body's top-level scalars (v4/v5 POSTs) after the query pairs. */
  withJson(json: unknown): Params {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return this;
    const extra: Array<[string, string]> = [];
    for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
      if (Array.isArray(v)) for (const item of v) extra.push([k, scalar(item)]);
      else extra.push([k, scalar(v)]);
    }
    return new Params([...this.pairs, ...extra]);
  }
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}
