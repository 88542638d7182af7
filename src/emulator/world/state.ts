/** The tenant's mutable in-memory state (small: the directory, never the logs). */
import type { EmulatorApplication, UserBehaviour } from './types.js';
import type {
  WireAdmin,
  WireBypassCode,
  WireGroup,
  WireIntegration,
  WirePolicy,
  WireSettings,
  WireUser,
} from './wire-types.js';

export interface OtpSecret {
  kind: 'hotp' | 'totp';
  secret: string;
  digits: 6 | 8;
  /** TOTP period in seconds */
  step: number;
  /** next HOTP counter the server expects (look-ahead window applies) */
  counter: number;
}

export interface BypassRecord {
  wire: WireBypassCode;
  plaintext: string;
  /** uses left; null = unlimited until expiry */
  remaining: number | null;
}

/** Where a user usually authenticates from: a home place index and a stable IP. */
export interface UserHome {
  place: number;
  ip: string;
  browser: number;
  os: number;
}

export interface TenantState {
  seed: string;
  createdAt: number;
  users: WireUser[];
  admins: WireAdmin[];
  groups: WireGroup[];
  /** protected applications and API integrations, in /admin/v1/integrations shape */
  integrations: WireIntegration[];
  apps: EmulatorApplication[];
  policies: WirePolicy[];
  /** integration key → policy key, for per-application policies */
  policyApps: Map<string, string>;
  settings: WireSettings;
  bypass: BypassRecord[];
  otp: Map<string, OtpSecret>;
  behaviours: Map<string, UserBehaviour>;
  homes: Map<string, UserHome>;
  /** failed attempts since the last success, for lockout (settings.lockout_threshold) */
  failures: Map<string, number>;
  telephonyCredits: number;
  /** counter for ids minted after creation (scenarios, engine), so they stay deterministic */
  serial: number;
}

export function mint(state: TenantState): number {
  state.serial += 1;
  return state.serial;
}
