/**
 * Where a generated login comes from, as in a real tenant: the user's home network (some IPv6), their office's
 * few egress addresses, a mobile carrier's shared pool, the company VPN's egress, a private workstation address
 * for on-premises applications, now and then no address at all; and, a few weeks a year, a business trip
 * abroad. Everything is a pure function of (seed, user, time), so history never shifts between queries.
 */
import { HOME_PLACES, TRAVEL_PLACES, type Place } from './catalog.js';
import { createRng, hash32, type Rng } from './prng.js';
import type { UserHome } from './state.js';
import type { WireLocation } from './wire-types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** 1970-01-05 was a Monday: weeks start on Monday 00:00 UTC. */
const MONDAY = 4 * DAY;

/** Share of users on a business trip in a given week. */
export const TRIP_SHARE = 0.015;
/** Share of users who lose their phone in a given week and log in with help-desk bypass codes for a few days. */
export const LOST_PHONE_SHARE = 0.004;

export interface Trip {
  readonly place: Place;
  /** on the ground at the destination, [from, to) */
  readonly from: number;
  readonly to: number;
}

/**
 * A user's trip in the week holding `ts`, or null. Tuesday noon to Friday noon UTC at the destination, with a
 * full travel day before and after when the user does not log in at all (see `inTransit`): no pair of their
 * logins is ever faster than a plane (half the earth's circumference in 24 h is under 800 km/h).
 */
export function tripAt(seed: string, userId: string, home: UserHome, ts: number): Trip | null {
  const week = Math.floor((ts - MONDAY) / WEEK);
  if (hash32(seed, 'trip', userId, week) / 4294967296 >= TRIP_SHARE) return null;
  const homeCountry = HOME_PLACES[home.place]?.loc.country;
  const choices = TRAVEL_PLACES.filter((p) => p.loc.country !== homeCountry);
  const place = choices[hash32(seed, 'trip-to', userId, week) % choices.length] as Place;
  const start = MONDAY + week * WEEK;
  return { place, from: start + DAY + 12 * HOUR, to: start + 4 * DAY + 12 * HOUR };
}

/** Whether the user is flying at `ts` (the day before and the day after a trip): no logins then. */
export function inTransit(seed: string, userId: string, home: UserHome, ts: number): boolean {
  const trip = tripAt(seed, userId, home, ts);
  if (trip === null) return false;
  return (ts >= trip.from - DAY && ts < trip.from) || (ts >= trip.to && ts < trip.to + DAY);
}

/** Whether the user's phone is lost in the week of `ts` (Monday to Wednesday they use bypass codes). */
export function lostPhone(seed: string, userId: string, ts: number): boolean {
  const week = Math.floor((ts - MONDAY) / WEEK);
  if (hash32(seed, 'lost-phone', userId, week) / 4294967296 >= LOST_PHONE_SHARE) return false;
  return ts - (MONDAY + week * WEEK) < 3 * DAY;
}

/** The company VPN's egress addresses (a /28 the deployment would list in `detect.allow.trustedNetworks`). */
export function vpnEgressNetwork(seed: string): { cidr: string; place: number } {
  const r = createRng(seed, 'vpn-egress');
  const place = createRng(seed, 'home').int(0, HOME_PLACES.length - 1); // the main office (users-gen's `hash01`)
  const p = HOME_PLACES[place] as Place;
  return { cidr: `${r.pick(p.net)}.${r.int(1, 254)}.${r.int(0, 255)}.${r.int(1, 15) * 16}/28`, place };
}

const ipv4 = (r: Rng, p: Place): string =>
  `${r.pick(p.net)}.${r.int(1, 254)}.${r.int(0, 255)}.${r.int(1, 254)}`;

/** A stable address drawn from (seed, parts): the same inputs give the same address. */
const stableV4 = (p: Place, ...parts: (string | number)[]): string =>
  ipv4(createRng(...parts.map(String)), p);

export interface Origin {
  ip: string | null;
  place: Place;
  location: WireLocation;
  kind: 'home' | 'office' | 'mobile' | 'vpn' | 'private' | 'none' | 'travel';
}

const NONE: WireLocation = { city: null, state: null, country: null };
const ON_PREM = new Set(['rdp', 'unix']);

/**
 * Where this login comes from. `r` is the event's generator (drawn after the actor and application).
 */
export function originOf(
  r: Rng,
  seed: string,
  userId: string,
  home: UserHome,
  appType: string,
  ts: number,
  /** the user's phone is lost: no mobile-carrier logins */
  noMobile = false,
): Origin {
  const place = HOME_PLACES[home.place] as Place;
  const trip = tripAt(seed, userId, home, ts);
  const onTrip = trip !== null && ts >= trip.from && ts < trip.to;
  const vpn = (): Origin => {
    const net = vpnEgressNetwork(seed);
    const [a, b, c, d] = net.cidr.split(/[./]/).map(Number) as [number, number, number, number];
    const egress = HOME_PLACES[net.place] as Place;
    return {
      ip: `${a}.${b}.${c}.${d + r.int(1, 14)}`,
      place: egress,
      location: { ...egress.loc },
      kind: 'vpn',
    };
  };
  if (r.chance(0.003)) return { ip: null, place, location: { ...NONE }, kind: 'none' };
  if (onTrip) {
    // Abroad: the hotel's network, or the VPN for anything but the VPN login itself.
    if (appType !== 'ciscoasa' && r.chance(0.35)) return vpn();
    const hotel = stableV4(trip.place, seed, 'hotel', userId, trip.from, r.int(0, 2));
    return { ip: hotel, place: trip.place, location: { ...trip.place.loc }, kind: 'travel' };
  }
  if (ON_PREM.has(appType) && r.chance(0.7)) {
    const h = hash32(seed, 'workstation', userId);
    return {
      ip: `10.${(h >>> 16) & 255}.${(h >>> 8) & 255}.${(h & 254) + 1}`,
      place,
      location: { ...NONE }, // Duo cannot place a private address
      kind: 'private',
    };
  }
  if (appType !== 'ciscoasa' && r.chance(0.1)) return vpn();
  if (r.chance(0.08) && !noMobile) {
    // A carrier's NAT pool: a handful of shared addresses per region.
    return {
      ip: stableV4(place, seed, 'carrier', home.place, r.int(0, 15)),
      place,
      location: { ...place.loc },
      kind: 'mobile',
    };
  }
  // Office days and home days: a stable share per user, decided per day.
  const day = Math.floor(ts / DAY);
  const officeShare = (hash32(seed, 'office-share', userId) % 70) / 100; // 0 (remote) .. 0.69
  if (hash32(seed, 'office-day', userId, day) / 4294967296 < officeShare) {
    const office = stableV4(place, seed, 'office', home.place, hash32(seed, 'office-ip', userId) % 3);
    return { ip: office, place, location: { ...place.loc }, kind: 'office' };
  }
  const v6 = hash32(seed, 'home-v6', userId) % 5 === 0; // one home in five is on IPv6
  const h = hash32(seed, 'home-v6-addr', userId);
  const ip = v6
    ? `${place.v6}:${(h >>> 20).toString(16)}:${(h & 0xffff).toString(16)}::${((h >>> 8) & 0xff).toString(16) || '1'}`
    : home.ip;
  return { ip, place, location: { ...place.loc }, kind: 'home' };
}
