import { describe, expect, it } from 'vitest';
import { createClock, createTenant, FixtureError, parseTenantFixture } from './index.js';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const clock = createClock({ realNow: () => NOW });

describe('tenant fixtures', () => {
  it('builds an exact case from counts: 100 users, 5 in bypass, 95 enrolled', () => {
    const f = parseTenantFixture(
      ['name: Exact Co', 'generate:', '  active: 95', '  bypass: 5', '  enrolled: 95'].join('\n'),
      'yaml',
    );
    const t = createTenant(
      { hostname: 'api-fix.duosecurity.com', seed: 'fx', users: 0, now: NOW, fixture: f },
      clock,
    );
    const users = t.users();
    expect(t.name).toBe('Exact Co');
    expect(users).toHaveLength(100);
    expect(users.filter((u) => u.status === 'bypass')).toHaveLength(5);
    expect(users.filter((u) => u.is_enrolled)).toHaveLength(95);
    expect(t.infoSummary().user_count).toBe(100);
  });

  it('lists users, admins, groups, policies and settings explicitly (JSON too)', () => {
    const f = parseTenantFixture(
      JSON.stringify({
        groups: [{ name: 'VPN' }],
        users: [
          { username: 'alice', factors: ['push'], groups: ['VPN'], behaviour: { kind: 'deny', afterS: 2 } },
          { username: 'bob', status: 'disabled', factors: [] },
          { username: 'carol', factors: ['hardware_token', 'webauthn'], user_id: 'DUAAAAAAAAAAAAAAAAAA' },
        ],
        admins: [{ name: 'Olga Owner', email: 'olga@example.com', role: 'Owner' }],
        policies: {
          global: { authentication_policy: 'bypass', new_user_behavior: 'deny' },
          applications: [{ name: 'VPN strict', authentication_policy: 'enforce' }],
        },
        settings: { lockout_threshold: 3, lockout_expire_duration: 15 },
      }),
      'json',
    );
    const t = createTenant(
      { hostname: 'api-fix.duosecurity.com', seed: 'fx', users: 0, now: NOW, fixture: f },
      clock,
    );
    expect(t.users().map((u) => u.username)).toEqual(['alice', 'bob', 'carol']);
    expect(t.userByName('alice')?.groups.map((g) => g.name)).toEqual(['VPN']);
    expect(t.userByName('alice')?.phones[0]?.capabilities).toContain('push');
    expect(t.userByName('bob')?.is_enrolled).toBe(false);
    expect(t.user('DUAAAAAAAAAAAAAAAAAA')?.tokens).toHaveLength(1);
    expect(t.userByName('carol')?.webauthncredentials).toHaveLength(1);
    expect(t.admins()).toHaveLength(1);
    expect(t.admins()[0]?.role).toBe('Owner');
    expect(t.globalPolicy().sections['authentication_policy']).toEqual({ authentication_policy: 'bypass' });
    expect(t.globalPolicy().sections['new_user']).toEqual({ new_user_behavior: 'deny' });
    expect(t.policies().map((p) => p.policy_name)).toEqual(['Global Policy', 'VPN strict']);
    expect(t.settings().lockout_threshold).toBe(3);
    expect(t.settings().lockout_expire_duration).toBe(15);
    expect(t.settings().minimum_password_length).toBe(12);
  });

  it('reports every problem at once, each with its path', () => {
    const text = [
      'users:',
      '  - username: alice',
      '    status: sleeping',
      '  - username: alice',
      '    groups: [Nope]',
      '    factors: [carrier_pigeon]',
      'admins:',
      '  - name: X',
      '    role: Emperor',
      'generate:',
      '  active: -1',
      'colour: blue',
    ].join('\n');
    let err: unknown;
    try {
      parseTenantFixture(text, 'yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FixtureError);
    const paths = (err as FixtureError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'users.0.status',
        'users.1.factors.0',
        'admins.0.role',
        'admins.0.email',
        'generate.active',
        '',
      ]),
    );
    expect((err as FixtureError).code).toBe('EMULATOR_FIXTURE_INVALID');
    expect((err as FixtureError).message).toContain('users.0.status');
  });

  it('reports cross-field problems (duplicates, unknown groups) together', () => {
    const text = 'groups: [{name: A}]\nusers:\n  - {username: a, groups: [B]}\n  - {username: a}\n';
    try {
      parseTenantFixture(text, 'yaml');
      expect.unreachable();
    } catch (e) {
      const paths = (e as FixtureError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['users.1.username', 'users.0.groups.0']));
    }
  });

  it('reports unparseable text as one issue', () => {
    expect(() => parseTenantFixture('{"users": [', 'json')).toThrow(FixtureError);
    expect(() => parseTenantFixture('users: [\n', 'yaml')).toThrow(/not valid YAML/);
  });
});
