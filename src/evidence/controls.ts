import type { ControlRef, SignalId } from '../shared/index.js';

/**
 * The single source of truth for control mapping. docs/controls.md is generated from this table
 * (`renderControlsMarkdown`) and a test keeps the two equal.
 *
 * `names` are the specification's "Mapped controls" for the five core signals (verbatim), and plain-language names
 * for the extended ones. SOC 2 ids are the 2017 Trust Services Criteria (revised points of focus 2022);
 * ISO ids are ISO/IEC 27001:2022 Annex A; NIST ids are SP 800-53 rev. 5 controls and enhancements.
 */
export type ControlMapping = ControlRef;

export const CONTROL_MAP: Readonly<Record<SignalId, ControlMapping>> = Object.freeze({
  mfa_enrollment: {
    names: ['Logical access', 'User authentication', 'Unique identification'],
    soc2: ['CC6.1', 'CC6.2'],
    iso27001: ['5.16', '5.17', '8.5'],
    nist80053: ['IA-2', 'IA-2(1)', 'IA-2(2)', 'IA-4', 'IA-5'],
  },
  global_policy: {
    names: ['Logical access', 'User authentication', 'Mandatory MFA'],
    soc2: ['CC6.1', 'CC6.6'],
    iso27001: ['5.15', '8.5'],
    nist80053: ['IA-2', 'IA-2(1)', 'IA-2(2)', 'AC-3'],
  },
  admin_inventory: {
    names: [
      'Authorization & supervision',
      'Termination',
      'Access authorization',
      'Privileged access',
      'Account & personnel records',
    ],
    soc2: ['CC1.3', 'CC6.2', 'CC6.3'],
    iso27001: ['5.15', '5.16', '5.18', '8.2'],
    nist80053: ['AC-2', 'AC-2(7)', 'AC-6', 'AC-6(5)', 'PS-4'],
  },
  account_settings: {
    names: ['Logical access', 'System monitoring', 'Password & lockout policy'],
    soc2: ['CC6.1', 'CC7.2'],
    iso27001: ['5.17', '8.5'],
    nist80053: ['AC-7', 'IA-5', 'IA-5(1)'],
  },
  auth_log_aggregate: {
    names: ['System activity review', 'Monitoring & logging', 'Audit logging'],
    soc2: ['CC7.2', 'CC7.3'],
    iso27001: ['8.15', '8.16'],
    nist80053: ['AU-2', 'AU-6', 'AU-12', 'SI-4'],
  },
  admins_never_logged_in: {
    names: ['Privileged access review', 'Dormant account removal'],
    soc2: ['CC6.2', 'CC6.3'],
    iso27001: ['5.18', '8.2'],
    nist80053: ['AC-2(3)', 'AC-6(7)'],
  },
  users_inactive_30d: {
    names: ['Access review', 'Dormant account removal'],
    soc2: ['CC6.2'],
    iso27001: ['5.18'],
    nist80053: ['AC-2', 'AC-2(3)'],
  },
  locked_out_users: {
    names: ['Unsuccessful logon attempts', 'System monitoring'],
    soc2: ['CC6.1', 'CC7.2'],
    iso27001: ['8.5', '8.16'],
    nist80053: ['AC-7'],
  },
  bypass_codes_outstanding: {
    names: ['MFA exemptions', 'Authenticator management'],
    soc2: ['CC6.1'],
    iso27001: ['5.17', '8.5'],
    nist80053: ['IA-2(1)', 'IA-5'],
  },
  phishing_resistant_share: {
    names: ['Phishing-resistant authentication'],
    soc2: ['CC6.1'],
    iso27001: ['8.5'],
    nist80053: ['IA-2(1)', 'IA-2(2)', 'IA-2(8)'],
  },
  sms_voice_share: {
    names: ['Authenticator strength', 'Out-of-band authenticators'],
    soc2: ['CC6.1'],
    iso27001: ['8.5'],
    nist80053: ['IA-2(1)', 'IA-5'],
  },
  admin_password_policy: {
    names: ['Password policy', 'Authentication information'],
    soc2: ['CC6.1'],
    iso27001: ['5.17'],
    nist80053: ['IA-5(1)'],
  },
});

export function controlsFor(id: SignalId): ControlMapping {
  return CONTROL_MAP[id];
}

/** The Markdown table in docs/controls.md, generated from CONTROL_MAP. */
export function renderControlsMarkdown(): string {
  const rows = (Object.keys(CONTROL_MAP) as SignalId[]).map((id) => {
    const m = CONTROL_MAP[id];
    return `| \`${id}\` | ${m.names.join('; ')} | ${m.soc2.join(', ')} | ${m.iso27001.join(', ')} | ${m.nist80053.join(', ')} |`;
  });
  return [
    '| Signal | Controls (seed names for the five) | SOC 2 TSC | ISO/IEC 27001:2022 Annex A | NIST SP 800-53 rev. 5 |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
