import { describe, expect, it } from 'vitest';
import {
  accountSettingsSignal,
  adminInventorySignal,
  globalPolicySignal,
  isEnrolled,
  mfaEnrollmentSignal,
  readAuthPolicyMode,
  type AdminLike,
  type UserLike,
} from './index.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const opts = { now: NOW };

/** `total` users: `bypass` in bypass status, `enrolled` enrolled (bypass users counted among them first). */
function tenant(total: number, enrolled: number, bypass: number): UserLike[] {
  return Array.from({ length: total }, (_, i) => ({
    username: `u${String(i)}`,
    status: i < bypass ? 'bypass' : 'active',
    is_enrolled: i < enrolled,
  }));
}

describe('mfa_enrollment', () => {
  it('counts a user as enrolled by is_enrolled or any attached factor', () => {
    expect(isEnrolled({ is_enrolled: true })).toBe(true);
    expect(isEnrolled({ is_enrolled: false })).toBe(false);
    for (const f of ['phones', 'tokens', 'webauthncredentials', 'desktoptokens', 'u2ftokens'] as const) {
      expect(isEnrolled({ is_enrolled: false, [f]: [{}] })).toBe(true);
      expect(isEnrolled({ is_enrolled: false, [f]: [] })).toBe(false);
    }
  });

  it.each([
    // [total, enrolled, bypass, expected]
    [10_000, 10_000, 500, 'warning'], // bypass exactly 5 %
    [10_000, 10_000, 501, 'fail'], // 5.01 %
    [10_000, 10_000, 1, 'warning'], // 0 < bypass
    [10_000, 10_000, 0, 'pass'],
    [10_000, 8_000, 0, 'warning'], // share exactly 80 %
    [10_000, 7_999, 0, 'fail'], // 79.99 %
    [10_000, 9_500, 0, 'pass'], // share exactly 95 %
    [10_000, 9_499, 0, 'warning'], // 94.99 %
    [20, 20, 1, 'warning'], // 5 % of 20
    [19, 19, 1, 'fail'], // 5.26 %
  ] as const)('total %i enrolled %i bypass %i → %s', (total, enrolled, bypass, expected) => {
    const r = mfaEnrollmentSignal(tenant(total, enrolled, bypass), opts);
    expect(r.status).toBe(expected);
    expect(r.metrics['bypassCount']).toBe(bypass);
    expect(r.metrics['enrolled']).toBe(enrolled);
  });

  it('records the status breakdown, the bypass member list and 30-day activity', () => {
    const users: UserLike[] = [
      { username: 'zed', realname: 'Zed Z', status: 'bypass', last_login: (NOW - 29 * 86_400_000) / 1000 },
      { username: 'amy', status: 'active', phones: [{}], last_login: String((NOW - 31 * 86_400_000) / 1000) },
      { username: 'bob', status: 'locked out', last_login: null },
      { username: 'cy', status: 'disabled', is_enrolled: true },
      { username: 'di', status: 'pending deletion' },
    ];
    const r = mfaEnrollmentSignal(users, opts);
    expect(r.metrics['byStatus']).toEqual({
      active: 1,
      bypass: 1,
      disabled: 1,
      'locked out': 1,
      'pending deletion': 1,
    });
    expect(r.metrics['bypassMembers']).toEqual([{ username: 'zed', realname: 'Zed Z' }]);
    expect(r.metrics['activeLast30Days']).toBe(1);
    expect(r.metrics['enrollmentSharePct']).toBe(40);
    expect(r.status).toBe('fail');
    expect(r.controls.names).toEqual(['Logical access', 'User authentication', 'Unique identification']);
    expect(r.controls.nist80053).toContain('IA-2(1)');
  });

  it('zero-user tenant: Warning, share null, explained', () => {
    const r = mfaEnrollmentSignal([], opts);
    expect(r.status).toBe('warning');
    expect(r.metrics['enrollmentSharePct']).toBeNull();
    expect(r.notes.join(' ')).toMatch(/no users/);
  });

  it('truncated data is never Pass, but a Fail stays a Fail', () => {
    expect(mfaEnrollmentSignal(tenant(100, 100, 0), { now: NOW, truncated: true }).status).toBe('warning');
    const failing = mfaEnrollmentSignal(tenant(100, 10, 0), { now: NOW, truncated: true });
    expect(failing.status).toBe('fail');
    expect(failing.truncated).toBe(true);
  });
});

describe('global_policy', () => {
  const global = (sections: Record<string, unknown>) => ({
    policy_key: 'PO1',
    policy_name: 'Global',
    is_global_policy: true,
    sections,
  });
  it('passes when the global policy enforces 2FA, ignoring per-application policies', () => {
    const r = globalPolicySignal(
      [
        global({ authentication_policy: { authentication_policy: 'enforce' } }),
        { is_global_policy: false, sections: { authentication_policy: { authentication_policy: 'bypass' } } },
      ],
      opts,
    );
    expect(r.status).toBe('pass');
    expect(r.metrics['perApplicationPolicies']).toBe(1);
  });
  it('fails when 1FA is allowed or no global policy exists', () => {
    expect(
      globalPolicySignal([global({ authentication_policy: { authentication_policy: 'bypass' } })], opts)
        .status,
    ).toBe('fail');
    expect(
      globalPolicySignal(
        [
          global({
            authentication_policy: { authentication_policy: 'enforce' },
            new_user: { new_user_behavior: 'no-mfa' },
          }),
        ],
        opts,
      ).status,
    ).toBe('fail');
    expect(
      globalPolicySignal(
        [{ is_global_policy: false, sections: { authentication_policy: { a: 'enforce' } } }],
        opts,
      ).status,
    ).toBe('fail');
    expect(globalPolicySignal([], opts).status).toBe('fail');
  });
  it('deny access passes; an unreadable section is Warning, never Pass', () => {
    expect(
      globalPolicySignal([global({ authentication_policy: { authentication_policy: 'deny' } })], opts).status,
    ).toBe('pass');
    expect(globalPolicySignal([global({ new_user: { new_user_behavior: 'enroll' } })], opts).status).toBe(
      'warning',
    );
    expect(readAuthPolicyMode({ mode: 'Enforce 2FA' })).toBe('enforce');
    expect(readAuthPolicyMode({ mode: 'Bypass 2FA' })).toBe('bypass');
    expect(readAuthPolicyMode('require-mfa')).toBe('enforce');
    expect(readAuthPolicyMode({ x: 1 })).toBe('unknown');
  });
  it('a policy list cut by the cap cannot pass', () => {
    const r = globalPolicySignal([global({ authentication_policy: { authentication_policy: 'enforce' } })], {
      now: NOW,
      truncated: true,
    });
    expect(r.status).toBe('warning');
  });
});

describe('admin_inventory', () => {
  const admins = (n: number, owners: number): AdminLike[] =>
    Array.from({ length: n }, (_, i) => ({
      name: `Admin ${String(i)}`,
      role: i < owners ? 'Owner' : 'Administrator',
      status: 'Active',
      last_login: 1_700_000_000,
    }));
  it.each([
    [10, 5, 'pass'],
    [11, 1, 'fail'],
    [10, 6, 'fail'],
    [6, 6, 'fail'],
    [1, 0, 'pass'],
    [0, 0, 'warning'],
  ] as const)('%i admins, %i Owners → %s', (n, owners, expected) => {
    const r = adminInventorySignal(admins(n, owners), opts);
    expect(r.status).toBe(expected);
    expect(r.metrics['ownerCount']).toBe(owners);
  });
  it('lists every admin with role, status, last login, and Owner names', () => {
    const r = adminInventorySignal(
      [
        { name: 'Bea', role: 'Owner', status: 'Active', last_login: 1_763_800_000 },
        { name: 'Al', role: 'Help Desk', status: 'Disabled', last_login: null },
      ],
      opts,
    );
    expect(r.metrics['ownerNames']).toEqual(['Bea']);
    expect(r.metrics['admins']).toEqual([
      { name: 'Al', role: 'Help Desk', status: 'Disabled', lastLogin: null },
      { name: 'Bea', role: 'Owner', status: 'Active', lastLogin: new Date(1_763_800_000_000).toISOString() },
    ]);
  });
});

describe('account_settings', () => {
  it.each([
    [{ lockout_threshold: 10, lockout_expire_duration: 5 }, 'pass'],
    [{ lockout_threshold: 1, lockout_expire_duration: 1 }, 'pass'],
    [{ lockout_threshold: 0, lockout_expire_duration: 5 }, 'warning'],
    [{ lockout_threshold: 10, lockout_expire_duration: 0 }, 'warning'],
    [{ lockout_threshold: 10, lockout_expire_duration: null }, 'warning'],
    [{ lockout_threshold: 10 }, 'warning'],
    [{}, 'warning'],
  ] as const)('%j → %s', (settings, expected) => {
    expect(accountSettingsSignal(settings, opts).status).toBe(expected);
  });
  it('keeps the password hints as information', () => {
    const r = accountSettingsSignal(
      { lockout_threshold: 10, lockout_expire_duration: 5, minimum_password_length: 8 },
      opts,
    );
    expect(r.metrics['password']).toMatchObject({ minimumLength: 8 });
    expect(r.status).toBe('pass');
  });
});
