/**
 * Generated users with Duo's status and factor mix. User i depends only on (seed, i), so a bigger tenant
 * from the same seed extends a smaller one.
 */
import { BROWSERS, ACCESS_OS, FIRST_NAMES, HOME_PLACES, LAST_NAMES, PHONE_MODELS } from './catalog.js';
import type { FactorShorthand } from './fixture-schema.js';
import { createRng, duoId, seededBase32, type Rng } from './prng.js';
import type { OtpSecret, UserHome } from './state.js';
import type {
  PhoneCapability,
  UserStatus,
  WireGroupRef,
  WirePhone,
  WireToken,
  WireUser,
} from './wire-types.js';

const DAY = 86_400;

/** The realistic mix of statuses in a generated tenant (share of users). */
export const STATUS_MIX: readonly (readonly [UserStatus, number])[] = [
  ['active', 0.88],
  ['bypass', 0.03],
  ['disabled', 0.05],
  ['locked out', 0.02],
  ['pending deletion', 0.02],
];

export function randomFactors(r: Rng): FactorShorthand[] {
  if (r.chance(0.08)) return []; // not enrolled
  const f: FactorShorthand[] = [];
  const mobile = r.chance(0.85);
  if (mobile) f.push('push');
  else if (r.chance(0.4)) f.push('landline');
  if (r.chance(0.08)) f.push(r.chance(0.7) ? 'hardware_token' : 'yubikey');
  if (r.chance(0.15)) f.push('webauthn');
  if (r.chance(0.03)) f.push('u2f');
  if (r.chance(0.05)) f.push('desktop');
  if (f.length === 0) f.push('sms');
  return f;
}

export interface UserDraft {
  index: number;
  username?: string;
  status: UserStatus;
  factors: readonly FactorShorthand[];
  groups: readonly WireGroupRef[];
  realname?: string;
  email?: string;
  userId?: string;
  lastLogin?: number | null;
}

export interface GeneratedUser {
  user: WireUser;
  otp: [string, OtpSecret][];
  home: UserHome;
}

function isoSeen(s: number): string {
  return new Date(s * 1000).toISOString().slice(0, 19);
}

function maskedNumber(r: Rng): string {
  return `+1${r.chars(3, '23456789')}555${r.chars(4, '0123456789')}`;
}

export function buildUser(seed: string, nowS: number, d: UserDraft, takenNames: Set<string>): GeneratedUser {
  const r = createRng(seed, 'user', d.index);
  const first = r.pick(FIRST_NAMES);
  const last = r.pick(LAST_NAMES);
  let username = d.username ?? `${first}.${last}`.toLowerCase();
  for (let n = 2; takenNames.has(username); n++) username = `${first}.${last}${n}`.toLowerCase();
  takenNames.add(username);
  const userId = d.userId ?? duoId('DU', seed, 'user', d.index);
  const created = nowS - r.int(30, 3 * 365) * DAY - r.int(0, DAY);
  const otp: [string, OtpSecret][] = [];
  const phones: WirePhone[] = [];
  const tokens: WireToken[] = [];
  const user: WireUser = {
    alias1: null,
    alias2: null,
    alias3: null,
    alias4: null,
    aliases: {},
    created,
    desktoptokens: [],
    email: d.email ?? `${username.replace(/[^a-z0-9.]/g, '')}@example.com`,
    enable_auto_prompt: true,
    firstname: d.realname === undefined ? first : (d.realname.split(' ')[0] ?? ''),
    groups: [...d.groups],
    is_enrolled: false,
    last_directory_sync: r.chance(0.3) ? nowS - r.int(0, DAY) : null,
    last_login: null,
    lastname: d.realname === undefined ? last : d.realname.split(' ').slice(1).join(' '),
    lockout_reason: d.status === 'locked out' ? 'Failed Attempts' : null,
    notes: '',
    phones,
    realname: d.realname ?? `${first} ${last}`,
    status: d.status,
    tokens,
    u2ftokens: [],
    user_id: userId,
    username,
    webauthncredentials: [],
  };
  for (const f of d.factors) {
    const key = `${userId}:${f}`;
    if (f === 'push' || f === 'phone' || f === 'sms' || f === 'landline') {
      if (phones.length > 0) continue;
      const [platform, model] =
        f === 'landline'
          ? ['Generic Smartphone', 'Unknown']
          : r.weighted(PHONE_MODELS.map((m) => [m, m[2]] as const));
      const caps: PhoneCapability[] =
        f === 'landline'
          ? ['phone']
          : f === 'push'
            ? ['auto', 'push', 'sms', 'phone', 'mobile_otp']
            : f === 'sms'
              ? ['sms']
              : ['auto', 'phone', 'sms'];
      const phoneId = duoId('DP', key);
      const mobile = f !== 'landline';
      phones.push({
        activated: f === 'push',
        capabilities: caps,
        encrypted: f === 'push' ? 'Encrypted' : '',
        extension: '',
        fingerprint: f === 'push' ? 'Configured' : '',
        last_seen: f === 'push' ? isoSeen(nowS - r.int(0, 7 * DAY)) : '',
        model: mobile ? model : 'Unknown',
        name: '',
        number: maskedNumber(r),
        phone_id: phoneId,
        platform: mobile ? platform : 'Unknown',
        postdelay: null,
        predelay: null,
        screenlock: f === 'push' ? 'Locked' : '',
        sms_passcodes_sent: f === 'sms',
        tampered: f === 'push' ? 'Not tampered' : '',
        type: mobile ? 'Mobile' : 'Landline',
      });
      if (caps.includes('mobile_otp'))
        otp.push([phoneId, { kind: 'hotp', secret: seededBase32(20, key), digits: 6, step: 30, counter: 0 }]);
    } else if (f === 'hardware_token' || f === 'totp_token' || f === 'yubikey') {
      const type = f === 'yubikey' ? 'yk' : f === 'totp_token' ? 't6' : 'h6';
      const tokenId = duoId('DH', key);
      tokens.push({
        serial: r.chars(10, '0123456789'),
        token_id: tokenId,
        totp_step: type === 't6' ? 30 : null,
        type,
      });
      if (type !== 'yk')
        otp.push([
          tokenId,
          {
            kind: type === 't6' ? 'totp' : 'hotp',
            secret: seededBase32(20, key),
            digits: 6,
            step: 30,
            counter: 0,
          },
        ]);
    } else if (f === 'webauthn') {
      user.webauthncredentials.push({
        credential_name: r.pick(['Touch ID', 'Windows Hello', 'Security Key']),
        date_added: created + r.int(0, 30) * DAY,
        label: 'Security Key',
        webauthnkey: duoId('WA', key),
      });
    } else if (f === 'u2f') {
      user.u2ftokens.push({
        date_added: created + r.int(0, 30) * DAY,
        registration_id: duoId('D2', key, 'u2f'),
      });
    } else {
      user.desktoptokens.push({
        desktoptoken_id: duoId('DD', key, 'desktop'),
        name: `${r.pick(['Windows', 'macOS'])} desktop`,
        platform: r.pick(['Windows', 'Mac OS X']),
        type: 'Duo Desktop',
      });
    }
  }
  const factorCount =
    phones.length +
    tokens.length +
    user.webauthncredentials.length +
    user.u2ftokens.length +
    user.desktoptokens.length;
  user.is_enrolled = factorCount > 0;
  if (d.lastLogin !== undefined) user.last_login = d.lastLogin;
  else if (user.is_enrolled && (d.status === 'active' || d.status === 'bypass') && r.chance(0.9))
    user.last_login = nowS - r.int(0, r.chance(0.8) ? 20 * DAY : 120 * DAY);
  const place = r.chance(0.85) ? hash01(seed) : r.int(0, HOME_PLACES.length - 1);
  const net = HOME_PLACES[place]?.net ?? [10];
  const home: UserHome = {
    place,
    ip: `${r.pick(net)}.${r.int(1, 254)}.${r.int(0, 255)}.${r.int(1, 254)}`,
    browser: r.weighted(BROWSERS.map((b, i) => [i, b[2]] as const)),
    os: r.weighted(ACCESS_OS.map((o, i) => [i, o[2]] as const)),
  };
  return { user, otp, home };
}

/** The tenant's main home place: most users live there. */
function hash01(seed: string): number {
  return createRng(seed, 'home').int(0, HOME_PLACES.length - 1);
}
