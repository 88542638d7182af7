/**
 * Duo's wire shapes as the emulated world returns them (docs/duo-wire.md §5). Field names, nulls, "unknown",
 * string-vs-number and lowercase values follow Duo; the wire side only pages, wraps and serializes.
 */

export type UserStatus = 'active' | 'bypass' | 'disabled' | 'locked out' | 'pending deletion';

export interface WireGroupRef {
  desc: string;
  group_id: string;
  mobile_otp_enabled: boolean;
  name: string;
  push_enabled: boolean;
  sms_enabled: boolean;
  status: 'Active' | 'Bypass' | 'Disabled';
  voice_enabled: boolean;
}
export type WireGroup = WireGroupRef;

export type PhoneCapability = 'auto' | 'push' | 'sms' | 'phone' | 'mobile_otp';

export interface WirePhone {
  activated: boolean;
  capabilities: PhoneCapability[];
  encrypted: 'Encrypted' | 'Unencrypted' | '';
  extension: string;
  fingerprint: 'Configured' | 'Disabled' | '';
  last_seen: string;
  model: string;
  name: string;
  number: string;
  phone_id: string;
  platform: string;
  postdelay: string | null;
  predelay: string | null;
  screenlock: 'Locked' | 'Unlocked' | '';
  sms_passcodes_sent: boolean;
  tampered: 'Tampered' | 'Not tampered' | '';
  type: 'Mobile' | 'Landline' | 'Unknown';
}

export type TokenType = 'h6' | 'h8' | 'yk' | 't6' | 't8' | 'd1';

export interface WireToken {
  serial: string;
  token_id: string;
  totp_step: number | null;
  type: TokenType;
}

export interface WireU2fToken {
  date_added: number;
  registration_id: string;
}
export interface WireWebauthn {
  credential_name: string;
  date_added: number;
  label: string;
  webauthnkey: string;
}
export interface WireDesktopToken {
  desktoptoken_id: string;
  name: string;
  platform: string;
  type: string;
}

export interface WireUser {
  alias1: string | null;
  alias2: string | null;
  alias3: string | null;
  alias4: string | null;
  aliases: Record<string, string>;
  created: number;
  desktoptokens: WireDesktopToken[];
  email: string;
  enable_auto_prompt: boolean;
  firstname: string;
  groups: WireGroupRef[];
  is_enrolled: boolean;
  last_directory_sync: number | null;
  last_login: number | null;
  lastname: string;
  lockout_reason: string | null;
  notes: string;
  phones: WirePhone[];
  realname: string;
  status: UserStatus;
  tokens: WireToken[];
  u2ftokens: WireU2fToken[];
  user_id: string;
  username: string;
  webauthncredentials: WireWebauthn[];
}

/** A user as embedded in phones/tokens/bypass-code listings. */
export interface WireUserRef {
  created: number;
  email: string;
  last_login: number | null;
  realname: string;
  status: UserStatus;
  user_id: string;
  username: string;
}
export type WirePhoneListed = WirePhone & { users: WireUserRef[] };
export type WireTokenListed = WireToken & { admins: unknown[]; users: WireUserRef[] };

export type AdminRole =
  | 'Owner'
  | 'Administrator'
  | 'Application Manager'
  | 'User Manager'
  | 'Help Desk'
  | 'Billing'
  | 'Phishing Manager'
  | 'Read-only';
export type AdminStatus = 'Active' | 'Disabled' | 'Expired' | 'Pending Activation';

export interface WireAdmin {
  admin_id: string;
  admin_units: string[];
  created: number;
  email: string;
  hardtoken: null;
  last_login: number | null;
  name: string;
  password_change_required: boolean;
  phone: string;
  restricted_by_admin_units: boolean;
  role: AdminRole;
  status: AdminStatus;
}

export interface WireBypassCode {
  admin_email: string;
  bypass_code_id: string;
  created: number;
  expiration: number | null;
  reuse_count: number | null;
  user: WireUserRef;
}

export interface WireIntegration {
  adminapi_admins: boolean;
  adminapi_info: boolean;
  adminapi_integrations: boolean;
  adminapi_read_log: boolean;
  adminapi_read_resource: boolean;
  adminapi_settings: boolean;
  adminapi_write_resource: boolean;
  enroll_policy: 'enroll' | 'allow' | 'deny';
  greeting: string;
  groups_allowed: string[];
  integration_key: string;
  name: string;
  networks_for_api_access: string;
  notes: string;
  policy_key: string | null;
  prompt_v4_enabled: boolean;
  type: string;
  username_normalization_policy: 'None' | 'Simple';
}

export type AuthPolicyMode = 'enforce' | 'bypass' | 'deny';
export type NewUserBehavior = 'enroll' | 'deny' | 'no-mfa';

/** Policies v2 object. `sections` holds only the sections the policy sets (Duo omits unset ones). */
export interface WirePolicy {
  policy_key: string;
  policy_name: string;
  is_global_policy: boolean;
  sections: Record<string, Record<string, unknown>>;
  /** section names the policy leaves to its parent (global) policy */
  sections_not_configured: string[];
}

export interface WirePolicySummary {
  global_policy_key: string;
  policies_count: number;
  /** applications keyed to the policy that governs them */
  policy_applied_apps: { integration_key: string; policy_key: string }[];
}

export interface WireSettings {
  [key: string]: unknown;
  lockout_threshold: number;
  lockout_expire_duration: number | null;
  minimum_password_length: number;
  name: string;
  timezone: string;
}

export interface WireInfoSummary {
  admin_count: number;
  integration_count: number;
  telephony_credits_remaining: number;
  user_count: number;
}

export interface WireLocation {
  city: string | null;
  country: string | null;
  state: string | null;
}

export interface AuthLogEvent {
  access_device: {
    browser: string | null;
    browser_version: string | null;
    epkey: string | null;
    flash_version: string | null;
    hostname: string | null;
    ip: string | null;
    is_encryption_enabled: boolean | 'unknown';
    is_firewall_enabled: boolean | 'unknown';
    is_password_set: boolean | 'unknown';
    java_version: string | null;
    location: WireLocation;
    os: string | null;
    os_version: string | null;
    security_agents: null | 'unknown' | { security_agent: string; version: string }[];
  };
  adaptive_trust_assessments: Record<string, unknown>;
  alias: string;
  application: { key: string; name: string };
  auth_device: { ip: string | null; key: string | null; location: WireLocation; name: string | null };
  email: string;
  event_type: 'authentication' | 'enrollment';
  factor: string | null;
  isotimestamp: string;
  ood_software: string | null;
  reason: string | null;
  result: 'success' | 'denied' | 'failure' | 'error' | 'fraud';
  timestamp: number;
  trusted_endpoint_status: 'trusted' | 'not trusted' | 'unknown' | null;
  txid: string;
  user: { groups: string[]; key: string; name: string };
}

export interface AdminLogRow {
  action: string;
  description: string;
  isotimestamp: string;
  object: string | null;
  timestamp: number;
  username: string;
}

export interface TelephonyItem {
  context: 'authentication' | 'administrator login' | 'enrollment' | 'verify';
  credits: number;
  phone: string;
  telephony_id: string;
  ts: string;
  txid: string;
  type: 'sms' | 'phone';
}

export interface TelephonyRowV1 {
  context: TelephonyItem['context'];
  credits: number;
  isotimestamp: string;
  phone: string;
  timestamp: number;
  type: 'sms' | 'phone';
}

export interface ActivityItem {
  access_device: {
    browser: string | null;
    browser_version: string | null;
    epkey: string | null;
    ip: { address: string | null };
    location: WireLocation;
    os: string | null;
    os_version: string | null;
  };
  /** Elastic's samples: `{name, details}` (the Python client's docstring shows a string; collectors read both). */
  action: { details: string | null; name: string };
  activity_id: string;
  actor: { details: string | null; key: string; name: string; type: string };
  akey: string;
  application: { key: string; name: string; type: string } | null;
  old_target: { details: string | null; key: string; name: string; type: string } | null;
  outcome: { result: 'SUCCESS' | 'FAILURE' };
  target: { details: string | null; key: string; name: string; type: string } | null;
  ts: string;
}

export interface TrustMonitorEvent {
  explanations: { summary: string; type: string }[];
  from_common_netblock: boolean;
  from_new_user: boolean;
  low_risk_ip: boolean;
  priority_event: boolean;
  priority_reasons: { label: string; type: string }[];
  sekey: string;
  state: 'new' | 'processed';
  state_updated_timestamp: number | null;
  /** The authentication that surfaced an `auth` event; absent from the other types. */
  surfaced_auth?: AuthLogEvent;
  /** `bypass_status` events: when bypass was enabled (ms), by whom, for whom. */
  bypass_status_enabled?: number;
  enabled_by?: { key: string; name: string };
  enabled_for?: { key: string; name: string };
  surfaced_timestamp: number;
  triage_event_uri: string;
  triaged_as_interesting: boolean;
  type: 'auth' | 'bypass_status' | 'device_registration';
}

export interface OfflineEnrollmentRow {
  action: 'o2fa_user_provisioned' | 'o2fa_user_deprovisioned' | 'o2fa_user_reenrolled';
  description: string;
  isotimestamp: string;
  object: string;
  timestamp: number;
  username: string;
}
