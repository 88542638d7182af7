/**
 * Generated administrator, telephony, activity, trust-monitor and offline-enrollment streams, in Duo's wire
 * shapes (docs/duo-wire.md §5). Rates scale with the tenant's size; shapes follow business hours.
 */
import { pythonJson } from '../../duo/sign/index.js';
import { FOREIGN_PLACES, HOME_PLACES, type Place } from './catalog.js';
import { buildAuthEvent, ipIn, isoMicros } from './auth-event.js';
import { weekShape, type StreamDef } from './log-stream.js';
import { ID_ALPHABET, uuidFrom, type Rng } from './prng.js';
import type { UserHome } from './state.js';
import type {
  ActivityItem,
  AdminLogRow,
  OfflineEnrollmentRow,
  TelephonyItem,
  TrustMonitorEvent,
  WireAdmin,
  WireIntegration,
  WireUser,
} from './wire-types.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Administrator-log descriptions are Python `json.dumps` strings (docs/duo-wire.md §5). */
export function describe(obj: Record<string, unknown>): string {
  return pythonJson(obj, { compact: false });
}

export interface OtherGenContext {
  seed: string;
  accountId: string;
  users: readonly WireUser[];
  homes: ReadonlyMap<string, UserHome>;
  admins: readonly WireAdmin[];
  apps: readonly WireIntegration[];
  /** The tenant's API host; the Admin Panel host (`admin-…`) is derived from it for triage links. */
  hostname?: string;
}

/** `api-XXXXXXXX.duosecurity.com` → `admin-XXXXXXXX.duosecurity.com` (where an operator triages). */
export function adminHostOf(apiHost: string | undefined): string {
  if (apiHost === undefined || !apiHost.startsWith('api-')) return 'admin.duosecurity.com';
  return `admin-${apiHost.slice(4)}`;
}

function pickUser(
  ctx: OtherGenContext,
  r: Rng,
  withPhone = false,
): { user: WireUser; home: UserHome } | undefined {
  const pool = withPhone ? ctx.users.filter((u) => u.phones.length > 0) : ctx.users;
  if (pool.length === 0) return undefined;
  const user = r.pick(pool);
  const home = ctx.homes.get(user.user_id);
  return home === undefined ? undefined : { user, home };
}

export function telephonyDef(ctx: OtherGenContext): StreamDef<TelephonyItem> {
  const phoneUsers = ctx.users.filter((u) => u.phones.length > 0);
  const perHour = (phoneUsers.length * 0.02) / 24;
  return {
    name: 'telephony',
    bucketMs: HOUR,
    rate: (b) => perHour * weekShape(b * HOUR),
    makeId: uuidFrom,
    make(r, tsMs, id) {
      const user = r.pick(phoneUsers);
      const type = r.chance(0.6) ? 'sms' : 'phone';
      return {
        context: r.weighted([
          ['authentication', 85],
          ['enrollment', 8],
          ['administrator login', 5],
          ['verify', 2],
        ] as const),
        credits: type === 'sms' ? 1 : r.int(1, 3),
        phone: user.phones[0]?.number ?? '',
        telephony_id: id,
        ts: isoMicros(tsMs, r.int(0, 999)),
        txid: uuidFrom(r),
        type,
      };
    },
  };
}

const ADMIN_ACTIONS: readonly (readonly [string, number])[] = [
  ['admin_login', 55],
  ['admin_login_error', 3],
  ['admin_2fa_error', 1],
  ['user_update', 10],
  ['user_create', 6],
  ['phone_create', 5],
  ['group_update', 3],
  ['integration_update', 2],
  ['policy_update', 2],
  ['bypass_view', 1],
  ['user_pending_delete', 1],
];

export function adminLogDef(ctx: OtherGenContext): StreamDef<AdminLogRow> {
  const active = ctx.admins.filter((a) => a.status === 'Active');
  const perHour = (active.length * 3) / 24;
  return {
    name: 'admin',
    bucketMs: HOUR,
    rate: (b) => perHour * weekShape(b * HOUR),
    makeId: uuidFrom,
    make(r, tsMs) {
      const admin = r.pick(active);
      const action = r.weighted(ADMIN_ACTIONS);
      const u = pickUser(ctx, r);
      const place = HOME_PLACES[u?.home.place ?? 0] as Place;
      let object: string | null = u?.user.username ?? null;
      let description: Record<string, unknown> = {};
      if (action === 'admin_login')
        [object, description] = [
          null,
          { device: null, factor: 'push', ip_address: ipIn(r, place), primary_auth_method: 'Password' },
        ];
      else if (action === 'admin_login_error')
        [object, description] = [null, { error: 'Invalid password', ip_address: ipIn(r, place) }];
      else if (action === 'admin_2fa_error')
        [object, description] = [
          null,
          { error: 'Login request timed out', factor: 'push', ip_address: ipIn(r, place) },
        ];
      else if (action === 'user_update') description = { notes: 'updated by help desk' };
      else if (action === 'user_create')
        description = { email: u?.user.email ?? '', realname: u?.user.realname ?? '', status: 'Active' };
      else if (action === 'phone_create')
        description = { number: u?.user.phones[0]?.number ?? '', type: 'Mobile' };
      else if (action === 'group_update')
        [object, description] = ['Engineering', { desc: 'Engineering group' }];
      else if (action === 'integration_update') {
        const app = r.pick(ctx.apps);
        [object, description] = [app.name, { name: app.name, type: app.type }];
      } else if (action === 'policy_update')
        [object, description] = ['Global Policy', { sections: ['browsers'] }];
      return {
        action,
        description: describe(description),
        isotimestamp: new Date(Math.floor(tsMs / 1000) * 1000).toISOString().replace('.000Z', '+00:00'),
        object,
        timestamp: Math.floor(tsMs / 1000),
        username: action === 'user_pending_delete' ? 'System' : admin.name,
      };
    },
  };
}

/** Activity actions with the kind of actor that performs them (admins, users, the Admin API, the system). */
const ACTIVITY_ACTIONS: readonly (readonly [
  readonly [string, 'admin' | 'user' | 'api' | 'system'],
  number,
])[] = [
  [['admin_login', 'admin'], 20],
  [['member_update', 'admin'], 12],
  [['user_update', 'admin'], 8],
  [['group_update', 'admin'], 3],
  [['group_member_add', 'admin'], 5],
  [['integration_update', 'admin'], 4],
  [['policy_update', 'admin'], 3],
  [['phone_activation_succeeded', 'user'], 12],
  [['user_enrollment_complete', 'user'], 6],
  [['self_service_device_add', 'user'], 5],
  [['sso_login', 'user'], 8],
  [['user_create', 'api'], 6],
  [['user_delete', 'api'], 2],
  [['bypass_code_create', 'api'], 2],
  [['user_pending_delete', 'system'], 2],
  [['inactive_user_expire', 'system'], 2],
];
const APP_ACTIONS = new Set(['integration_update', 'policy_update', 'sso_login']);

export function activityDef(ctx: OtherGenContext): StreamDef<ActivityItem> {
  const perHour = (ctx.users.length * 0.03) / 24;
  return {
    name: 'activity',
    bucketMs: HOUR,
    rate: (b) => (ctx.admins.length === 0 ? 0 : perHour * weekShape(b * HOUR)),
    makeId: uuidFrom,
    make(r, tsMs, id) {
      const admin = r.pick(ctx.admins);
      const u = pickUser(ctx, r);
      const place = HOME_PLACES[u?.home.place ?? 0] as Place;
      const [name, actorType] = r.weighted(ACTIVITY_ACTIONS);
      const app = ctx.apps.length === 0 ? undefined : r.pick(ctx.apps);
      const userRef =
        u === undefined ? null : { details: null, key: u.user.user_id, name: u.user.username, type: 'user' };
      const actor =
        actorType === 'user' && u !== undefined
          ? { details: null, key: u.user.user_id, name: u.user.username, type: 'user' }
          : actorType === 'api'
            ? { details: null, key: app?.integration_key ?? '', name: 'Admin API', type: 'api' }
            : actorType === 'system'
              ? { details: null, key: '', name: 'System', type: 'system' }
              : { details: null, key: admin.admin_id, name: admin.name, type: 'admin' };
      const renamed = name === 'user_update' || name === 'group_update';
      return {
        access_device: {
          browser: 'Chrome',
          browser_version: '121.0.6167.85',
          epkey: actorType === 'user' ? `EP${r.chars(18, ID_ALPHABET)}` : null,
          ip: { address: ipIn(r, place) },
          location: { ...place.loc },
          os: 'Windows',
          os_version: '11',
        },
        action: { details: renamed ? describe({ realname: u?.user.realname ?? '' }) : null, name },
        activity_id: id,
        actor,
        akey: ctx.accountId,
        application:
          app === undefined || !APP_ACTIONS.has(name)
            ? null
            : { key: app.integration_key, name: app.name, type: app.type },
        old_target: renamed && userRef !== null ? { ...userRef, details: describe({ realname: '' }) } : null,
        outcome: { result: r.chance(0.96) ? 'SUCCESS' : 'FAILURE' },
        target: userRef,
        ts: isoMicros(tsMs, r.int(0, 999)),
      };
    },
  };
}

export function trustMonitorEvent(
  ctx: OtherGenContext,
  r: Rng,
  tsMs: number,
  sekey: string,
  user: WireUser,
  home: UserHome,
  txid: string,
): TrustMonitorEvent {
  const place = r.pick(FOREIGN_PLACES);
  const app = ctx.apps[0];
  const priority = r.chance(0.3);
  const surfaced = buildAuthEvent({
    txid,
    tsMs: tsMs - r.int(1, 60) * 60_000,
    user,
    home,
    application: { key: app?.integration_key ?? '', name: app?.name ?? '', type: app?.type ?? '' },
    result: 'success',
    reason: 'user_approved',
    factor: 'duo_push',
    place,
    ip: ipIn(r, place),
    r,
  });
  return {
    explanations: [
      { summary: `${user.username} has not logged in from this country recently.`, type: 'NEW_COUNTRY_CODE' },
    ],
    from_common_netblock: false,
    from_new_user: false,
    low_risk_ip: false,
    priority_event: priority,
    priority_reasons: priority ? [{ label: 'New country', type: 'NEW_COUNTRY_CODE' }] : [],
    sekey,
    state: 'new',
    state_updated_timestamp: null,
    surfaced_auth: surfaced,
    surfaced_timestamp: tsMs,
    triage_event_uri: `https://${adminHostOf(ctx.hostname)}/trust-monitor?sekey=${sekey}`,
    triaged_as_interesting: false,
    type: 'auth',
  };
}

/**
 * `bypass_status` and `device_registration` events carry no surfaced authentication; bypass events name who
 * enabled bypass for whom (Duo's Trust Monitor documentation). Their priority reasons are [inferred].
 */
function otherTrustMonitorEvent(
  ctx: OtherGenContext,
  r: Rng,
  tsMs: number,
  sekey: string,
  user: WireUser,
  type: 'bypass_status' | 'device_registration',
): TrustMonitorEvent {
  const admin = ctx.admins.length === 0 ? undefined : r.pick(ctx.admins);
  const priority = r.chance(0.3);
  const base = {
    from_common_netblock: r.chance(0.5),
    from_new_user: false,
    low_risk_ip: false,
    priority_event: priority,
    sekey,
    state: 'new' as const,
    state_updated_timestamp: null,
    surfaced_timestamp: tsMs,
    triage_event_uri: `https://${adminHostOf(ctx.hostname)}/trust-monitor?sekey=${sekey}`,
    triaged_as_interesting: false,
  };
  if (type === 'bypass_status')
    return {
      ...base,
      bypass_status_enabled: tsMs - r.int(1, 30) * 60_000,
      enabled_by: { key: admin?.admin_id ?? '', name: admin?.name ?? 'API' },
      enabled_for: { key: user.user_id, name: user.username },
      explanations: [
        { summary: `${user.username} was put in bypass status.`, type: 'BYPASS_STATUS_ENABLED' },
      ],
      priority_reasons: priority ? [{ label: 'Bypass enabled', type: 'BYPASS_STATUS_ENABLED' }] : [],
      type,
    };
  return {
    ...base,
    explanations: [{ summary: `${user.username} registered a new device.`, type: 'NEW_DEVICE_REGISTRATION' }],
    priority_reasons: priority ? [{ label: 'New device', type: 'NEW_DEVICE_REGISTRATION' }] : [],
    type,
  };
}

export function trustMonitorDef(ctx: OtherGenContext): StreamDef<TrustMonitorEvent> {
  const perDay = Math.max(0.05, ctx.users.length * 0.0005);
  return {
    name: 'trust',
    bucketMs: DAY,
    rate: () => (ctx.users.length === 0 ? 0 : perDay),
    makeId: (r) => `SE${r.chars(18, ID_ALPHABET)}`,
    make(r, tsMs, id) {
      const u = pickUser(ctx, r) as { user: WireUser; home: UserHome };
      const kind = r.weighted([
        ['auth', 70],
        ['bypass_status', 15],
        ['device_registration', 15],
      ] as const);
      if (kind === 'auth') return trustMonitorEvent(ctx, r, tsMs, id, u.user, u.home, uuidFrom(r));
      return otherTrustMonitorEvent(ctx, r, tsMs, id, u.user, kind);
    },
  };
}

export function offlineDef(ctx: OtherGenContext): StreamDef<OfflineEnrollmentRow> {
  const perDay = ctx.users.length * 0.002;
  return {
    name: 'offline',
    bucketMs: DAY,
    rate: () => perDay,
    makeId: uuidFrom,
    make(r, tsMs) {
      const u = pickUser(ctx, r);
      const host = `WKS-${r.chars(5, '0123456789')}`;
      // Duo's samples put the integration's name in `object` (the user is in `username`).
      const app = ctx.apps.length === 0 ? undefined : r.pick(ctx.apps);
      return {
        action: r.weighted([
          ['o2fa_user_provisioned', 70],
          ['o2fa_user_reenrolled', 20],
          ['o2fa_user_deprovisioned', 10],
        ] as const),
        description: describe({
          factor: r.pick(['duo_otp', 'security_key']),
          hostname: host,
          user_agent: 'DuoCredProv/4.2.2.1755 (Windows NT 10.0.19045; x64; Workstation)',
        }),
        isotimestamp: new Date(Math.floor(tsMs / 1000) * 1000).toISOString().replace('.000Z', '+00:00'),
        object: app?.name ?? 'Microsoft RDP',
        timestamp: Math.floor(tsMs / 1000),
        username: u?.user.username ?? '',
      };
    },
  };
}
