/**
 * What Duo decides before any factor: the user's status, the global policy's authentication policy and
 * new-user policy (docs/duo-wire.md §5; ASSUMPTIONS A1/A3). Shared by /preauth and /auth.
 */
import type { TenantCore } from './core.js';
import { missing } from './errors.js';
import type { Params, PreauthDevice, WorldError } from './types.js';
import type { WirePolicy, WireUser } from './wire-types.js';

export type Decision =
  | { kind: 'auth'; user: WireUser }
  | { kind: 'allow'; user: WireUser | undefined; reason: string; msg: string }
  | { kind: 'deny'; user: WireUser | undefined; reason: string; msg: string }
  | { kind: 'enroll'; user: WireUser | undefined; username: string };

export const MSG = {
  bypassUser: 'Bypassing Duo authentication.',
  policyAllow: 'Allowed by policy.',
  noMfa: 'Allowing unenrolled user.',
  disabled: 'Your account is disabled.',
  lockedOut: 'Your account has been locked out.',
  policyDeny: 'Access denied by policy.',
  unenrolledDeny: 'Enrollment required; access denied.',
  enroll: 'Enroll an authentication device to proceed',
  account: 'Account is not available.',
} as const;

function section(p: WirePolicy, name: string, key: string): string | undefined {
  const v = p.sections[name]?.[key];
  return typeof v === 'string' ? v : undefined;
}

export function effectivePolicy(core: TenantCore): { authPolicy: string; newUser: string } {
  const g = core.state.policies.find((p) => p.is_global_policy);
  return {
    authPolicy: (g && section(g, 'authentication_policy', 'authentication_policy')) ?? 'enforce',
    newUser: (g && section(g, 'new_user', 'new_user_behavior')) ?? 'enroll',
  };
}

export function usableDevices(user: WireUser): number {
  return user.phones.length + user.tokens.length;
}

export function decide(core: TenantCore, p: Params): Decision | WorldError {
  const id = p['user_id'];
  const name = p['username'];
  if ((id === undefined || id === '') && (name === undefined || name === '')) return missing('username');
  const user =
    id !== undefined && id !== ''
      ? core.state.users.find((u) => u.user_id === id)
      : core.state.users.find(
          (u) => u.username === name || [u.alias1, u.alias2, u.alias3, u.alias4].includes(name ?? null),
        );
  const { authPolicy, newUser } = effectivePolicy(core);
  if (user?.status === 'disabled') return { kind: 'deny', user, reason: 'user_disabled', msg: MSG.disabled };
  if (user?.status === 'pending deletion')
    return { kind: 'deny', user, reason: 'user_disabled', msg: MSG.account };
  if (user?.status === 'locked out') return { kind: 'deny', user, reason: 'locked_out', msg: MSG.lockedOut };
  if (authPolicy === 'deny') return { kind: 'deny', user, reason: 'denied_by_policy', msg: MSG.policyDeny };
  if (user?.status === 'bypass') return { kind: 'allow', user, reason: 'bypass_user', msg: MSG.bypassUser };
  if (authPolicy === 'bypass')
    return { kind: 'allow', user, reason: 'allowed_by_policy', msg: MSG.policyAllow };
  if (user === undefined || usableDevices(user) === 0) {
    if (newUser === 'no-mfa') return { kind: 'allow', user, reason: 'allow_unenrolled_user', msg: MSG.noMfa };
    if (newUser === 'deny')
      return { kind: 'deny', user, reason: 'deny_unenrolled_user', msg: MSG.unenrolledDeny };
    return { kind: 'enroll', user, username: user?.username ?? name ?? '' };
  }
  return { kind: 'auth', user };
}

function mask(number: string): string {
  return number.length >= 4 ? `XXX-XXX-${number.slice(-4)}` : number;
}

/** /preauth `devices` (docs/duo-wire.md §5): phones with their capabilities, then tokens. */
export function preauthDevices(user: WireUser): PreauthDevice[] {
  const out: PreauthDevice[] = [];
  for (const ph of user.phones) {
    const d: PreauthDevice = {
      capabilities: [...ph.capabilities],
      device: ph.phone_id,
      display_name: `${ph.platform === 'Unknown' ? 'Phone' : ph.platform.replace(/^(Apple|Google) /, '')} (${mask(ph.number)})`,
      name: ph.name,
      number: mask(ph.number),
      type: 'phone',
    };
    if (ph.capabilities.includes('sms')) d.sms_nextcode = '1';
    out.push(d);
  }
  for (const t of user.tokens)
    out.push({
      capabilities: [],
      device: t.token_id,
      display_name: `Token (${t.serial})`,
      name: t.serial,
      type: 'token',
    });
  return out;
}
