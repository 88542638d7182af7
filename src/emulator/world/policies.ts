/**
 * Policies v2 objects and account settings with Duo's defaults (docs/duo-wire.md §5).
 * ASSUMPTION (A1): no public source shows the `authentication_policy` section the compliance specification inspects;
 * it is modelled as `{"authentication_policy": "enforce" | "bypass" | "deny"}` (Duo's admin-panel choices
 * "Enforce 2FA", "Bypass 2FA", "Deny access").
 */
import { duoId } from './prng.js';
import type { AuthPolicyMode, NewUserBehavior, WirePolicy, WireSettings } from './wire-types.js';

export interface PolicyDraft {
  name: string;
  authentication_policy?: AuthPolicyMode | undefined;
  new_user_behavior?: NewUserBehavior | undefined;
  sections?: Record<string, Record<string, unknown>> | undefined;
}

const DEFAULT_ALLOWED = [
  'duo-push',
  'duo-passcode',
  'hardware-token',
  'phonecall',
  'sms',
  'webauthn-platform',
  'webauthn-roaming',
];

/** The sections a global policy configures (per-application policies inherit what they leave out). */
export const GLOBAL_SECTIONS = [
  'authentication_methods',
  'authentication_policy',
  'browsers',
  'duo_desktop',
  'new_user',
  'remembered_devices',
  'user_location',
];

export function makeGlobalPolicy(seed: string, d: Omit<PolicyDraft, 'name'> = {}): WirePolicy {
  return {
    is_global_policy: true,
    policy_key: duoId('PO', seed, 'policy', 'global'),
    policy_name: 'Global Policy',
    sections_not_configured: [],
    sections: {
      authentication_methods: {
        allowed_auth_list: [...DEFAULT_ALLOWED],
        auto_retry_sms: true,
        blocked_auth_list: [],
        require_verified_push: false,
        verified_push_digits: 3,
      },
      authentication_policy: { authentication_policy: d.authentication_policy ?? 'enforce' },
      browsers: { blocked_browsers_list: [], out_of_date_behavior: 'no-remediation' },
      duo_desktop: { enforce_encryption: [], enforce_firewall: [], requires_duo_desktop: false },
      new_user: { new_user_behavior: d.new_user_behavior ?? 'enroll' },
      remembered_devices: {
        browser_apps: {
          enabled: false,
          max_time_units: 'days',
          max_time_value: 7,
          remember_method: 'per_user',
        },
      },
      user_location: { default_action: 'no-action', deny_access_location_list: [], no_2fa_location_list: [] },
      ...d.sections,
    },
  };
}

/** A per-application policy: only the sections it overrides (Duo leaves the rest to the global policy). */
export function makeAppPolicy(seed: string, d: PolicyDraft): WirePolicy {
  const sections: Record<string, Record<string, unknown>> = {};
  if (d.authentication_policy !== undefined)
    sections['authentication_policy'] = { authentication_policy: d.authentication_policy };
  if (d.new_user_behavior !== undefined) sections['new_user'] = { new_user_behavior: d.new_user_behavior };
  Object.assign(sections, d.sections);
  return {
    is_global_policy: false,
    policy_key: duoId('PO', seed, 'policy', d.name),
    policy_name: d.name,
    sections,
    sections_not_configured: GLOBAL_SECTIONS.filter((name) => !(name in sections)),
  };
}

export function defaultAppPolicies(seed: string): WirePolicy[] {
  return [
    makeAppPolicy(seed, {
      name: 'VPN - Require Verified Push',
      authentication_policy: 'enforce',
      sections: {
        authentication_methods: {
          allowed_auth_list: ['duo-push', 'webauthn-platform', 'webauthn-roaming'],
          blocked_auth_list: ['sms', 'phonecall'],
          require_verified_push: true,
          verified_push_digits: 3,
        },
      },
    }),
    makeAppPolicy(seed, {
      name: 'Admin Panel - Remember Devices',
      sections: {
        remembered_devices: {
          browser_apps: {
            enabled: true,
            max_time_units: 'hours',
            max_time_value: 12,
            remember_method: 'per_user',
          },
        },
      },
    }),
  ];
}

/** Duo's defaults for a new account (docs/duo-wire.md §5 "Settings"; A2 for the lockout expiry). */
export function defaultSettings(name: string): WireSettings {
  return {
    caller_id: '',
    email_activity_notification_enabled: false,
    enrollment_universal_prompt_enabled: true,
    fraud_email: '',
    fraud_email_enabled: false,
    helpdesk_bypass: 'allow',
    helpdesk_bypass_expiration: 0,
    helpdesk_can_send_enroll_email: false,
    inactive_user_expiration: 0,
    keypress_confirm: '#',
    keypress_fraud: '0',
    language: 'EN',
    lockout_expire_duration: null,
    lockout_threshold: 10,
    log_retention_days: null,
    minimum_password_length: 12,
    name,
    password_requires_lower_alpha: false,
    password_requires_numeric: false,
    password_requires_special: false,
    password_requires_upper_alpha: false,
    push_activity_notification_enabled: false,
    security_checkup_enabled: true,
    sms_batch: 1,
    sms_expiration: 0,
    sms_message: '',
    sms_refresh: 0,
    telephony_warning_min: 0,
    timezone: 'UTC',
    unenrolled_user_lockout_threshold: 0,
    user_managers_can_put_users_in_bypass: true,
    user_telephony_cost_max: 20.0,
  };
}
