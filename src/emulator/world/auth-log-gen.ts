/**
 * The generated authentication stream: who authenticates, with what, and how it ends, in the mix a real
 * tenant shows (mostly approved pushes; some timeouts and mistakes; no fraud reports — each is an attack, so
 * only scenarios make them), with Duo's lowercase values (docs/duo-wire.md §5). Users log in during their own
 * local office hours; where from is networks.ts. Built over a snapshot of the roster taken when the tenant is
 * created, so history never shifts when the directory later changes.
 */
import { HOME_PLACES, type Place } from './catalog.js';
import { buildAuthEvent, ipIn, NO_LOCATION } from './auth-event.js';
import { weekShape, type StreamDef } from './log-stream.js';
import { inTransit, lostPhone, originOf } from './networks.js';
import { uuidFrom, type Rng } from './prng.js';
import type { UserHome } from './state.js';
import type { AuthLogEvent, WireIntegration, WireLocation, WireUser } from './wire-types.js';

export const AUTH_BUCKET_MS = 300_000;

interface Actor {
  user: WireUser;
  home: UserHome;
}

type Outcome = readonly [result: AuthLogEvent['result'], reason: string, weight: number];
const PUSH_OUTCOMES: readonly Outcome[] = [
  ['success', 'user_approved', 92],
  ['denied', 'no_response', 3.2],
  ['denied', 'user_mistake', 2.2],
  ['denied', 'user_cancelled', 1.2],
  ['denied', 'anomalous_push', 0.2],
  ['failure', 'locked_out', 0.05],
  ['error', 'error', 0.1],
];
const PHONE_OUTCOMES: readonly Outcome[] = [
  ['success', 'user_approved', 88],
  ['denied', 'no_response', 8],
  ['denied', 'user_mistake', 3],
];
const PASSCODE_OUTCOMES: readonly Outcome[] = [
  ['success', 'valid_passcode', 94],
  ['failure', 'invalid_passcode', 6],
];

const APP_WEIGHTS: Record<string, number> = {
  'azure-ca': 30,
  ciscoasa: 20,
  okta: 15,
  rdp: 10,
  unix: 8,
  'sso-salesforce': 7,
  'sso-github': 7,
  adminpanel: 3,
};

function pickOutcome(r: Rng, list: readonly Outcome[]): [AuthLogEvent['result'], string] {
  const o = r.weighted(list.map((x) => [x, x[2]] as const));
  return [o[0], o[1]];
}

export interface AuthGenContext {
  seed: string;
  users: readonly WireUser[];
  homes: ReadonlyMap<string, UserHome>;
  apps: readonly WireIntegration[];
  newUserBehavior: string;
  authsPerUserPerDay: number;
}

/** The users living in one place: they log in during their own local office hours. */
interface PlaceGroup {
  tz: number;
  actors: Actor[];
  cumulative: number[];
  sum: number;
}

const HOUR = 3_600_000;
// Duo's risk-based factor selection and remembered devices leave their verdicts on Universal Prompt logins.
const ATA_VERSION = { features_version: '3.0', model_version: '2024.04.16.001' };
const BROWSER_APPS = new Set(['azure-ca', 'okta', 'sso-salesforce', 'sso-github', 'adminpanel']);

function adaptiveTrust(r: Rng, unusual: boolean): Record<string, unknown> {
  const level = unusual ? 'LOW' : r.chance(0.97) ? 'NORMAL' : 'UNKNOWN';
  return {
    more_secure_auth: {
      ...ATA_VERSION,
      policy_enabled: false,
      reason: unusual
        ? 'New location or network for this user'
        : 'Normal level of trust; no detection of known attack pattern',
      trust_level: level,
    },
    remember_me: {
      ...ATA_VERSION,
      policy_enabled: true,
      reason: unusual
        ? 'Network or location changed since the device was remembered'
        : 'Known device and network',
      trust_level: level,
    },
  };
}

export function authStreamDef(ctx: AuthGenContext): StreamDef<AuthLogEvent> {
  const groups = new Map<number, PlaceGroup>();
  let sum = 0;
  for (const user of ctx.users) {
    const home = ctx.homes.get(user.user_id);
    if (home === undefined) continue;
    const w = {
      active: user.is_enrolled ? 1 : 0.1,
      bypass: 1,
      disabled: 0.05,
      'locked out': 0.3,
      'pending deletion': 0,
    }[user.status];
    if (w <= 0) continue;
    sum += w;
    let g = groups.get(home.place);
    if (g === undefined) {
      g = { tz: (HOME_PLACES[home.place] as Place).tz, actors: [], cumulative: [], sum: 0 };
      groups.set(home.place, g);
    }
    g.sum += w;
    g.actors.push({ user, home });
    g.cumulative.push(g.sum);
  }
  const placeGroups = [...groups.values()];
  const apps = ctx.apps.map((a) => [a, APP_WEIGHTS[a.type] ?? 5] as const);
  const perBucket = (sum * ctx.authsPerUserPerDay * AUTH_BUCKET_MS) / 86_400_000;
  /** each place's weight at `ts`: its users' weight times how busy their local hour is */
  const activity = (ts: number): number[] => placeGroups.map((g) => g.sum * weekShape(ts + g.tz * HOUR));

  /**
   * The actor of an event at `ts` from one uniform draw: a place by its local activity, then a user there. A
   * user in transit to or from a trip (networks.ts) does not log in: the next user of the place does.
   */
  const pickActor = (u: number, ts: number): Actor => {
    const act = activity(ts);
    let total = 0;
    for (const x of act) total += x;
    let target = u * total;
    let gi = 0;
    while (gi < placeGroups.length - 1 && target >= (act[gi] as number)) target -= act[gi++] as number;
    const g = placeGroups[gi] as PlaceGroup;
    const t = Math.min(target / ((act[gi] as number) || 1), 0.999999) * g.sum;
    let a = 0;
    let z = g.cumulative.length - 1;
    while (a < z) {
      const m = (a + z) >> 1;
      if ((g.cumulative[m] as number) <= t) a = m + 1;
      else z = m;
    }
    for (let k = 0; k < 8; k++) {
      const actor = g.actors[(a + k) % g.actors.length] as Actor;
      if (!inTransit(ctx.seed, actor.user.user_id, actor.home, ts)) return actor;
    }
    return g.actors[a] as Actor;
  };

  return {
    name: 'auth',
    bucketMs: AUTH_BUCKET_MS,
    rate: (b) => {
      if (placeGroups.length === 0 || apps.length === 0) return 0;
      let total = 0;
      for (const x of activity(b * AUTH_BUCKET_MS + AUTH_BUCKET_MS / 2)) total += x;
      return (perBucket * total) / sum;
    },
    makeId: uuidFrom,
    // The actor is the event's first draw (see make), so its user key is known without building the event.
    facet: (r, tsMs) => pickActor(r.next(), tsMs).user.user_id,
    make(r, tsMs, txid) {
      const { user, home } = pickActor(r.next(), tsMs);
      const app = r.weighted(apps);
      const phoneLost = lostPhone(ctx.seed, user.user_id, tsMs);
      const origin = originOf(r, ctx.seed, user.user_id, home, app.type, tsMs, phoneLost);
      const homePlace = HOME_PLACES[home.place] as Place;
      const abroad = origin.kind === 'travel';
      const phone = user.phones[0];
      const phoneDevice = phone
        ? {
            key: phone.phone_id,
            name: phone.number,
            ip: abroad ? origin.ip : ipIn(r, homePlace),
            location: { ...(abroad ? origin.place : homePlace).loc },
          }
        : null;
      let result: AuthLogEvent['result'];
      let reason: string | null;
      let factor: string | null;
      let authDevice: { key: string; name: string; ip: string | null; location: WireLocation } | null = null;
      let eventType: AuthLogEvent['event_type'] = 'authentication';
      const caps = phone?.capabilities ?? [];
      if (user.status === 'bypass') [result, reason, factor] = ['success', 'bypass_user', null];
      else if (user.status === 'disabled') [result, reason, factor] = ['denied', 'user_disabled', null];
      else if (user.status === 'locked out') [result, reason, factor] = ['denied', 'locked_out', null];
      else if (!user.is_enrolled) {
        if (ctx.newUserBehavior === 'no-mfa')
          [result, reason, factor] = ['success', 'allow_unenrolled_user', null];
        else if (ctx.newUserBehavior === 'deny')
          [result, reason, factor] = ['denied', 'deny_unenrolled_user', null];
        else [result, reason, factor, eventType] = ['success', 'user_enrolled', null, 'enrollment'];
      } else if (abroad && r.chance(0.04)) {
        // Some applications' policies allow the home countries only: a traveller is refused, harmlessly.
        [result, reason, factor] = ['denied', 'location_restricted', null];
      } else if (r.chance(0.0015)) {
        // A policy refuses the device or application (outdated browser, group not allowed).
        [result, reason, factor] = ['denied', 'denied_by_policy', null];
      } else if (phoneLost && caps.includes('push')) {
        // The help desk gave the user bypass codes while their phone is lost (a legitimate bypass).
        [result, reason, factor] = ['success', 'valid_passcode', 'bypass_code'];
      } else {
        const options: (readonly [string, number])[] = [];
        if (caps.includes('push')) {
          options.push(['duo_push', 78], ['duo_mobile_passcode', 5]);
          // Risk-based remembered devices re-prompt on a new network, so a trip starts with pushes.
          if (!abroad) options.push(['remembered_device', 6]);
        }
        if (caps.includes('phone')) options.push(['phone_call', caps.includes('push') ? 2 : 40]);
        if (caps.includes('sms')) options.push(['sms_passcode', caps.includes('push') ? 1.5 : 30]);
        if (user.tokens.some((t) => t.type !== 'yk')) options.push(['hardware_token', 10]);
        if (user.tokens.some((t) => t.type === 'yk')) options.push(['yubikey_passcode', 10]);
        if (user.webauthncredentials.length > 0) options.push(['webauthn', 12]);
        if (user.u2ftokens.length > 0) options.push(['u2f_token', 5]);
        if (options.length === 0) options.push(['webauthn', 1]);
        factor = r.weighted(options);
        if (factor === 'duo_push') {
          [result, reason] = pickOutcome(r, PUSH_OUTCOMES);
          authDevice = phoneDevice;
        } else if (factor === 'phone_call') {
          [result, reason] = pickOutcome(r, PHONE_OUTCOMES);
          authDevice = phoneDevice && { ...phoneDevice, ip: null, location: { ...NO_LOCATION } };
        } else if (factor === 'remembered_device') [result, reason] = ['success', 'remembered_device'];
        else if (factor === 'webauthn' || factor === 'u2f_token')
          [result, reason] = ['success', 'user_approved'];
        else {
          [result, reason] = pickOutcome(r, PASSCODE_OUTCOMES);
          if (factor === 'duo_mobile_passcode' || factor === 'sms_passcode') authDevice = phoneDevice;
          const token = user.tokens[0];
          if ((factor === 'hardware_token' || factor === 'yubikey_passcode') && token)
            authDevice = { key: token.token_id, name: token.serial, ip: null, location: { ...NO_LOCATION } };
          // Duo logs an invalid passcode without naming which passcode factor was tried.
          if (result !== 'success') factor = 'passcode';
        }
      }
      return buildAuthEvent({
        txid,
        tsMs,
        user,
        home,
        application: { key: app.integration_key, name: app.name, type: app.type },
        result,
        reason,
        factor,
        eventType,
        place: origin.place,
        ip: origin.ip,
        location: origin.location,
        ...(BROWSER_APPS.has(app.type)
          ? { adaptiveTrust: adaptiveTrust(r, abroad || origin.kind === 'mobile') }
          : {}),
        authDevice,
        r,
      });
    },
  };
}
