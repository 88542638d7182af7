/** The world's contract with the wire side (see /tmp/EMULATOR-CONTRACT.md). */
import type {
  ActivityItem,
  AdminLogRow,
  AuthLogEvent,
  OfflineEnrollmentRow,
  TelephonyItem,
  TelephonyRowV1,
  TrustMonitorEvent,
  WireAdmin,
  WireBypassCode,
  WireGroup,
  WireInfoSummary,
  WireIntegration,
  WirePhoneListed,
  WirePolicy,
  WirePolicySummary,
  WireSettings,
  WireTokenListed,
  WireUser,
} from './wire-types.js';
import type { TenantFixture } from './fixture-schema.js';

/** `websdk`: a Web SDK (Universal Prompt, OIDC) application; its ikey/skey are the client id and secret. */
export type AppKind = 'admin' | 'auth' | 'device' | 'accounts' | 'websdk';

/** The Admin API grants of the compliance specification plus "settings". */
/** Conditions of one authentication that are not the user's doing (emulator faults, docs/emulator.md). */
export interface AuthOptions {
  /** The telephony provider is failing: calls are never answered, SMS is not sent; push and passcodes work. */
  telephonyDown?: boolean;
}

export interface AdminGrants {
  read_information: boolean;
  read_log: boolean;
  read_resource: boolean;
  administrators_read: boolean;
  settings_read: boolean;
}

export type DeviceOs = 'windows' | 'macos' | 'linux';

export interface EmulatorApplication {
  ikey: string;
  skey: string;
  kind: AppKind;
  name: string;
  /** admin kind; all false for other kinds */
  grants: AdminGrants;
  /** device kind: the management system key (DM…) */
  mkey?: string;
  /** device kind: the one OS this management integration accepts identifiers for */
  os?: DeviceOs;
}

/** An error the world answers with; codes are only those of docs/duo-wire.md §3. */
export interface WorldError {
  error: { status: number; code: number; message: string; detail?: string };
}

export interface TenantSpec {
  hostname: string;
  seed: string;
  /** number of generated users (ignored when the fixture lists users or counts) */
  users: number;
  name?: string;
  /** emulator epoch ms at creation; history is generated up to here and continues with the clock */
  now: number;
  fixture?: TenantFixture;
  /** average authentications per user per day in generated logs (default 4) */
  authsPerUserPerDay?: number;
  /** account id (DA…) when the tenant is a child of an Accounts API parent */
  accountId?: string;
}

export type SortOrder = 'ts:asc' | 'ts:desc';
export interface AuthLogCursor {
  ts: number;
  txid: string;
}
export interface AuthLogQuery {
  /** ms, inclusive */
  mintime: number;
  /** ms, inclusive */
  maxtime: number;
  limit: number;
  sort: SortOrder;
  after?: AuthLogCursor;
  /** users, groups, applications, results, reasons, factors, event_types (docs/duo-wire.md §4) */
  filters?: Record<string, readonly string[]>;
}
export interface AuthLogPage {
  events: AuthLogEvent[];
  total: number;
  next: AuthLogCursor | null;
}
export interface ItemLogQuery {
  mintime: number;
  maxtime: number;
  limit: number;
  sort: SortOrder;
  /** "<ts ms>,<id>" as returned in `next` */
  after?: string;
}
export interface ItemLogPage<T> {
  items: T[];
  total: number;
  next: string | null;
}
export interface TrustMonitorQuery {
  mintime: number;
  maxtime: number;
  limit: number;
  /** Events already read in this window (Duo's integer-like `next_offset`). */
  offset?: number;
  /** `auth`, `bypass_status` or `device_registration`. */
  type?: string;
}

export type AdminAction = 'bypass_create' | 'user_delete' | 'admin_create' | 'integration_skey_view';

export type ScenarioSpec =
  | { kind: 'push_fatigue'; user?: string; at?: number; pushes?: number; approve?: boolean }
  | { kind: 'fraud'; user?: string; at?: number }
  | { kind: 'bypass_code_use'; user?: string; at?: number }
  | { kind: 'user_to_bypass'; user?: string; admin?: string; at?: number }
  | { kind: 'admin_action'; action: AdminAction; user?: string; admin?: string; at?: number }
  | { kind: 'new_country'; user?: string; at?: number; country?: string }
  /** a login at home, then one from `country` (default: a random far place) `minutes` later (default 5–15) */
  | { kind: 'impossible_travel'; user?: string; at?: number; country?: string; minutes?: number }
  | { kind: 'remembered_device_abuse'; user?: string; at?: number; count?: number }
  | { kind: 'telephony_fraud'; at?: number; count?: number };
export type ScenarioKind = ScenarioSpec['kind'];

export interface ScenarioResult {
  kind: ScenarioKind;
  /** what was written, so a test can find it */
  authTxids: string[];
  adminActions: string[];
  telephonyIds: string[];
  trustMonitorKeys: string[];
  userId: string | null;
}

/** How a simulated user answers a push or phone call. */
export type UserBehaviour =
  | { kind: 'approve'; afterS?: number | undefined }
  | { kind: 'deny'; afterS?: number | undefined }
  | { kind: 'ignore' }
  | { kind: 'fraud'; afterS?: number | undefined };

export interface PreauthDevice {
  capabilities: string[];
  device: string;
  display_name: string;
  name: string;
  number?: string;
  sms_nextcode?: string;
  type: 'phone' | 'token';
}
export interface PreauthResult {
  result: 'auth' | 'allow' | 'deny' | 'enroll';
  status_msg: string;
  devices?: PreauthDevice[];
  enroll_portal_url?: string;
}
export interface AuthResult {
  result: 'allow' | 'deny';
  status: string;
  status_msg: string;
  trusted_device_token?: string;
}
export interface AuthStatusResult {
  result: 'waiting' | 'allow' | 'deny';
  status: string;
  status_msg: string;
  auth_delayed: boolean;
}
export interface EnrollResult {
  activation_barcode: string;
  activation_code: string;
  activation_url: string;
  expiration: number;
  user_id: string;
  username: string;
}
export type Params = Readonly<Record<string, string>>;

export interface DeviceCache {
  cache_key: string;
  /** epoch seconds (ASSUMPTIONS A10) */
  created: number;
  device_count: number;
  status: 'pending' | 'active';
  /** epoch seconds of the last change to the cache or its devices */
  updated: number;
}
export interface DevicesRetrieved {
  cache_key: string;
  devices_retrieved: { date_added: number; device_id: string }[];
  num_devices_retrieved: number;
  /** Offset of the next page when listing a whole cache; absent on the last page. */
  next_offset?: number;
}

export interface DeviceCacheStore {
  readonly os: DeviceOs;
  create(active?: boolean): DeviceCache | WorldError;
  list(status?: 'active' | 'pending'): DeviceCache[];
  get(cacheKey: string): DeviceCache | WorldError;
  addDevices(cacheKey: string, ids: readonly string[]): { device_count: number } | WorldError;
  /**
   * The named ids that are in the cache; with no ids, one page of every device in the order added
   * (`next_offset` present while more remain).
   */
  getDevices(
    cacheKey: string,
    ids: readonly string[],
    page?: { limit: number; offset: number },
  ): DevicesRetrieved | WorldError;
  deleteDevices(cacheKey: string, ids: readonly string[]): { device_count: number } | WorldError;
  activate(cacheKey: string): Record<string, never> | WorldError;
  delete(cacheKey: string): Record<string, never> | WorldError;
}

export interface Tenant {
  readonly hostname: string;
  readonly name: string;
  readonly accountId: string;
  readonly seed: string;
  applications(): readonly EmulatorApplication[];
  application(ikey: string): EmulatorApplication | undefined;
  addApplication(
    kind: AppKind,
    opts?: { name?: string; grants?: Partial<AdminGrants>; os?: DeviceOs },
  ): EmulatorApplication;
  rotateSecret(ikey: string): EmulatorApplication;
  setGrants(ikey: string, grants: Partial<AdminGrants>): void;

  users(): readonly WireUser[];
  user(id: string): WireUser | undefined;
  userByName(username: string): WireUser | undefined;
  admins(): readonly WireAdmin[];
  groups(): readonly WireGroup[];
  phones(): readonly WirePhoneListed[];
  tokens(): readonly WireTokenListed[];
  bypassCodes(userId?: string): readonly WireBypassCode[];
  integrations(): readonly WireIntegration[];
  policies(): readonly WirePolicy[];
  policy(key: string): WirePolicy | undefined;
  globalPolicy(): WirePolicy;
  policySummary(): WirePolicySummary;
  settings(): WireSettings;
  infoSummary(): WireInfoSummary;
  /** counts by SUCCESS|FAILURE|ERROR|FRAUD over [mintimeS, maxtimeS] */
  authenticationAttempts(mintimeS: number, maxtimeS: number): Record<string, number>;

  authLog(q: AuthLogQuery): AuthLogPage;
  telephonyLog(q: ItemLogQuery): ItemLogPage<TelephonyItem>;
  activityLog(q: ItemLogQuery): ItemLogPage<ActivityItem>;
  trustMonitor(q: TrustMonitorQuery): { events: TrustMonitorEvent[]; next: number | null };
  /** v1: rows with timestamp >= mintimeS and <= nowS, ascending, at most `limit` (<= 1000) */
  adminLog(mintimeS: number, limit: number, nowS: number): AdminLogRow[];
  telephonyLogV1(mintimeS: number, limit: number, nowS: number): TelephonyRowV1[];
  offlineEnrollmentLog(mintimeS: number, limit: number, nowS: number): OfflineEnrollmentRow[];

  inject(s: ScenarioSpec): ScenarioResult;

  setUserBehaviour(userIdOrName: string, b: UserBehaviour): void;
  /** test/control helper: a currently valid passcode for the user's first token or phone (HOTP/TOTP) */
  validPasscode(userIdOrName: string): string | undefined;
  /** test/control helper: the unused SMS passcodes of the last batch the Auth API sent the user */
  smsPasscodes(userIdOrName: string): string[];
  /** test/control helper: create a bypass code and return its plaintext (also logs bypass_create) */
  createBypassCode(userIdOrName: string, opts?: { reuseCount?: number; validSecs?: number }): string;
  preauth(p: Params): PreauthResult | WorldError;
  auth(p: Params, opts?: AuthOptions & { signal?: AbortSignal }): Promise<AuthResult | WorldError>;
  authAsync(p: Params, opts?: AuthOptions): { txid: string } | WorldError;
  authStatus(
    txid: string,
    opts?: { waitMs?: number; signal?: AbortSignal },
  ): Promise<AuthStatusResult | WorldError>;
  enroll(p: Params): EnrollResult | WorldError;
  enrollStatus(p: Params): 'success' | 'waiting' | 'invalid' | WorldError;

  deviceCaches(mkey: string): DeviceCacheStore | undefined;
}
