/** Generated admins, groups, applications and integrations of a tenant. */
import { FIRST_NAMES, GROUP_NAMES, LAST_NAMES, PROTECTED_APPS } from './catalog.js';
import { createRng, duoId } from './prng.js';
import type { AdminGrants, AppKind, DeviceOs, EmulatorApplication } from './types.js';
import type { AdminRole, AdminStatus, WireAdmin, WireGroup, WireIntegration } from './wire-types.js';

const DAY = 86_400;
const SKEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const ALL_GRANTS: AdminGrants = {
  read_information: true,
  read_log: true,
  read_resource: true,
  administrators_read: true,
  settings_read: true,
};
export const NO_GRANTS: AdminGrants = {
  read_information: false,
  read_log: false,
  read_resource: false,
  administrators_read: false,
  settings_read: false,
};

export function makeGroup(seed: string, name: string, desc?: string): WireGroup {
  return {
    desc: desc ?? `${name} group`,
    group_id: duoId('DG', seed, 'group', name),
    mobile_otp_enabled: false,
    name,
    push_enabled: false,
    sms_enabled: false,
    status: 'Active',
    voice_enabled: false,
  };
}

export function generateGroups(seed: string, users: number): WireGroup[] {
  const n = Math.min(GROUP_NAMES.length, Math.max(2, Math.ceil(Math.log2(users + 2))));
  return GROUP_NAMES.slice(0, n).map((name) => makeGroup(seed, name));
}

export interface AdminDraft {
  name: string;
  email: string;
  role: AdminRole;
  status: AdminStatus;
  last_login?: number | null | undefined;
}

export function makeAdmin(seed: string, nowS: number, index: number, d: AdminDraft): WireAdmin {
  const r = createRng(seed, 'admin', index);
  return {
    admin_id: duoId('DE', seed, 'admin', index),
    admin_units: [],
    created: nowS - r.int(60, 4 * 365) * DAY,
    email: d.email,
    hardtoken: null,
    last_login:
      d.last_login !== undefined ? d.last_login : d.status === 'Active' ? nowS - r.int(0, 45 * DAY) : null,
    name: d.name,
    password_change_required: false,
    phone: `+1${r.chars(3, '23456789')}555${r.chars(4, '0123456789')}`,
    restricted_by_admin_units: false,
    role: d.role,
    status: d.status,
  };
}

/** One Owner, a few Administrators, then help desk / read-only roles; ~1 admin per 150 users, 2..9. */
export function generateAdmins(seed: string, nowS: number, users: number): WireAdmin[] {
  const count = Math.max(2, Math.min(9, Math.ceil(users / 150) + 1));
  const roles: AdminRole[] = [
    'Owner',
    'Administrator',
    'Help Desk',
    'Administrator',
    'Read-only',
    'User Manager',
    'Application Manager',
    'Billing',
    'Phishing Manager',
  ];
  const out: WireAdmin[] = [];
  for (let i = 0; i < count; i++) {
    const r = createRng(seed, 'admin-name', i);
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    const status: AdminStatus =
      i > 2 && r.chance(0.15) ? r.pick(['Disabled', 'Pending Activation'] as const) : 'Active';
    out.push(
      makeAdmin(seed, nowS, i, {
        name: `${first} ${last}`,
        email: `${first}.${last}.admin${i}@example.com`.toLowerCase(),
        role: roles[i] ?? 'Read-only',
        status,
      }),
    );
  }
  return out;
}

const API_TYPES: Record<AppKind, string> = {
  admin: 'adminapi',
  auth: 'authapi',
  device: 'device_management',
  accounts: 'accountsapi',
  websdk: 'websdk',
};

export function makeApplication(
  seed: string,
  index: number,
  kind: AppKind,
  opts: {
    name?: string | undefined;
    grants?: Partial<AdminGrants> | undefined;
    os?: DeviceOs | undefined;
  } = {},
): EmulatorApplication {
  const r = createRng(seed, 'app', index);
  const app: EmulatorApplication = {
    ikey: duoId('DI', seed, 'app', index),
    skey: r.chars(40, SKEY_ALPHABET),
    kind,
    name:
      opts.name ??
      {
        admin: 'Admin API',
        auth: 'Auth API',
        device: 'Generic with Duo Desktop',
        accounts: 'Accounts API',
        websdk: 'Web SDK',
      }[kind],
    grants: kind === 'admin' ? { ...ALL_GRANTS, ...opts.grants } : { ...NO_GRANTS },
  };
  if (kind === 'device') {
    app.mkey = duoId('DM', seed, 'mkey', index);
    app.os = opts.os ?? 'windows';
  }
  return app;
}

export function rotatedSkey(seed: string, ikey: string, generation: number): string {
  return createRng(seed, 'skey', ikey, generation).chars(40, SKEY_ALPHABET);
}

/** /admin/v1/integrations rows for an API application. Secret keys are not listed (assumption A7). */
export function integrationOf(app: EmulatorApplication, policyKey: string | null): WireIntegration {
  const g = app.grants;
  return {
    adminapi_admins: g.administrators_read,
    adminapi_info: g.read_information,
    adminapi_integrations: false,
    adminapi_read_log: g.read_log,
    adminapi_read_resource: g.read_resource,
    adminapi_settings: g.settings_read,
    adminapi_write_resource: false,
    enroll_policy: 'enroll',
    greeting: '',
    groups_allowed: [],
    integration_key: app.ikey,
    name: app.name,
    networks_for_api_access: '',
    notes: '',
    policy_key: policyKey,
    prompt_v4_enabled: false,
    type: API_TYPES[app.kind],
    username_normalization_policy: 'None',
  };
}

/** The protected applications users log in to (they appear in the auth log's `application`). */
export function protectedIntegrations(seed: string): WireIntegration[] {
  return PROTECTED_APPS.map(([name, type], i) => ({
    ...integrationOf({ ...makeApplication(seed, 1000 + i, 'auth', { name }), grants: NO_GRANTS }, null),
    type,
    prompt_v4_enabled: true,
  }));
}
