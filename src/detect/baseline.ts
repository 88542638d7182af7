/**
 * Per-user and per-organization history the rules compare against, persisted so a restart does not forget
 * who logged in from where (docs/detect.md "Baselines"). Sizes are capped: a user keeps the 64 most recent IPs,
 * 32 countries and 15 days of remembered-device counts; an organization 15 days of hourly telephony credits.
 */
import { OrgPlaces, SeenBy, type StoredSeenBy } from './org-places.js';

/** [first seen, last seen] of a key in event time (ms). */
export type Seen = [first: number, last: number];

/** Separates the keys of a `SeenKeys` list; a key containing it (never an IP or a country) is not kept. */
const SEP = '\n';
const SEP_CODE = 10;
/**
 * Each key is written after its position as one character, `POS_BASE + i` (one byte, so the string stays
 * one-byte): finding a key is one native search, where counting the separators before it was a native call per
 * earlier key (the most frequent lookups of the engine, docs/detect.md "Throughput, seventh pass"). Positions
 * past `POS_LAST` (a list longer than any cap) are counted as before.
 */
const POS_BASE = 0x21;
const POS_LAST = 0xfe;
const posChar = (i: number): string => String.fromCharCode(Math.min(POS_BASE + i, POS_LAST + 1));

/**
 * The last lookup in a user's IP list and in a country list (two entries for the whole engine: no memory per
 * user). The rules and then the learning step look up the same event's address and country, alternating
 * between the two lists. A lookup's answer depends only on the joined keys and the key, so two users with the
 * same keys may share an entry.
 */
const memo = { list: '', key: '', index: -1, list2: '', key2: '', index2: -1 };

/**
 * Keys (IP addresses, countries) with when each was first and last seen, in the order first seen: the keys as
 * one string (`\n` position key `\n` position key `\n`) and one flat list of times `[first, last, …]` of exactly
 * its length. One string per list instead of one per key: a user's fifteen addresses were fifteen strings
 * scattered over the heap, and comparing the event's address with each was a cache miss per key (a tenth of the
 * engine's time); the joined string is a few cache lines that `String.prototype.indexOf` scans, and holds a third
 * of the memory.
 */
export class SeenKeys {
  private joined = SEP;
  private n = 0;
  /** Doubles (event times are beyond small integers), so the list stores them unboxed. */
  private times: number[] = [];
  /**
   * The last key found in this list and its position. A user logs in from the address of the login before half
   * the time, and from the same country three times in four (the bench mix): comparing with that key first
   * spares the search of the whole list (docs/detect.md "Throughput, ninth pass"). It holds the event's string,
   * most often the same one as the last location's address; a position in the joined keys instead, compared with
   * `startsWith`, cost more than the search it spared (V8 inlines it as a loop over the characters).
   */
  private hitKey: string | null = null;
  private hitIndex = -1;

  /** From a key list and its `[first, last, …]` times (keys that cannot be kept are left out). */
  static of(keys: readonly string[], times: readonly number[]): SeenKeys {
    const m = new SeenKeys();
    const kept: string[] = [];
    const t: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      if (!SeenKeys.storable(k)) continue;
      kept.push(posChar(kept.length) + k);
      t.push(times[2 * i] as number, times[2 * i + 1] as number);
    }
    m.joined = kept.length === 0 ? SEP : SEP + kept.join(SEP) + SEP;
    m.n = kept.length;
    m.times = t;
    return m;
  }

  /** A key the list can hold: not empty, without the separator. */
  static storable(key: string): boolean {
    return key !== '' && !key.includes(SEP);
  }

  get size(): number {
    return this.n;
  }
  /** Position of `key`, or −1. */
  indexOf(key: string): number {
    const s = this.joined;
    if (s === memo.list && key === memo.key) return memo.index;
    if (s === memo.list2 && key === memo.key2) return memo.index2;
    if (key === this.hitKey) return this.hitIndex;
    const index = this.find(s, key);
    memo.list2 = memo.list;
    memo.key2 = memo.key;
    memo.index2 = memo.index;
    memo.list = s;
    memo.key = key;
    memo.index = index;
    return index;
  }
  private find(s: string, key: string): number {
    if (this.n === 0 || !SeenKeys.storable(key)) return -1;
    // A match must be a whole key: its position character right after a separator before it, and a separator
    // after it ("10.0.0.1" is inside "10.0.0.12", "0.0.1" the tail of "10.0.0.1").
    let p = s.indexOf(key, 2);
    while (p >= 0 && (s.charCodeAt(p - 2) !== SEP_CODE || s.charCodeAt(p + key.length) !== SEP_CODE))
      p = s.indexOf(key, p + 1);
    if (p < 0) return -1;
    let i = s.charCodeAt(p - 1) - POS_BASE;
    if (i >= POS_LAST - POS_BASE + 1) {
      // Past the positions one character can hold: the separators before it, counted.
      i = 0;
      for (let k = s.indexOf(SEP, 1); k < p; k = s.indexOf(SEP, k + 1)) i++;
    }
    this.hitKey = key;
    this.hitIndex = i;
    return i;
  }
  firstAt(i: number): number {
    return this.times[2 * i] as number;
  }
  lastAt(i: number): number {
    return this.times[2 * i + 1] as number;
  }
  get(key: string): Seen | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : [this.firstAt(i), this.lastAt(i)];
  }
  /** The keys in the order first seen (a new list: for saving and alerts, not per event). */
  keys(): string[] {
    return this.n === 0
      ? []
      : this.joined
          .slice(1, -1)
          .split(SEP)
          .map((k) => k.slice(1));
  }
  /**
   * Records `key` as seen from `first` to `last` (a new key goes last; a known one widens its span). Returns
   * false, keeping nothing, for a key the list cannot hold.
   */
  set(key: string, first: number, last: number): boolean {
    const i = this.indexOf(key);
    if (i >= 0) {
      this.times[2 * i] = first;
      this.times[2 * i + 1] = last;
      return true;
    }
    if (!SeenKeys.storable(key)) return false;
    // `join` builds one flat string (`+` would leave a rope of parts); the times a list of exactly its length,
    // copied by hand (`concat` calls into the runtime: with `addDay`'s, 3 % of the engine's instructions).
    // The new key is where the next login from the same address looks first.
    this.hitKey = key;
    this.hitIndex = this.n;
    this.joined = [this.joined, posChar(this.n), key, SEP].join('');
    const old = this.times;
    const times = new Array<number>(old.length + 2);
    for (let k = 0; k < old.length; k++) times[k] = old[k] as number;
    times[old.length] = first;
    times[old.length + 1] = last;
    this.times = times;
    this.n++;
    return true;
  }
  /**
   * The `[first, last, …]` times, for reading in place (not to change). A rule compares a key's span with the
   * event's time: a method returning a time, or taking two computed ones, had V8 box each double (16 bytes) when
   * it was not inlined, and in the rules it was not: 44 bytes per event (docs/detect.md "Throughput, eighth
   * pass").
   */
  get spans(): readonly number[] {
    return this.times;
  }
  /**
   * Widens the span of the key at `i` to include `ts`; returns whether its last-seen moved by more than
   * `staleMs` (a boolean: a returned time would be boxed, see `spans`).
   */
  touchAt(i: number, ts: number, staleMs: number): boolean {
    const last = this.times[2 * i + 1] as number;
    if (ts > last) this.times[2 * i + 1] = ts;
    if (ts < (this.times[2 * i] as number)) this.times[2 * i] = ts;
    return ts - last > staleMs;
  }
  /** Drops the key at `i`; the later keys move up one position (rare: a list over its cap). */
  removeAt(i: number): void {
    const keys = this.keys();
    keys.splice(i, 1);
    const times = this.times.slice(0, 2 * i).concat(this.times.slice(2 * i + 2));
    const m = SeenKeys.of(keys, times);
    this.hitKey = null; // the later keys moved
    this.joined = m.joined;
    this.n = m.n;
    this.times = m.times;
  }
}

export interface UserBaseline {
  /** Event time of the first successful login we saw. */
  firstTs: number;
  /** ip → first seen, last seen (successful logins only). */
  ips: SeenKeys;
  countries: SeenKeys;
  /**
   * Remembered-device successes per UTC day (undefined until the first one: saves memory). Always present as
   * a property, so every baseline has one shape with its fields inside the object (a property added later
   * costs a separate property store per user).
   */
  rdDays: DayCounts | undefined;
  /** Successes by bypass (status or code) per UTC day, kept like rdDays (duo.bypass_used compares with it). */
  bypassDays: DayCounts | undefined;
  /** The last successful login with coordinates (impossible travel). */
  lastGeo: LastGeo | null;
}

export interface LastGeo {
  ts: number;
  ip: string;
  lat: number;
  lon: number;
  city: string;
  country: string;
  id: string;
  /**
   * Where Duo itself placed that login (its `location` city and country, null when absent), to cross-check the
   * GeoIP answer. `duoCity` undefined: not recorded (a baseline from before the cross-check). The event's own
   * strings, kept as they are: interning them as one "city|country" string cost two hash lookups per login.
   */
  duoCity: string | null | undefined;
  duoCountry: string | null;
}

/** Duo's place as stored: `city|country` (either may be empty), or null when Duo gave neither or it is unknown. */
function storedDuoPlace(g: LastGeo): string | null {
  if (g.duoCity === undefined || (g.duoCity === null && g.duoCountry === null)) return null;
  return `${g.duoCity ?? ''}|${g.duoCountry ?? ''}`;
}

/** The parts of a stored `city|country` (the country never holds a `|`); anything else is "no place". */
function duoParts(value: unknown): { duoCity: string | null; duoCountry: string | null } {
  if (typeof value !== 'string') return { duoCity: null, duoCountry: null };
  const bar = value.lastIndexOf('|');
  const city = bar < 0 ? value : value.slice(0, bar);
  const country = bar < 0 ? '' : value.slice(bar + 1);
  return { duoCity: city === '' ? null : city, duoCountry: country === '' ? null : country };
}

/**
 * Counts per UTC day as one list of one number per day, `day × 2^16 + count` (a small integer), oldest day
 * first; `dayOf` and `countOf` read an entry. A Map of 15 days held a 936-byte hash table per user, a flat
 * `[day, count, …]` list 288 bytes, this one 168. A day's count stops at 65,535.
 */
export type DayCounts = number[];

const DAY_SHIFT = 65_536;
export const dayOf = (entry: number): number => Math.floor(entry / DAY_SHIFT);
export const countOf = (entry: number): number => entry % DAY_SHIFT;
export const dayEntry = (day: number, count: number): number =>
  day * DAY_SHIFT + Math.max(0, Math.min(count, DAY_SHIFT - 1));

/** `[day, count, …]` pairs flat (the stored form) from a day list. */
function dayPairs(days: DayCounts): number[] {
  const out: number[] = [];
  for (const x of days) out.push(dayOf(x), countOf(x));
  return out;
}

/** A day list from stored `[day, count]` pairs (any order; a day twice adds up), or undefined when empty. */
function fromDayPairs(pairs: readonly (readonly [number, number])[]): DayCounts | undefined {
  let days: DayCounts = [];
  for (const [d, n] of pairs)
    if (Number.isInteger(d) && d >= 0 && Number.isFinite(n)) days = addDay(days, d, n, -Infinity);
  return days.length === 0 ? undefined : days;
}

export interface OrgBaseline {
  firstTs: number;
  /** UTC hour number → telephony credits used in that hour. */
  creditHours: Record<string, number>;
  /** Addresses and countries colleagues logged in from (org-places.ts); absent until the first login. */
  places?: OrgPlaces;
}

export type BaselineKind = 'user' | 'org';

export interface BaselineRow {
  readonly orgId: string;
  readonly kind: BaselineKind;
  readonly key: string;
  readonly data: StoredUserBaseline | OrgBaseline;
}

/** Where baselines live between runs: the database in `serve`, memory for replay and benchmarks. */
export interface BaselineStore {
  load(orgId: string, kind: BaselineKind, keys: readonly string[]): Promise<Map<string, unknown>>;
  save(rows: readonly BaselineRow[]): Promise<void>;
}

export const MAX_IPS = 64;
export const MAX_COUNTRIES = 32;
export const KEEP_DAYS = 15;

export function emptyUserBaseline(ts: number): UserBaseline {
  return {
    firstTs: ts,
    ips: new SeenKeys(),
    countries: new SeenKeys(),
    rdDays: undefined,
    bypassDays: undefined,
    lastGeo: null,
  };
}

/**
 * The stored form of a user baseline (`v: 3`), plain JSON: each key list beside a flat list of its first/last
 * seen times in whole seconds after `firstTs` (first rounded down, last up, so a reload only widens a span by
 * under a second). Small integers: `JSON.stringify` writes a millisecond timestamp (a double) about four times
 * slower than a small integer, and the save wrote one row per changed user (docs/detect.md "Baselines").
 */
export interface StoredUserBaseline {
  v: 3;
  firstTs: number;
  ips: string[];
  ipSeen: number[];
  countries: string[];
  countrySeen: number[];
  /** `[day, count, …]` pairs, flat. */
  rdDays: number[];
  bypassDays: number[];
  /** The last located login: its time in seconds after `firstTs`, coordinates in 1e-5 degrees (about 1 m). */
  lastGeo: (Omit<LastGeo, 'ts' | 'duoCity' | 'duoCountry'> & { at: number; duo: string | null }) | null;
}

export function encodeUserBaseline(b: UserBaseline): StoredUserBaseline {
  const f = b.firstTs;
  const seen = (m: SeenKeys): number[] => {
    const out = new Array<number>(2 * m.size);
    for (let i = 0; i < m.size; i++) {
      out[2 * i] = Math.floor((m.firstAt(i) - f) / 1000);
      out[2 * i + 1] = Math.ceil((m.lastAt(i) - f) / 1000);
    }
    return out;
  };
  const g = b.lastGeo;
  return {
    v: 3,
    firstTs: f,
    ips: b.ips.keys(),
    ipSeen: seen(b.ips),
    countries: b.countries.keys(),
    countrySeen: seen(b.countries),
    rdDays: b.rdDays === undefined ? [] : dayPairs(b.rdDays),
    bypassDays: b.bypassDays === undefined ? [] : dayPairs(b.bypassDays),
    // A copy: the engine updates the live one in place.
    lastGeo:
      g === null
        ? null
        : {
            at: Math.round((g.ts - f) / 1000),
            ip: g.ip,
            lat: Math.round(g.lat * 1e5),
            lon: Math.round(g.lon * 1e5),
            city: g.city,
            country: g.country,
            id: g.id,
            duo: storedDuoPlace(g),
          },
  };
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Reads a stored baseline: the current form, and the earlier ones (arrays of `[key, first, last]` tuples in
 * milliseconds, `v: 2`; objects keyed by IP, the first), so an upgrade forgets nothing. Anything else is null.
 */
export function decodeUserBaseline(value: unknown): UserBaseline | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const f = v['firstTs'];
  if (!isNumber(f)) return null;
  if (v['v'] === 3) return decodeV3(v, f);
  const seen = (x: unknown): SeenKeys => {
    const m = new SeenKeys();
    if (Array.isArray(x)) {
      for (const t of x as unknown[][]) m.set(String(t[0]), Number(t[1]), Number(t[2]));
    } else if (typeof x === 'object' && x !== null) {
      for (const [k, t] of Object.entries(x as Record<string, [number, number]>)) m.set(k, t[0], t[1]);
    }
    return m;
  };
  const days = (x: unknown): DayCounts | undefined => {
    const pairs: [number, number][] = [];
    if (Array.isArray(x)) for (const t of x as number[][]) pairs.push([Number(t[0]), Number(t[1])]);
    else if (typeof x === 'object' && x !== null)
      for (const [k, n] of Object.entries(x as Record<string, number>)) pairs.push([Number(k), n]);
    return fromDayPairs(pairs);
  };
  const out: UserBaseline = {
    firstTs: f,
    ips: seen(v['ips']),
    countries: seen(v['countries']),
    rdDays: days(v['rdDays']),
    bypassDays: days(v['bypassDays']),
    lastGeo: decodeV2Geo(v['lastGeo']),
  };
  return out;
}

/** A v2 last location is the in-memory object of its day, in milliseconds; Duo's place came later. */
function decodeV2Geo(value: unknown): LastGeo | null {
  if (typeof value !== 'object' || value === null) return null;
  const g = value as Record<string, unknown>;
  if (!isNumber(g['ts']) || !isNumber(g['lat']) || !isNumber(g['lon'])) return null;
  return {
    ts: g['ts'],
    ip: String(g['ip']),
    lat: g['lat'],
    lon: g['lon'],
    city: String(g['city']),
    country: String(g['country']),
    id: String(g['id']),
    ...(typeof g['duo'] === 'string' ? duoParts(g['duo']) : { duoCity: undefined, duoCountry: null }),
  };
}

function decodeV3(v: Record<string, unknown>, f: number): UserBaseline | null {
  const seen = (keys: unknown, times: unknown): SeenKeys | null => {
    if (!Array.isArray(keys) || !Array.isArray(times) || times.length !== 2 * keys.length) return null;
    const list: string[] = [];
    const ms: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const first: unknown = times[2 * i];
      const last: unknown = times[2 * i + 1];
      if (typeof keys[i] !== 'string' || !isNumber(first) || !isNumber(last)) return null;
      list.push(keys[i] as string);
      ms.push(f + first * 1000, f + last * 1000);
    }
    return SeenKeys.of(list, ms);
  };
  const days = (x: unknown): DayCounts | undefined => {
    if (!Array.isArray(x) || x.length % 2 !== 0 || !x.every(isNumber)) return undefined;
    const pairs: [number, number][] = [];
    for (let i = 0; i < x.length; i += 2) pairs.push([x[i] as number, x[i + 1] as number]);
    return fromDayPairs(pairs);
  };
  const ips = seen(v['ips'], v['ipSeen']);
  const countries = seen(v['countries'], v['countrySeen']);
  if (ips === null || countries === null) return null;
  const g = v['lastGeo'] as Record<string, unknown> | null | undefined;
  let lastGeo: UserBaseline['lastGeo'] = null;
  if (typeof g === 'object' && g !== null && isNumber(g['at']) && isNumber(g['lat']) && isNumber(g['lon']))
    lastGeo = {
      ts: f + g['at'] * 1000,
      ip: String(g['ip']),
      lat: g['lat'] / 1e5,
      lon: g['lon'] / 1e5,
      city: String(g['city']),
      country: String(g['country']),
      id: String(g['id']),
      ...duoParts(g['duo']),
    };
  return {
    firstTs: f,
    ips,
    countries,
    rdDays: days(v['rdDays']),
    bypassDays: days(v['bypassDays']),
    lastGeo,
  };
}

export function emptyOrgBaseline(ts: number): OrgBaseline {
  return { firstTs: ts, creditHours: {} };
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Reads a stored organization baseline, keeping what is well-formed: credit hours with numbers, place lists of
 * the form `[firstTs, user, lastTs, …]`. Null for a row that is not one (a damaged row must not stop the
 * organization's detections: the rules would throw on every batch).
 */
export function decodeOrgBaseline(value: unknown): OrgBaseline | null {
  if (!isRecord(value) || !isNumber(value['firstTs'])) return null;
  const creditHours: Record<string, number> = {};
  if (isRecord(value['creditHours']))
    for (const [h, n] of Object.entries(value['creditHours'])) if (isNumber(n)) creditHours[h] = n;
  const out: OrgBaseline = { firstTs: value['firstTs'], creditHours };
  const places = value['places'];
  if (isRecord(places)) {
    const p = new OrgPlaces();
    const lists = (x: unknown, into: Map<string, SeenBy>): void => {
      if (!isRecord(x)) return;
      for (const [k, l] of Object.entries(x)) {
        if (!Array.isArray(l) || l.length % 2 === 0 || !isNumber(l[0])) continue;
        let ok = true;
        for (let i = 1; i + 1 < l.length; i += 2)
          if (typeof l[i] !== 'string' || !isNumber(l[i + 1])) ok = false;
        if (ok) into.set(k, SeenBy.fromStored(l as StoredSeenBy));
      }
    };
    lists(places['ips'], p.ips);
    lists(places['countries'], p.countries);
    out.places = p;
  }
  return out;
}

/**
 * A last-seen value is saved again only when it moved this much: the rules compare it with a 14-day period, so a
 * restart that forgets up to half a day of it changes nothing, and a user's every login is not a database write.
 */
const STALE_MS = 12 * 3_600_000;

/**
 * Records `key` as seen at `ts`; returns true when that is news worth saving (a new key, or a last-seen older
 * than `STALE_MS`). Over `max` keys the least recently seen goes (a scan of at most `max`, only on overflow).
 */
export function touch(seen: SeenKeys, key: string, ts: number, max: number): boolean {
  const i = seen.indexOf(key);
  if (i >= 0) return seen.touchAt(i, ts, STALE_MS);
  if (!seen.set(key, ts, ts)) return false;
  if (seen.size > max) {
    let oldest = -1;
    let oldestTs = Infinity;
    for (let k = 0; k < seen.size; k++)
      if (seen.lastAt(k) < oldestTs) {
        oldestTs = seen.lastAt(k);
        oldest = k;
      }
    if (oldest >= 0) seen.removeAt(oldest);
  }
  return true;
}

/**
 * Adds `n` to day `d`, dropping days before `keepFrom` when a new day starts; returns the list to keep (a new
 * day makes a new list of exactly the right length: a list grown by `push` keeps ~50 % spare slots per user).
 */
export function addDay(days: DayCounts, d: number, n: number, keepFrom: number): DayCounts {
  // Logins arrive in time order, so the day is nearly always the last one.
  for (let i = days.length - 1; i >= 0; i--) {
    const x = days[i] as number;
    if (dayOf(x) === d) {
      days[i] = dayEntry(d, countOf(x) + n);
      return days;
    }
  }
  let from = 0;
  while (from < days.length && dayOf(days[from] as number) < keepFrom) from++;
  // Keep the list sorted by day even when a late event opens an earlier day.
  let at = days.length;
  while (at - 1 >= from && dayOf(days[at - 1] as number) > d) at--;
  // Copied by hand: `slice` and `concat` were three runtime calls per user and day.
  const out = new Array<number>(days.length - from + 1);
  let k = 0;
  for (let i = from; i < at; i++) out[k++] = days[i] as number;
  out[k++] = dayEntry(d, n);
  for (let i = at; i < days.length; i++) out[k++] = days[i] as number;
  return out;
}

/** Drops numeric-keyed buckets older than `keepFrom`. */
export function prune(map: Record<string, number>, keepFrom: number): void {
  for (const k of Object.keys(map)) if (Number(k) < keepFrom) delete map[k];
}

/** A baseline store in memory, holding JSON text as the database would (replay, tests, benchmarks). */
export function memoryBaselineStore(): BaselineStore & { readonly size: number } {
  const rows = new Map<string, string>();
  return {
    get size() {
      return rows.size;
    },
    load(orgId, kind, keys) {
      const out = new Map<string, unknown>();
      for (const key of keys) {
        const text = rows.get(`${orgId}\u0000${kind}\u0000${key}`);
        if (text !== undefined) out.set(key, JSON.parse(text) as unknown);
      }
      return Promise.resolve(out);
    },
    save(list) {
      for (const r of list) rows.set(`${r.orgId}\u0000${r.kind}\u0000${r.key}`, JSON.stringify(r.data));
      return Promise.resolve();
    },
  };
}
