/**
 * The generated authentication stream: who authenticates, with what, and how it ends, in the mix a real
 * tenant shows (mostly approved pushes; some timeouts and mistakes; rare fraud), with Duo's lowercase
 * values (docs/duo-wire.md §5). Built over a snapshot of the roster taken when the tenant is created, so
 * history never shifts when the directory later changes.
 */
import { HOME_PLACES, type Place } from './catalog.js';
import { buildAuthEvent, ipIn, NO_LOCATION } from './auth-event.js';
import { weekShape, type StreamDef } from './log-stream.js';
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
  ['fraud', 'user_marked_fraud', 0.05],
  ['error', 'error', 0.1],
];
const PHONE_OUTCOMES: readonly Outcome[] = [
  ['success', 'user_approved', 88],
  ['denied', 'no_response', 8],
  ['denied', 'user_mistake', 3],
  ['fraud', 'user_marked_fraud', 0.1],
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

export function authStreamDef(ctx: AuthGenContext): StreamDef<AuthLogEvent> {
  const actors: Actor[] = [];
  const cumulative: number[] = [];
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
    actors.push({ user, home });
    cumulative.push(sum);
  }
  const apps = ctx.apps.map((a) => [a, APP_WEIGHTS[a.type] ?? 5] as const);
  const perBucket = (sum * ctx.authsPerUserPerDay * AUTH_BUCKET_MS) / 86_400_000;

  const pickActor = (u: number): Actor => {
    const target = u * sum;
    let a = 0;
    let z = cumulative.length - 1;
    while (a < z) {
      const m = (a + z) >> 1;
      if ((cumulative[m] as number) <= target) a = m + 1;
      else z = m;
    }
    return actors[a] as Actor;
  };

  return {
    name: 'auth',
    bucketMs: AUTH_BUCKET_MS,
    rate: (b) => (actors.length === 0 || apps.length === 0 ? 0 : perBucket * weekShape(b * AUTH_BUCKET_MS)),
    makeId: uuidFrom,
    // The actor is the event's first draw (see make), so its user key is known without building the event.
    facet: (r) => pickActor(r.next()).user.user_id,
    make(r, tsMs, txid) {
      const { user, home } = pickActor(r.next());
      const app = r.weighted(apps);
      const place = HOME_PLACES[home.place] as Place;
      // Mostly the user's usual IP; sometimes another address in the same region (mobile, travel).
      const ip = r.chance(0.8) ? home.ip : ipIn(r, place);
      const phone = user.phones[0];
      const phoneDevice = phone
        ? { key: phone.phone_id, name: phone.number, ip: ipIn(r, place), location: { ...place.loc } }
        : null;
      let result: AuthLogEvent['result'];
      let reason: string | null;
      let factor: string | null;
      let authDevice: { key: string; name: string; ip: string | null; location: WireLocation } | null = null;
      let eventType: AuthLogEvent['event_type'] = 'authentication';
      if (user.status === 'bypass') [result, reason, factor] = ['success', 'bypass_user', null];
      else if (user.status === 'disabled') [result, reason, factor] = ['denied', 'user_disabled', null];
      else if (user.status === 'locked out') [result, reason, factor] = ['denied', 'locked_out', null];
      else if (!user.is_enrolled) {
        if (ctx.newUserBehavior === 'no-mfa')
          [result, reason, factor] = ['success', 'allow_unenrolled_user', null];
        else if (ctx.newUserBehavior === 'deny')
          [result, reason, factor] = ['denied', 'deny_unenrolled_user', null];
        else [result, reason, factor, eventType] = ['success', 'user_enrolled', null, 'enrollment'];
      } else {
        const options: (readonly [string, number])[] = [];
        const caps = phone?.capabilities ?? [];
        if (caps.includes('push'))
          options.push(['duo_push', 78], ['duo_mobile_passcode', 5], ['remembered_device', 6]);
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
        place,
        ip,
        authDevice,
        r,
      });
    },
  };
}
