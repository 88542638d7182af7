/**
 * The tenant's inner parts shared by the query, scenario and Auth API modules: state, clock, log streams and
 * the helpers that write the trail Duo would leave (auth event, admin row, telephony row).
 */
import { HOME_PLACES, type Place } from './catalog.js';
import { buildAuthEvent, isoMicros, type AuthEventInput } from './auth-event.js';
import type { EmulatorClock } from './clock.js';
import type { LogStream } from './log-stream.js';
import { describe } from './other-logs-gen.js';
import { createRng, seededUuid } from './prng.js';
import { mint, type TenantState, type UserHome } from './state.js';
import type {
  ActivityItem,
  AdminLogRow,
  AuthLogEvent,
  OfflineEnrollmentRow,
  TelephonyItem,
  TrustMonitorEvent,
  WireIntegration,
  WirePhone,
  WireUser,
} from './wire-types.js';
import { buildUser } from './users-gen.js';

export interface Streams {
  auth: LogStream<AuthLogEvent>;
  admin: LogStream<AdminLogRow>;
  telephony: LogStream<TelephonyItem>;
  activity: LogStream<ActivityItem>;
  trust: LogStream<TrustMonitorEvent>;
  offline: LogStream<OfflineEnrollmentRow>;
}

export interface RecordAuthInput {
  user: WireUser;
  tsMs?: number;
  result: AuthLogEvent['result'];
  reason: string | null;
  factor: string | null;
  eventType?: AuthLogEvent['event_type'];
  application?: WireIntegration;
  place?: Place;
  ip?: string;
  hostname?: string | null;
  authDevice?: AuthEventInput['authDevice'];
  txid?: string;
}

export interface TenantCore {
  readonly state: TenantState;
  readonly clock: EmulatorClock;
  readonly hostname: string;
  readonly accountId: string;
  readonly streams: Streams;
  /** the protected applications users log in to */
  protectedApps(): WireIntegration[];
  findUser(idOrName: string): WireUser | undefined;
  homeOf(user: WireUser): UserHome;
  /** the first Owner/Administrator, used as the default actor of admin scenarios */
  defaultAdminName(): string;
  recordAuth(i: RecordAuthInput): AuthLogEvent;
  recordAdmin(
    action: string,
    object: string | null,
    description: Record<string, unknown>,
    username: string,
    tsMs?: number,
  ): AdminLogRow;
  recordTelephony(
    phone: string,
    type: 'sms' | 'phone',
    context: TelephonyItem['context'],
    tsMs?: number,
  ): TelephonyItem;
  newId(kind: string): string;
  /** a new active, unenrolled user (Auth API enroll, scenarios) */
  addUser(username: string): WireUser;
  /** gives the user an activated Duo Mobile phone (enrollment completed) */
  attachPhone(user: WireUser): WirePhone;
}

export function createCore(
  state: TenantState,
  clock: EmulatorClock,
  hostname: string,
  accountId: string,
  streams: Streams,
  protectedApps: () => WireIntegration[],
): TenantCore {
  const core: TenantCore = {
    state,
    clock,
    hostname,
    accountId,
    streams,
    protectedApps,
    findUser: (idOrName) => state.users.find((u) => u.user_id === idOrName || u.username === idOrName),
    homeOf(user) {
      let home = state.homes.get(user.user_id);
      if (home === undefined) {
        const r = createRng(state.seed, 'home-late', user.user_id);
        home = {
          place: 0,
          ip: `${r.int(11, 99)}.${r.int(1, 254)}.${r.int(0, 255)}.${r.int(1, 254)}`,
          browser: 0,
          os: 0,
        };
        state.homes.set(user.user_id, home);
      }
      return home;
    },
    defaultAdminName() {
      const a = state.admins.find(
        (x) => x.status === 'Active' && (x.role === 'Owner' || x.role === 'Administrator'),
      );
      return a?.name ?? state.admins[0]?.name ?? 'API';
    },
    newId: (kind) => seededUuid(state.seed, 'injected', kind, mint(state)),
    addUser(username) {
      const index = 1_000_000 + mint(state);
      const nowS = Math.floor(clock.now() / 1000);
      const g = buildUser(
        state.seed,
        nowS,
        { index, username, status: 'active', factors: [], groups: [] },
        new Set(),
      );
      g.user.created = nowS;
      g.user.last_login = null;
      state.users.push(g.user);
      state.homes.set(g.user.user_id, g.home);
      return g.user;
    },
    attachPhone(user) {
      const nowS = Math.floor(clock.now() / 1000);
      const g = buildUser(
        state.seed,
        nowS,
        { index: 2_000_000 + mint(state), status: 'active', factors: ['push'], groups: [] },
        new Set(),
      );
      const phone = g.user.phones[0] as WirePhone;
      for (const [, secret] of g.otp) state.otp.set(phone.phone_id, secret);
      user.phones.push(phone);
      user.is_enrolled = true;
      return phone;
    },
    recordAuth(i) {
      const tsMs = i.tsMs ?? clock.now();
      const home = core.homeOf(i.user);
      const apps = protectedApps();
      const app = i.application ?? apps[0];
      const txid = i.txid ?? core.newId('auth');
      const event = buildAuthEvent({
        txid,
        tsMs,
        user: i.user,
        home,
        application: { key: app?.integration_key ?? '', name: app?.name ?? '', type: app?.type ?? '' },
        result: i.result,
        reason: i.reason,
        factor: i.factor,
        place: i.place ?? (HOME_PLACES[home.place] as Place),
        r: createRng(state.seed, 'injected-auth', txid),
        ...(i.eventType === undefined ? {} : { eventType: i.eventType }),
        ...(i.ip === undefined ? {} : { ip: i.ip }),
        ...(i.hostname === undefined ? {} : { hostname: i.hostname }),
        ...(i.authDevice === undefined ? {} : { authDevice: i.authDevice }),
      });
      // Stateful events are a JSON snapshot: later directory changes never rewrite history.
      const frozen = JSON.parse(JSON.stringify(event)) as AuthLogEvent;
      streams.auth.inject(tsMs, txid, frozen);
      if (i.result === 'success' && (i.user.last_login ?? 0) < Math.floor(tsMs / 1000))
        i.user.last_login = Math.floor(tsMs / 1000);
      return frozen;
    },
    recordAdmin(action, object, description, username, tsMs = clock.now()) {
      const row: AdminLogRow = {
        action,
        description: describe(description),
        isotimestamp: new Date(Math.floor(tsMs / 1000) * 1000).toISOString().replace('.000Z', '+00:00'),
        object,
        timestamp: Math.floor(tsMs / 1000),
        username,
      };
      streams.admin.inject(tsMs, core.newId('admin'), row);
      return row;
    },
    recordTelephony(phone, type, context, tsMs = clock.now()) {
      const id = core.newId('telephony');
      const credits = type === 'sms' ? 1 : 2;
      const item: TelephonyItem = {
        context,
        credits,
        phone,
        telephony_id: id,
        ts: isoMicros(tsMs, 0),
        txid: core.newId('telephony-tx'),
        type,
      };
      state.telephonyCredits = Math.max(0, state.telephonyCredits - credits);
      streams.telephony.inject(tsMs, id, item);
      return item;
    },
  };
  return core;
}
