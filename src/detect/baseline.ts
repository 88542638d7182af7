/**
 * Per-user and per-organization history the rules compare against, persisted so a restart does not forget
 * who logged in from where (docs/detect.md "Baselines"). Sizes are capped: a user keeps the 64 most recent IPs,
 * 32 countries and 15 days of remembered-device counts; an organization 15 days of hourly telephony credits.
 */
export interface UserBaseline {
  /** Event time of the first successful login we saw. */
  firstTs: number;
  /** ip → [first seen, last seen] (successful logins only). */
  ips: Record<string, [number, number]>;
  countries: Record<string, [number, number]>;
  /** UTC day number → remembered-device successes that day. */
  rdDays: Record<string, number>;
  /** The last successful login with coordinates (impossible travel). */
  lastGeo: {
    ts: number;
    ip: string;
    lat: number;
    lon: number;
    city: string;
    country: string;
    id: string;
  } | null;
}

export interface OrgBaseline {
  firstTs: number;
  /** UTC hour number → telephony credits used in that hour. */
  creditHours: Record<string, number>;
}

export type BaselineKind = 'user' | 'org';

export interface BaselineRow {
  readonly orgId: string;
  readonly kind: BaselineKind;
  readonly key: string;
  readonly data: UserBaseline | OrgBaseline;
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
  return { firstTs: ts, ips: {}, countries: {}, rdDays: {}, lastGeo: null };
}

export function emptyOrgBaseline(ts: number): OrgBaseline {
  return { firstTs: ts, creditHours: {} };
}

/** Records `key` as seen at `ts`, dropping the least recently seen entry over `max`. */
export function touch(map: Record<string, [number, number]>, key: string, ts: number, max: number): void {
  const seen = map[key];
  if (seen !== undefined) {
    if (ts > seen[1]) seen[1] = ts;
    if (ts < seen[0]) seen[0] = ts;
    return;
  }
  map[key] = [ts, ts];
  const keys = Object.keys(map);
  if (keys.length <= max) return;
  let oldest = keys[0] as string;
  for (const k of keys)
    if ((map[k] as [number, number])[1] < (map[oldest] as [number, number])[1]) oldest = k;
  delete map[oldest];
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
