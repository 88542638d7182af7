import type { SignalResult, SignalStatus } from '../shared/index.js';
import { makeResult } from './signal-common.js';
import type { PolicyLike, SignalOptions } from './types.js';

export type AuthPolicyMode = 'enforce' | 'bypass' | 'deny' | 'unknown';

/**
 * Reads the global policy's authentication mode. The specification inspects an `authentication_policy` section that
 * appears in no Duo source we could read (docs/duo-wire.md §5), so we accept it in the shapes an emulator or a
 * future Duo release may use (`{"authentication_policy": "enforce"}` or any string field of the section)
 * and map Duo's Admin Panel wording: "Enforce 2FA" / "require", "Bypass 2FA", "Deny access".
 */
export function readAuthPolicyMode(section: unknown): AuthPolicyMode {
  const values: string[] = [];
  if (typeof section === 'string') values.push(section);
  else if (section !== null && typeof section === 'object') {
    for (const v of Object.values(section as Record<string, unknown>))
      if (typeof v === 'string') values.push(v);
  }
  for (const raw of values) {
    const v = raw.toLowerCase();
    if (/bypass|no[-_ ]?mfa|skip|allow[-_ ]?1fa/.test(v)) return 'bypass';
    if (/deny|block/.test(v)) return 'deny';
    if (/enforce|require|2fa|mfa/.test(v)) return 'enforce';
  }
  return 'unknown';
}

function section(p: PolicyLike, name: string): unknown {
  const s = p.sections;
  return s === null || s === undefined ? undefined : s[name];
}

/**
 * `global_policy`. Pass when the global policy enforces 2FA on every authentication; Fail when it allows 1FA
 * (authentication policy "bypass", or new-user policy `no-mfa`, which lets unenrolled users in on one factor)
 * or no global policy exists. Per-application policies never count (specification). "Deny access" passes: no
 * authentication succeeds on one factor. When the section is absent we cannot prove enforcement: Warning.
 */
export function globalPolicySignal(policies: readonly PolicyLike[], opts: SignalOptions): SignalResult {
  const globals = policies.filter((p) => p.is_global_policy === true);
  const notes: string[] = [];
  const perApplication = policies.length - globals.length;
  const global = globals[0];
  if (global === undefined) {
    notes.push('No policy with is_global_policy: true was found.');
    return makeResult(
      'global_policy',
      'fail',
      { found: false, policiesSeen: policies.length, perApplicationPolicies: perApplication },
      notes,
      opts.truncated ?? false,
    );
  }
  const authSection = section(global, 'authentication_policy');
  const mode = authSection === undefined ? 'unknown' : readAuthPolicyMode(authSection);
  const newUser = section(global, 'new_user');
  const newUserBehavior =
    newUser !== null && typeof newUser === 'object'
      ? ((newUser as Record<string, unknown>)['new_user_behavior'] ?? null)
      : null;
  const newUserAllows1fa = newUserBehavior === 'no-mfa';
  let status: SignalStatus;
  if (mode === 'bypass' || newUserAllows1fa) {
    status = 'fail';
    if (mode === 'bypass') notes.push('The global authentication policy bypasses 2FA.');
    if (newUserAllows1fa)
      notes.push('New-user policy is "no-mfa": unenrolled users authenticate on one factor.');
  } else if (mode === 'enforce' || mode === 'deny') {
    status = 'pass';
    if (mode === 'deny')
      notes.push('The global policy denies access: no authentication succeeds on one factor.');
  } else {
    status = 'warning';
    notes.push(
      'The global policy has no readable authentication_policy section: 2FA enforcement is unproven.',
    );
  }
  if (perApplication > 0)
    notes.push(`${String(perApplication)} per-application policy(ies) ignored (seed rule).`);
  const metrics = {
    found: true,
    policyKey: global.policy_key ?? null,
    policyName: global.policy_name ?? null,
    authenticationPolicy: mode,
    newUserBehavior: typeof newUserBehavior === 'string' ? newUserBehavior : null,
    globalPoliciesFound: globals.length,
    perApplicationPolicies: perApplication,
  };
  return makeResult('global_policy', status, metrics, notes, opts.truncated ?? false);
}
