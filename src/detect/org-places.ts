/**
 * Where the organization's users log in from, across users: the addresses and countries colleagues passed MFA
 * from recently. A user's own history cannot tell a carrier's shared NAT address, the office egress or a
 * company travel destination from an attacker's; the organization's can (docs/detect.md "Organization places").
 * Stored with the organization's baseline as plain JSON (one object per organization).
 */

/**
 * Per key: when the organization first saw it, then its most recent distinct users with their last login, as a
 * flat list `[firstTs, user, lastTs, user, lastTs, …]`. The key's first-seen time is kept apart from its users: a
 * busy carrier address churns through users, and a user's own first sighting there would always look recent.
 */
export type SeenBy = (string | number)[];

export interface OrgPlaces {
  ips: Record<string, SeenBy>;
  countries: Record<string, SeenBy>;
  /** Key counts, so a new key does not count the object's keys (absent in a hand-made row: counted once). */
  nIps?: number;
  nCountries?: number;
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

export const emptyOrgPlaces = (): OrgPlaces => ({ ips: {}, countries: {}, nIps: 0, nCountries: 0 });

/** What one successful login teaches: returns true when the stored form changed enough to be saved. */
export function learnOrgPlaces(
  p: OrgPlaces,
  user: string,
  ip: string | null,
  country: string | null,
  ts: number,
): boolean {
  let changed = false;
  if (ip !== null) {
    const n = seenBy(p.ips, ip, user, ts, MAX_ORG_IPS, p.nIps ?? Object.keys(p.ips).length);
    if (n !== null) {
      p.nIps = n;
      changed = true;
    }
  }
  if (country !== null) {
    const n = seenBy(
      p.countries,
      country,
      user,
      ts,
      MAX_ORG_COUNTRIES,
      p.nCountries ?? Object.keys(p.countries).length,
    );
    if (n !== null) {
      p.nCountries = n;
      changed = true;
    }
  }
  return changed;
}

/** Records `user` at `key`; returns the map's new key count when worth saving, else null. */
function seenBy(
  map: Record<string, SeenBy>,
  key: string,
  user: string,
  ts: number,
  max: number,
  size: number,
): number | null {
  const list = map[key];
  if (list === undefined) {
    map[key] = [ts, user, ts];
    if (size + 1 <= max) return size + 1;
    return prune(map, Math.floor((max * 3) / 4));
  }
  if (ts < (list[0] as number)) list[0] = ts;
  for (let i = 1; i + 1 < list.length; i += 2) {
    if (list[i] !== user) continue;
    const last = list[i + 1] as number;
    if (ts <= last) return null;
    list[i + 1] = ts;
    return ts - last > STALE_MS ? size : null;
  }
  if (list.length >= 1 + USERS_PER_KEY * 2) {
    // The least recently seen user makes room, in place (the order of the users means nothing; a splice and a
    // push on a busy address cost more than the rest of the learning step).
    let oldest = 1;
    for (let i = 3; i + 1 < list.length; i += 2)
      if ((list[i + 1] as number) < (list[oldest + 1] as number)) oldest = i;
    list[oldest] = user;
    list[oldest + 1] = ts;
    return size;
  }
  list.push(user, ts);
  return size;
}

/** Keeps the `keep` keys seen by the most users, then most recently; returns how many are left. */
function prune(map: Record<string, SeenBy>, keep: number): number {
  const lastOf = (l: SeenBy): number => {
    let t = 0;
    for (let i = 2; i < l.length; i += 2) if ((l[i] as number) > t) t = l[i] as number;
    return t;
  };
  const ranked = Object.entries(map).sort(([, a], [, b]) => b.length - a.length || lastOf(b) - lastOf(a));
  for (const [k] of ranked.slice(keep)) delete map[k];
  return Math.min(ranked.length, keep);
}

/**
 * How many users other than `user` logged in at `key` since `since`, when the organization first saw the key at
 * or before `knownBefore` (the window tested is never part of its own baseline).
 */
export function otherUsers(
  list: SeenBy | undefined,
  user: string,
  knownBefore: number,
  since: number,
): number {
  if (list === undefined || (list[0] as number) > knownBefore) return 0;
  let n = 0;
  for (let i = 1; i + 1 < list.length; i += 2) if (list[i] !== user && (list[i + 1] as number) >= since) n++;
  return n;
}
