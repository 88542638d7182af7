import { describe, expect, it } from 'vitest';
import { admin, MIN, only, run, rulesOf, T0 } from '../test-events.test-helpers.js';

/** Single-event admin rules: [rule, an action that fires it, a near miss that must not]. */
const singles: [string, ReturnType<typeof admin>, ReturnType<typeof admin>][] = [
  ['duo.admin_bypass_create', admin(T0, 'bypass_create'), admin(T0, 'bypass_delete')],
  ['duo.admin_user_delete', admin(T0, 'user_delete'), admin(T0, 'user_update')],
  [
    'duo.admin_marked_fraud',
    admin(T0, 'admin_2fa_error', { description: { error: 'Login request reported as fraudulent.' } }),
    admin(T0, 'admin_2fa_error', { description: { error: 'Invalid passcode' } }),
  ],
  ['duo.admin_created', admin(T0, 'ADMIN_CREATE'), admin(T0, 'admin_update')],
  ['duo.admin_deleted', admin(T0, 'admin_delete'), admin(T0, 'admin_login')],
  ['duo.admin_password_reset', admin(T0, 'admin_reset_password'), admin(T0, 'admin_login')],
  ['duo.admin_lockout', admin(T0, 'admin_lockout'), admin(T0, 'admin_login_error')],
  ['duo.skey_viewed', admin(T0, 'integration_skey_view'), admin(T0, 'integration_update')],
  [
    'duo.admin_api_created',
    admin(T0, 'integration_create', { description: { name: 'SIEM', type: 'Admin API' } }),
    admin(T0, 'integration_create', { description: { name: 'VPN', type: 'Cisco ASA' } }),
  ],
  ['duo.policy_changed', admin(T0, 'policy_update'), admin(T0, 'policy_create')],
  [
    'duo.admin_sso_disabled',
    admin(T0, 'admin_single_sign_on_update', { description: { enforcement_status: 'disabled' } }),
    admin(T0, 'admin_single_sign_on_update', { description: { enforcement_status: 'required' } }),
  ],
  [
    'duo.user_to_bypass',
    admin(T0, 'user_update', { description: { status: 'Bypass' } }),
    admin(T0, 'user_update', { description: { status: 'Active' } }),
  ],
  ['duo.bypass_viewed', admin(T0, 'bypass_view'), admin(T0, 'bypass_create')],
];

describe('single-event admin rules', () => {
  for (const [rule, fires, quiet] of singles) {
    it(`${rule} fires on its action and not on a near miss`, async () => {
      const yes = only(await run([fires]), rule);
      expect(yes).toHaveLength(1);
      expect(yes[0]?.entity).toBe('Root Admin');
      expect(yes[0]?.events).toEqual([fires.id]);
      expect(rulesOf(await run([quiet]))).not.toContain(rule);
    });
  }

  it('reads a description that is not JSON as text', async () => {
    const alerts = await run([
      admin(T0, 'admin_2fa_error', { description: 'push marked fraudulent by user' }),
    ]);
    expect(rulesOf(alerts)).toContain('duo.admin_marked_fraud');
  });
});

describe('admin burst rules (sliding windows)', () => {
  it('duo.admin_user_delete_burst: two deletions by one admin within 10 minutes, across a bin edge', async () => {
    const bin = Date.parse('2026-03-02T12:10:00Z');
    const alerts = await run([admin(bin - MIN, 'user_delete'), admin(bin + MIN, 'user_delete')]);
    expect(only(alerts, 'duo.admin_user_delete_burst')).toHaveLength(1);
  });
  it('duo.admin_user_delete_burst: not for two admins, nor 10 minutes apart', async () => {
    expect(
      only(
        await run([admin(T0, 'user_delete'), admin(T0 + MIN, 'user_delete', { by: 'Other Admin' })]),
        'duo.admin_user_delete_burst',
      ),
    ).toEqual([]);
    expect(
      only(
        await run([admin(T0, 'user_delete'), admin(T0 + 10 * MIN, 'user_delete')]),
        'duo.admin_user_delete_burst',
      ),
    ).toEqual([]);
  });
  it('duo.policy_bulk_delete: the fourth policy_delete in 10 minutes, not the third', async () => {
    const three = [0, 1, 2].map((m) => admin(T0 + m * MIN, 'policy_delete'));
    expect(only(await run(three), 'duo.policy_bulk_delete')).toEqual([]);
    expect(
      only(await run([...three, admin(T0 + 9 * MIN, 'policy_delete')]), 'duo.policy_bulk_delete'),
    ).toHaveLength(1);
  });
  it('duo.admin_2fa_failures: more than ten 2FA errors by one admin in 10 minutes', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => admin(T0 + i * 30_000, 'admin_2fa_error'));
    expect(only(await run(ten), 'duo.admin_2fa_failures')).toEqual([]);
    expect(
      only(await run([...ten, admin(T0 + 5 * MIN + 1, 'admin_2fa_error')]), 'duo.admin_2fa_failures'),
    ).toHaveLength(1);
  });
  it('takes a threshold from the configuration per organization', async () => {
    const two = [admin(T0, 'user_delete'), admin(T0 + MIN, 'user_delete')];
    const alerts = await run(two, {
      config: {
        enabled: true,
        rules: {},
        allow: {},
        orgs: { acme: { rules: { 'duo.admin_user_delete_burst': { threshold: 3 } } } },
      },
    });
    expect(only(alerts, 'duo.admin_user_delete_burst')).toEqual([]);
  });
});
