/**
 * A log stream generated on demand: time is cut into fixed buckets, and each bucket's event count and
 * events derive from hash(seed, stream, bucket) alone. A window query walks only the buckets it covers, so
 * a tenant can hold millions of events without any of them sitting in memory. Events injected at run time
 * (scenarios, the Auth API engine) are kept in a small sorted list and merged in (ts ms, id) order — the
 * order Duo's auth-log cursor `[ts, txid]` implies (docs/duo-wire.md §4).
 */
import { hash32, rngFrom, type Rng } from './prng.js';

export interface StreamEntry<T> {
  ts: number;
  id: string;
  value: () => T;
}
export interface StreamKey {
  ts: number;
  id: string;
}

export interface StreamDef<T> {
  name: string;
  bucketMs: number;
  /** expected number of events in bucket b (any non-negative real) */
  rate(bucket: number): number;
  /** an event at tsMs with id, drawing everything else from `r` (keyed by seed, stream, bucket, index) */
  make(r: Rng, tsMs: number, id: string): T;
  /** draws an event id from the bucket's generator (cheap; ids order events sharing a millisecond) */
  makeId(r: Rng): string;
  /**
   * Optional: the event's facet (e.g. its user key) from the same generator `make` gets, without building the
   * event. Must equal what `make` would put there, so a facet filter can skip whole events cheaply.
   */
  facet?: (r: Rng, tsMs: number) => string;
}

export function compareKey(a: StreamKey, b: StreamKey): number {
  return a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Poisson sample from a uniform (inversion for small means, normal approximation for large ones). */
function poisson(mean: number, u1: number, u2: number): number {
  if (mean <= 0) return 0;
  if (mean > 40) {
    const z = Math.sqrt(-2 * Math.log(Math.max(u1, 1e-12))) * Math.cos(2 * Math.PI * u2);
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  while (u1 > cdf && k < 1000) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

export interface LogStream<T> {
  readonly def: StreamDef<T>;
  /** events in [lo, hi] ms (inclusive), generated plus injected, optionally filtered */
  count(lo: number, hi: number, pred?: (v: T) => boolean, facetOk?: (facet: string) => boolean): number;
  /** up to `limit` events strictly after `after` in the given order, within [lo, hi] */
  page(
    lo: number,
    hi: number,
    limit: number,
    desc: boolean,
    after?: StreamKey,
    pred?: (v: T) => boolean,
    facetOk?: (facet: string) => boolean,
  ): { items: StreamEntry<T>[]; more: boolean };
  inject(ts: number, id: string, value: T): void;
  injectedCount(): number;
}

export function createLogStream<T>(seed: string, def: StreamDef<T>, startMs: number): LogStream<T> {
  const B = def.bucketMs;
  const injected: { ts: number; id: string; value: T }[] = [];

  // Counts are pure functions of the bucket; memoizing them (numbers only) makes repeated totals cheap.
  const counts = new Map<number, number>();
  const bucketCount = (b: number): number => {
    const hit = counts.get(b);
    if (hit !== undefined) return hit;
    const n = computeCount(b);
    if (counts.size > 500_000) counts.clear();
    counts.set(b, n);
    return n;
  };
  const computeCount = (b: number): number => {
    if ((b + 1) * B <= startMs) return 0;
    const u1 = hash32(seed, def.name, 'n1', b) / 4294967296;
    const u2 = hash32(seed, def.name, 'n2', b) / 4294967296;
    return poisson(def.rate(b), u1, u2);
  };
  /** the bucket's generated keys, sorted ascending; only timestamps and ids, not the events */
  const bucketKeys = (b: number): { ts: number; id: string; k: number }[] => {
    const n = bucketCount(b);
    if (n === 0) return [];
    const r = rngFrom(hash32(seed, def.name, 'ts', b), n);
    const keys: { ts: number; id: string; k: number }[] = [];
    for (let k = 0; k < n; k++) {
      const ts = b * B + Math.floor(r.next() * B);
      const id = def.makeId(r);
      if (ts >= startMs) keys.push({ ts, id, k });
    }
    keys.sort(compareKey);
    return keys;
  };
  const injectedIn = (lo: number, hi: number): { ts: number; id: string; value: T }[] => {
    // injected is sorted; find the first with ts >= lo by binary search
    let a = 0;
    let z = injected.length;
    while (a < z) {
      const m = (a + z) >> 1;
      if ((injected[m] as { ts: number }).ts < lo) a = m + 1;
      else z = m;
    }
    const out: { ts: number; id: string; value: T }[] = [];
    for (let i = a; i < injected.length; i++) {
      const e = injected[i] as { ts: number; id: string; value: T };
      if (e.ts > hi) break;
      out.push(e);
    }
    return out;
  };
  const bucketEntries = (
    b: number,
    lo: number,
    hi: number,
    facetOk?: (facet: string) => boolean,
  ): StreamEntry<T>[] => {
    const out: StreamEntry<T>[] = [];
    const hb = hash32(seed, def.name, 'ev', b);
    const facet = facetOk === undefined ? undefined : def.facet;
    for (const key of bucketKeys(b)) {
      if (key.ts < lo || key.ts > hi) continue;
      // A generated event whose facet fails cannot match: skip it without building it.
      if (facet !== undefined && facetOk !== undefined && !facetOk(facet(rngFrom(hb, key.k), key.ts)))
        continue;
      let cached: T | undefined;
      out.push({
        ts: key.ts,
        id: key.id,
        value: () => (cached ??= def.make(rngFrom(hb, key.k), key.ts, key.id)),
      });
    }
    for (const e of injectedIn(Math.max(lo, b * B), Math.min(hi, b * B + B - 1)))
      out.push({ ts: e.ts, id: e.id, value: () => e.value });
    out.sort(compareKey);
    return out;
  };

  return {
    def,
    count(lo, hi, pred, facetOk) {
      if (hi < lo) return 0;
      const b0 = Math.floor(lo / B);
      const b1 = Math.floor(hi / B);
      let total = 0;
      if (pred === undefined) {
        for (let b = b0; b <= b1; b++) {
          if (b === b0 || b === b1 || b * B < startMs) {
            for (const k of bucketKeys(b)) if (k.ts >= lo && k.ts <= hi) total++;
          } else total += bucketCount(b);
        }
        return total + injectedIn(lo, hi).length;
      }
      for (let b = b0; b <= b1; b++)
        for (const e of bucketEntries(b, lo, hi, facetOk)) if (pred(e.value())) total++;
      return total;
    },
    page(lo, hi, limit, desc, after, pred, facetOk) {
      const items: StreamEntry<T>[] = [];
      if (hi < lo || limit <= 0) return { items, more: false };
      const b0 = Math.floor(lo / B);
      const b1 = Math.floor(hi / B);
      const step = desc ? -1 : 1;
      let b = desc ? b1 : b0;
      if (after !== undefined) {
        const ab = Math.floor(after.ts / B);
        b = desc ? Math.min(b1, ab) : Math.max(b0, ab);
      }
      for (; desc ? b >= b0 : b <= b1; b += step) {
        const entries = bucketEntries(b, lo, hi, pred === undefined ? undefined : facetOk);
        if (desc) entries.reverse();
        for (const e of entries) {
          if (after !== undefined) {
            const c = compareKey(e, after);
            if (desc ? c >= 0 : c <= 0) continue;
          }
          if (pred !== undefined && !pred(e.value())) continue;
          if (items.length === limit) return { items, more: true };
          items.push(e);
        }
      }
      return { items, more: false };
    },
    inject(ts, id, value) {
      const e = { ts, id, value };
      let a = 0;
      let z = injected.length;
      while (a < z) {
        const m = (a + z) >> 1;
        if (compareKey(injected[m] as StreamKey, e) < 0) a = m + 1;
        else z = m;
      }
      injected.splice(a, 0, e);
    },
    injectedCount: () => injected.length,
  };
}

/** Activity by hour of week (local time of the ms given): business hours busy, nights and weekends quiet; mean over a week is 1. */
const HOURLY = [
  0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.7, 1.4, 2.2, 2.4, 2.2, 2.0, 1.7, 2.0, 2.2, 2.1, 1.8, 1.3, 0.9, 0.7, 0.5,
  0.4, 0.3, 0.2,
];
const WEEKEND = 0.25;
const NORM = (() => {
  const day = HOURLY.reduce((a, b) => a + b, 0);
  return (24 * 7) / (day * 5 + day * 2 * WEEKEND);
})();
export function weekShape(ms: number): number {
  const d = new Date(ms);
  const dow = d.getUTCDay();
  const h = HOURLY[d.getUTCHours()] ?? 1;
  return h * (dow === 0 || dow === 6 ? WEEKEND : 1) * NORM;
}
