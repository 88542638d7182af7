/**
 * Where the organization's users log in from, across users: the addresses and countries colleagues passed MFA
 * from recently. A user's own history cannot tell a carrier's shared NAT address, the office egress or a
 * company travel destination from an attacker's; the organization's can (docs/detect.md "Organization places").
 * Stored with the organization's baseline as plain JSON (one object per organization).
 */

import { intern } from './intern.js';

/** The stored form of one key: `[firstTs, user, lastTs, user, lastTs, …]`. */
export type StoredSeenBy = (string | number)[];

/**
 * Per key: when the organization first saw it, then its most recent distinct users with their last login. The
 * key's first-seen time is kept apart from its users: a busy carrier address churns through users, and a user's
 * own first sighting there would always look recent. The times are a list of numbers only, which V8 keeps
 * unboxed: in the stored form's mixed list every new time was a heap number of its own, allocated for nearly
 * every login (a busy country changes users with most of them). `JSON.stringify` writes the stored form.
 */
export class SeenBy {
  constructor(
    public first: number,
    readonly users: string[] = [],
    readonly lasts: number[] = [],
  ) {}
  static fromStored(list: StoredSeenBy): SeenBy {
    const s = new SeenBy(list[0] as number);
    for (let i = 1; i + 1 < list.length; i += 2) {
      s.users.push(intern(list[i] as string));
      s.lasts.push(list[i + 1] as number);
    }
    return s;
  }
  toJSON(): StoredSeenBy {
    const out: StoredSeenBy = [this.first];
    for (let i = 0; i < this.users.length; i++) out.push(this.users[i] as string, this.lasts[i] as number);
    return out;
  }
}

/** The stored form of the places: `{ips: {key: list}, countries: {key: list}, nIps, nCountries}`. */
export interface StoredOrgPlaces {
  ips: Record<string, StoredSeenBy>;
  countries: Record<string, StoredSeenBy>;
  nIps: number;
  nCountries: number;
}

/**
 * The places in memory: maps, not objects keyed by address or country. Looking the event's string up as an
 * object's property made V8 intern it (a hash lookup of its own) and left the event's copy a "thin" string, and
 * every user's key list (baseline.ts `SeenKeys`) that such a string was joined into became a two-byte string:
 * twice the memory, searched by a slower mixed-width path (docs/detect.md "Throughput, seventh pass").
 * `JSON.stringify` writes the stored form.
 */
export class OrgPlaces {
  readonly ips = new Map<string, SeenBy>();
  readonly countries = new Map<string, SeenBy>();
  toJSON(): StoredOrgPlaces {
    const stored = (m: Map<string, SeenBy>): Record<string, StoredSeenBy> => {
      const out: Record<string, StoredSeenBy> = {};
      for (const [k, v] of m) out[k] = v.toJSON();
      return out;
    };
    return {
      ips: stored(this.ips),
      countries: stored(this.countries),
      nIps: this.ips.size,
      nCountries: this.countries.size,
    };
  }
}

/** Users remembered per key: enough to answer "at least 3 others" for the current user among them. */
export const USERS_PER_KEY = 4;
/**
 * Keys kept: shared addresses (carrier pools, offices, hotels of a conference) are few and seen by many, while
 * every home address is one user's; over the cap the keys seen by the fewest users, then the oldest, go.
 */
export const MAX_ORG_IPS = 4096;
export const MAX_ORG_COUNTRIES = 128;
/** A user's last-seen time is worth saving again only after it moved this much (rules compare it in days). */
const STALE_MS = 12 * 3_600_000;

/** A login without MFA: bypass status or a bypass code. */
export const isBypass = (e: { reason: string | null; factor: string | null }): boolean =>
  e.reason === 'bypass_user' || e.factor === 'bypass_code';

/** What one successful login teaches: returns true when the stored form changed enough to be saved. */
export function learnOrgPlaces(
  p: OrgPlaces,
  user: string,
  ip: string | null,
  country: string | null,
  ts: number,
): boolean {
  let changed = false;
  if (ip !== null && seenBy(p.ips, ip, user, ts, MAX_ORG_IPS)) changed = true;
  if (country !== null && seenBy(p.countries, country, user, ts, MAX_ORG_COUNTRIES)) changed = true;
  return changed;
}

/** Records `user` at `key`; returns true when worth saving. */
function seenBy(map: Map<string, SeenBy>, key: string, user: string, ts: number, max: number): boolean {
  const s = map.get(key);
  if (s === undefined) {
    map.set(key, new SeenBy(ts, [user], [ts]));
    if (map.size > max) prune(map, Math.floor((max * 3) / 4));
    return true;
  }
  if (ts < s.first) s.first = ts;
  const { users, lasts } = s;
  // By hand: `indexOf` is a call into a builtin for four entries (2 % of the engine's instructions). The keys
  // are interned (intern.ts), so `===` decides on identity whether they match or not; without interning, keys
  // of the same length were compared character by character and this loop cost more than `indexOf`.
  let i = users.length - 1;
  while (i >= 0 && users[i] !== user) i--;
  if (i >= 0) {
    const last = lasts[i] as number;
    if (ts <= last) return false;
    lasts[i] = ts;
    return ts - last > STALE_MS;
  }
  if (users.length >= USERS_PER_KEY) {
    // The least recently seen user makes room, in place (the order of the users means nothing; a splice and a
    // push on a busy address cost more than the rest of the learning step).
    let oldest = 0;
    for (let k = 1; k < lasts.length; k++) if ((lasts[k] as number) < (lasts[oldest] as number)) oldest = k;
    users[oldest] = user;
    lasts[oldest] = ts;
    return true;
  }
  users.push(user);
  lasts.push(ts);
  return true;
}

/** Keeps the `keep` keys seen by the most users, then most recently. */
function prune(map: Map<string, SeenBy>, keep: number): void {
  const lastOf = (s: SeenBy): number => Math.max(0, ...s.lasts);
  const ranked = [...map].sort(([, a], [, b]) => b.users.length - a.users.length || lastOf(b) - lastOf(a));
  for (const [k] of ranked.slice(keep)) map.delete(k);
}

/**
 * How many users other than `user` logged in at `key` since `since`, when the organization first saw the key at
 * or before `knownBefore` (the window tested is never part of its own baseline).
 */
export function otherUsers(s: SeenBy | undefined, user: string, knownBefore: number, since: number): number {
  if (s === undefined || s.first > knownBefore) return 0;
  let n = 0;
  for (let i = 0; i < s.users.length; i++) if (s.users[i] !== user && (s.lasts[i] as number) >= since) n++;
  return n;
}
