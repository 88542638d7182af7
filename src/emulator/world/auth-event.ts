/** Builds one authentication-log event in Duo's v2 wire shape (docs/duo-wire.md §5 "Auth log v2 event"). */
import { ACCESS_OS, BROWSERS, type Place } from './catalog.js';
import type { UserHome } from './state.js';
import type { AuthLogEvent, WireLocation, WireUser } from './wire-types.js';
import type { Rng } from './prng.js';

export const NO_LOCATION: WireLocation = { city: null, state: null, country: null };

export function isoMicros(tsMs: number, extraMicros: number): string {
  const base = new Date(tsMs).toISOString(); // 2024-01-02T03:04:05.678Z
  return `${base.slice(0, 23)}${String(extraMicros % 1000).padStart(3, '0')}+00:00`;
}

export function ipIn(r: Rng, place: Place): string {
  return `${r.pick(place.net)}.${r.int(1, 254)}.${r.int(0, 255)}.${r.int(1, 254)}`;
}

export interface AuthEventInput {
  txid: string;
  tsMs: number;
  user: WireUser;
  home: UserHome;
  application: { key: string; name: string; type: string };
  result: AuthLogEvent['result'];
  reason: string | null;
  factor: string | null;
  eventType?: AuthLogEvent['event_type'];
  /** where the access device is; default: the user's home */
  place: Place;
  /** the access device's address; default the user's home address; null when Duo logged none */
  ip?: string | null;
  /** where Duo placed the access device; default the place's location (none for private addresses) */
  location?: WireLocation;
  /** Duo's risk-based assessments (Universal Prompt applications); default none */
  adaptiveTrust?: Record<string, unknown>;
  /** the access device's host name when the caller named it (Auth API `hostname`) */
  hostname?: string | null;
  /** the phone/token used, if any */
  authDevice?: { key: string; name: string; ip: string | null; location: WireLocation } | null;
  r: Rng;
}

// Non-browser applications report a host name instead of a browser; Auth API callers report neither.
const NON_BROWSER = new Set(['rdp', 'unix', 'ciscoasa', 'authapi']);

export function buildAuthEvent(i: AuthEventInput): AuthLogEvent {
  const { r, user, home } = i;
  const browserApp = !NON_BROWSER.has(i.application.type);
  const os = ACCESS_OS[home.os] ?? ACCESS_OS[0];
  const br = BROWSERS[home.browser] ?? BROWSERS[0];
  const hasDesktop = user.desktoptokens.length > 0;
  // Duo reports host posture only when Duo Desktop is present; otherwise "unknown" (docs/duo-wire.md §5).
  const posture = (): boolean | 'unknown' => (hasDesktop ? r.chance(0.9) : 'unknown');
  return {
    access_device: {
      browser: browserApp && br !== undefined ? br[0] : null,
      browser_version: browserApp && br !== undefined ? r.pick(br[1]) : null,
      epkey: hasDesktop ? `EP${r.chars(18, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}` : null,
      flash_version: browserApp ? 'uninstalled' : null,
      hostname:
        i.hostname !== undefined
          ? i.hostname
          : browserApp
            ? null
            : `${user.username.split('.')[0] ?? 'host'}-${r.chars(4, '0123456789')}`.toUpperCase(),
      ip: i.ip === undefined ? home.ip : i.ip,
      is_encryption_enabled: posture(),
      is_firewall_enabled: posture(),
      is_password_set: posture(),
      java_version: browserApp ? 'uninstalled' : null,
      location: { ...(i.location ?? i.place.loc) },
      os: os !== undefined ? os[0] : null,
      os_version: os !== undefined ? r.pick(os[1]) || null : null,
      security_agents: hasDesktop ? [] : r.chance(0.5) ? 'unknown' : null,
    },
    adaptive_trust_assessments: i.adaptiveTrust ?? {},
    alias: '',
    application: { key: i.application.key, name: i.application.name },
    auth_device:
      i.authDevice === undefined || i.authDevice === null
        ? { ip: null, key: null, location: { ...NO_LOCATION }, name: null }
        : { ...i.authDevice, location: { ...i.authDevice.location } },
    email: user.email,
    event_type: i.eventType ?? 'authentication',
    factor: i.factor,
    isotimestamp: isoMicros(i.tsMs, r.int(0, 999)),
    ood_software: null,
    reason: i.reason,
    result: i.result,
    timestamp: Math.floor(i.tsMs / 1000),
    trusted_endpoint_status: browserApp
      ? hasDesktop
        ? 'trusted'
        : r.pick(['not trusted', 'unknown'] as const)
      : null,
    txid: i.txid,
    user: { groups: user.groups.map((g) => g.name), key: user.user_id, name: user.username },
  };
}
