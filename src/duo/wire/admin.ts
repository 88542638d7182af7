import { z } from 'zod';
import { anyRecord, bool, num, numLike, obj, openEnum, str, strList } from './lenient.js';

export const USER_STATUSES = ['active', 'bypass', 'disabled', 'locked out', 'pending deletion'] as const;
export const ADMIN_ROLES = [
  'Owner',
  'Administrator',
  'Application Manager',
  'User Manager',
  'Help Desk',
  'Billing',
  'Phishing Manager',
  'Read-only',
] as const;

export const phoneSchema = obj({
  phone_id: z.string(),
  number: str,
  extension: str,
  name: str,
  type: str,
  platform: str,
  model: str,
  capabilities: strList,
  activated: bool,
  last_seen: str,
  sms_passcodes_sent: bool,
  users: z.array(anyRecord).nullish(),
});
export type DuoPhone = z.infer<typeof phoneSchema>;

export const tokenSchema = obj({
  token_id: z.string(),
  serial: str,
  type: openEnum(['h6', 'h8', 'yk', 't6', 't8', 'd1'] as const).nullish(),
  totp_step: num,
  users: z.array(anyRecord).nullish(),
});
export type DuoToken = z.infer<typeof tokenSchema>;

export const groupSchema = obj({
  group_id: z.string(),
  name: str,
  desc: str,
  status: str,
  push_enabled: bool,
  sms_enabled: bool,
  voice_enabled: bool,
  mobile_otp_enabled: bool,
});
export type DuoGroup = z.infer<typeof groupSchema>;

export const userSchema = obj({
  user_id: z.string(),
  username: z.string(),
  realname: str,
  email: str,
  firstname: str,
  lastname: str,
  alias1: str,
  alias2: str,
  alias3: str,
  alias4: str,
  aliases: z.record(z.string(), z.string().nullable()).nullish(),
  status: openEnum(USER_STATUSES).nullish(),
  notes: str,
  created: numLike,
  last_login: numLike,
  last_directory_sync: numLike,
  is_enrolled: bool,
  lockout_reason: str,
  groups: z.array(groupSchema).nullish(),
  phones: z.array(phoneSchema).nullish(),
  tokens: z.array(tokenSchema).nullish(),
  u2ftokens: z.array(anyRecord).nullish(),
  webauthncredentials: z.array(anyRecord).nullish(),
  desktoptokens: z.array(anyRecord).nullish(),
});
export type DuoUser = z.infer<typeof userSchema>;

export const adminSchema = obj({
  admin_id: z.string(),
  name: str,
  email: str,
  phone: str,
  role: openEnum(ADMIN_ROLES).nullish(),
  status: openEnum(['Active', 'Disabled', 'Expired', 'Pending Activation'] as const).nullish(),
  last_login: numLike,
  created: numLike,
  password_change_required: bool,
  restricted_by_admin_units: bool,
  admin_units: z.array(z.unknown()).nullish(),
  hardtoken: anyRecord.nullish(),
});
export type DuoAdmin = z.infer<typeof adminSchema>;

export const bypassCodeSchema = obj({
  bypass_code_id: z.string(),
  created: numLike,
  expiration: numLike,
  reuse_count: num,
  admin_email: str,
  user: anyRecord.nullish(),
});
export type DuoBypassCode = z.infer<typeof bypassCodeSchema>;

export const integrationSchema = obj({
  integration_key: z.string(),
  name: str,
  type: str,
  notes: str,
  groups_allowed: strList,
  enroll_policy: str,
  adminapi_read_log: z.union([z.boolean(), z.number()]).nullish(),
  adminapi_read_resource: z.union([z.boolean(), z.number()]).nullish(),
  adminapi_write_resource: z.union([z.boolean(), z.number()]).nullish(),
  policy_key: str,
});
export type DuoIntegration = z.infer<typeof integrationSchema>;

/** Policies v2. Sections are open records: `authentication_policy` is modelled from the specification (docs/duo-wire.md §5). */
export const policySchema = obj({
  policy_key: z.string(),
  policy_name: str,
  is_global_policy: bool,
  sections: z.record(z.string(), anyRecord.nullable()).nullish(),
  sections_not_configured: strList,
});
export type DuoPolicy = z.infer<typeof policySchema>;

export const policySummarySchema = anyRecord;
export type DuoPolicySummary = z.infer<typeof policySummarySchema>;

export const settingsSchema = obj({
  lockout_threshold: num,
  lockout_expire_duration: num,
  inactive_user_expiration: num,
  minimum_password_length: num,
  password_requires_upper_alpha: bool,
  password_requires_lower_alpha: bool,
  password_requires_numeric: bool,
  password_requires_special: bool,
  helpdesk_bypass: openEnum(['allow', 'limit', 'deny'] as const).nullish(),
  helpdesk_bypass_expiration: num,
  fraud_email: str,
  fraud_email_enabled: bool,
  user_telephony_cost_max: num,
  sms_expiration: num,
  log_retention_days: num,
  name: str,
  timezone: str,
  security_checkup_enabled: bool,
  user_managers_can_put_users_in_bypass: bool,
});
export type DuoSettings = z.infer<typeof settingsSchema>;

export const infoSummarySchema = obj({
  admin_count: num,
  integration_count: num,
  telephony_credits_remaining: num,
  user_count: num,
});
export type DuoInfoSummary = z.infer<typeof infoSummarySchema>;

export const authenticationAttemptsSchema = obj({
  authentication_attempts: z.record(z.string(), z.number()).nullish(),
  mintime: numLike,
  maxtime: numLike,
});
export type DuoAuthenticationAttempts = z.infer<typeof authenticationAttemptsSchema>;
