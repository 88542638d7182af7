/**
 * Rules that compare a successful login with the user's own history (first-seen IP and country, impossible
 * travel, remembered-device use). The baseline the rule sees is the history before this event; the engine learns
 * from the event only after every rule ran, so the window tested is never part of its own baseline.
 */
import { countOf, dayOf, KEEP_DAYS } from '../baseline.js';
import type { DetectEvent } from '../detect-event.js';
import { haversineKm } from '../geo.js';
import { DAY, defineRule, HOUR, type RuleContext } from '../rule.js';
import { asDigest, internalAddress } from './digest.js';
import { isNew, LOCATION_PARAMS, orgKnown, orgUsersAt } from './history.js';

const located = (e: DetectEvent, ctx: RuleContext): boolean =>
  e.result === 'success' &&
  e.user !== null &&
  !ctx.allow.serviceAccount(e.user) &&
  !ctx.allow.trustedIp(e.ip);

export const newIp = defineRule({
  id: 'duo.new_ip',
  title: 'Successful logins from IP addresses new for the user (daily digest)',
  severity: 'low',
  mitre: 'T1078',
  entity: 'org',
  streams: ['auth'],
  results: ['success'],
  suppressionMs: 24 * HOUR,
  // A carrier's NAT pool, the office egress or a hotel's network is new to one user but not to the company.
  params: { ...LOCATION_PARAMS, orgUsers: 3, digest: 1 },
  logic:
    'access_device.ip (public) not seen for the user in the 14 days before the last hour, nor for 3 other users of the organization (a shared address); needs ≥ 3 days of history; one digest per organization per day',
  evaluate(e, ctx) {
    if (!located(e, ctx) || e.ip === null || ctx.baseline === null) return null;
    if (!isNew(ctx.baseline.ips, e.ip, e, ctx) || orgKnown('ips', e.ip, e, ctx) || internalAddress(e.ip))
      return null;
    return asDigest('duo.new_ip', e, ctx, {
      entity: e.user as string,
      eventIds: [e.id],
      facts: { knownIps: ctx.baseline.ips.size },
    });
  },
});

export const newCountry = defineRule({
  id: 'duo.new_country',
  title: 'Successful login from a country new for the user',
  severity: 'medium',
  mitre: 'T1078',
  entity: 'user',
  streams: ['auth'],
  results: ['success'],
  suppressionMs: 24 * HOUR,
  params: { ...LOCATION_PARAMS, orgUsers: 2, digest: 1 },
  logic:
    'access_device.location.country not seen for the user in the 14 days before the last hour; needs ≥ 3 days of history; when 2 other users of the organization logged in from it (a company travel destination): low, in a daily digest per organization',
  evaluate(e, ctx) {
    if (!located(e, ctx) || e.country === null || ctx.baseline === null) return null;
    if (!isNew(ctx.baseline.countries, e.country, e, ctx)) return null;
    // Business travel goes where colleagues go; an attacker's country is usually new to the whole company.
    const colleagues = orgUsersAt('countries', e.country, e, ctx);
    const f = {
      entity: e.user as string,
      eventIds: [e.id],
      facts: { knownCountries: [...ctx.baseline.countries.keys()], colleaguesFromCountry: colleagues },
    };
    if (!orgKnown('countries', e.country, e, ctx)) return f;
    return { ...asDigest('duo.new_country', e, ctx, f), severity: 'low' };
  },
});

export const impossibleTravel = defineRule({
  id: 'duo.impossible_travel',
  title: 'Impossible travel between two successful logins',
  severity: 'high',
  mitre: 'T1078',
  entity: 'user',
  streams: ['auth'],
  results: ['success'],
  suppressionMs: 6 * HOUR,
  params: { minKm: 500, minKmh: 800 },
  logic:
    'two successful logins of a user ≥ 500 km apart at ≥ 800 km/h (offline GeoIP coordinates), unless Duo places both in the same city',
  evaluate(e, ctx) {
    if (!located(e, ctx) || e.ip === null || ctx.baseline === null) return null;
    const prev = ctx.baseline.lastGeo;
    if (prev === null || prev.ip === e.ip) return null;
    // GeoIP misplaces some addresses (mobile carriers, anycast, registry centroids): when Duo places both
    // logins in the same city, that is not travel.
    if (
      (e.city !== null || e.country !== null) &&
      prev.duoCity !== undefined &&
      prev.duoCity === e.city &&
      prev.duoCountry === e.country
    )
      return null;
    const here = ctx.geo.locate(e.ip);
    if (here === null) return null;
    const km = haversineKm(prev, here);
    const hours = Math.max(e.ts - prev.ts, 0) / HOUR;
    const kmh = hours === 0 ? Infinity : km / hours;
    if (km < (ctx.settings.params['minKm'] ?? 500) || kmh < (ctx.settings.params['minKmh'] ?? 800))
      return null;
    return {
      entity: e.user as string,
      eventIds: [prev.id, e.id],
      facts: {
        from: `${prev.city}, ${prev.country} (${prev.ip})`,
        to: `${here.city}, ${here.country} (${e.ip})`,
        km: Math.round(km),
        kmh: Number.isFinite(kmh) ? Math.round(kmh) : 'instant',
        minutes: Math.round((e.ts - prev.ts) / 60_000),
      },
    };
  },
});

const day = (ts: number): number => Math.floor(ts / DAY);

export const rememberedDeviceExcessive = defineRule({
  id: 'duo.remembered_device_excessive',
  title: 'Excessive remembered-device logins',
  severity: 'medium',
  mitre: 'T1078',
  entity: 'user',
  streams: ['auth'],
  results: ['success'],
  windowMs: 24 * HOUR,
  threshold: 30,
  suppressionMs: 24 * HOUR,
  params: { multiplier: 3 },
  logic:
    'remembered_device successes per user in a sliding 24 h ≥ 30 and > 3 × the user’s busiest day of the previous 14',
  evaluate(e, ctx) {
    if (e.result !== 'success' || e.factor !== 'remembered_device' || ctx.entity === null || e.user === null)
      return null;
    if (ctx.allow.serviceAccount(e.user)) return null;
    const w = ctx.window(ctx.entity);
    w.add(e.ts, e.id);
    const n = w.count(e.ts);
    if (n < ctx.settings.threshold) return null;
    // The baseline is the days wholly before the window tested, so a burst never raises its own bar.
    let busiest = 0;
    const firstDay = day(e.ts - ctx.settings.windowMs);
    for (const x of ctx.baseline?.rdDays ?? []) {
      const k = dayOf(x);
      const c = countOf(x);
      if (k < firstDay && k >= firstDay - (KEEP_DAYS - 1) && c > busiest) busiest = c;
    }
    if (n <= (ctx.settings.params['multiplier'] ?? 3) * busiest) return null;
    return { entity: e.user, eventIds: w.eventIds(50), facts: { last24h: n, busiestDay: busiest } };
  },
});

export const rememberedDeviceNewLocation = defineRule({
  id: 'duo.remembered_device_new_location',
  title: 'Remembered-device login from a new IP or country',
  severity: 'high',
  mitre: 'T1078',
  entity: 'user',
  streams: ['auth'],
  results: ['success'],
  suppressionMs: 24 * HOUR,
  params: LOCATION_PARAMS,
  logic:
    'remembered_device success from an IP and country both new for the user (same baseline as duo.new_country)',
  evaluate: (e, ctx) =>
    e.factor === 'remembered_device' &&
    located(e, ctx) &&
    ctx.baseline !== null &&
    e.ip !== null &&
    isNew(ctx.baseline.ips, e.ip, e, ctx) &&
    // Without a country (a private or unplaceable address) nothing says the location is new.
    e.country !== null &&
    isNew(ctx.baseline.countries, e.country, e, ctx)
      ? { entity: e.user as string, eventIds: [e.id] }
      : null,
});
