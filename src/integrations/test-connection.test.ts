import { describe, expect, it } from 'vitest';
import { testConnection, type ConnectionProbe } from './index.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');

class FakeDuoError extends Error {
  constructor(
    readonly kind: string,
    readonly httpStatus: number,
    readonly duoCode: number,
    message = 'Access forbidden',
  ) {
    super(message);
  }
}

function probe(opts: {
  skewMs?: number;
  authCheck?: Error | 'ok';
  missing?: string[];
  calls?: string[];
}): ConnectionProbe {
  const calls = opts.calls ?? [];
  const grant = (name: string) => (): Promise<unknown> => {
    calls.push(name);
    return (opts.missing ?? []).includes(name)
      ? Promise.reject(new FakeDuoError('permission_denied', 403, 40301))
      : Promise.resolve({});
  };
  return {
    ping: () => {
      calls.push('ping');
      return Promise.resolve({ time: Math.round((NOW + (opts.skewMs ?? 0)) / 1000) });
    },
    authCheck: () => {
      calls.push('authCheck');
      const a = opts.authCheck ?? new FakeDuoError('permission_denied', 403, 40301);
      return a === 'ok' ? Promise.resolve({ time: 1 }) : Promise.reject(a);
    },
    infoSummary: grant('infoSummary'),
    logProbe: grant('logProbe'),
    usersProbe: grant('usersProbe'),
    settingsProbe: grant('settingsProbe'),
    adminsProbe: grant('adminsProbe'),
  };
}

const clock = { now: () => NOW };

describe('Test Connection', () => {
  it('all good: ok, skew measured, one call per grant', async () => {
    const calls: string[] = [];
    const r = await testConnection(probe({ calls }), { clock });
    expect(r.ok).toBe(true);
    expect(r.clockSkewMs).toBe(0);
    expect(r.serverTime).toBe('2026-11-22T12:00:00.000Z');
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      ['clock', 'pass'],
      ['credentials', 'pass'],
      ['grant_read_information', 'pass'],
      ['grant_read_log', 'pass'],
      ['grant_read_resource', 'pass'],
      ['grant_settings', 'pass'],
      ['grant_administrators_read', 'pass'],
    ]);
    expect(calls).toEqual([
      'ping',
      'authCheck',
      'infoSummary',
      'logProbe',
      'usersProbe',
      'settingsProbe',
      'adminsProbe',
    ]);
  });

  it.each([
    [30_000, 'pass'],
    [31_000, 'warn'],
    [-45_000, 'warn'],
    [60_000, 'warn'],
    [61_000, 'fail'],
    [-120_000, 'fail'],
  ] as const)('skew %i ms → %s', async (skew, expected) => {
    const r = await testConnection(probe({ skewMs: skew }), { clock });
    expect(r.clockSkewMs).toBe(skew);
    expect(r.checks[0]?.status).toBe(expected);
    expect(r.ok).toBe(expected !== 'fail');
  });

  it('reports each missing grant with Duo code 40301 and how to fix it in the Admin Panel', async () => {
    const r = await testConnection(probe({ missing: ['logProbe', 'adminsProbe'] }), { clock });
    expect(r.ok).toBe(false);
    const failed = r.checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.id)).toEqual(['grant_read_log', 'grant_administrators_read']);
    for (const c of failed) expect(c.code).toBe(40301);
    expect(failed[0]?.fix).toMatch(/tick "Grant read log" under Permissions/);
    expect(failed[1]?.fix).toMatch(/Grant administrators — Read/);
  });

  it('a rejected signature fails credentials with 40103 and skips the grant calls', async () => {
    const calls: string[] = [];
    const r = await testConnection(
      probe({
        calls,
        authCheck: new FakeDuoError('auth_failed', 401, 40103, 'Invalid signature in request credentials'),
      }),
      { clock },
    );
    const cred = r.checks.find((c) => c.id === 'credentials');
    expect(cred).toMatchObject({ status: 'fail', code: 40103 });
    expect(cred?.fix).toMatch(/Secret key/);
    expect(calls).toEqual(['ping', 'authCheck']);
    expect(r.checks.filter((c) => c.id.startsWith('grant_')).every((c) => c.status === 'fail')).toBe(true);
  });

  it('Auth API keys (check answers 200) are refused: not an Admin API application', async () => {
    const r = await testConnection(probe({ authCheck: 'ok' }), { clock });
    expect(r.checks.find((c) => c.id === 'credentials')?.status).toBe('fail');
  });

  it('strips control characters from Duo messages', async () => {
    const r = await testConnection(
      probe({ authCheck: new FakeDuoError('auth_failed', 401, 40102, '\u001b[31mbad\u0007 key') }),
      { clock },
    );
    expect(r.checks.find((c) => c.id === 'credentials')?.message).toBe('bad key');
  });
});
