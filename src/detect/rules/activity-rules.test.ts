import { describe, expect, it } from 'vitest';
import type { CollectedEvent } from '../../app/index.js';
import { MIN, only, run, T0 } from '../test-events.test-helpers.js';

let serial = 0;

/** An activity-log item in Duo's v2 shape (action as {name, details}, outcome.result upper-case). */
function activity(
  ts: number,
  name: string,
  o: { actor?: string; type?: string; result?: 'SUCCESS' | 'FAILURE'; plainAction?: boolean } = {},
): CollectedEvent {
  const id = `act-${++serial}`;
  const actor = o.actor ?? 'Root Admin';
  return {
    id,
    stream: 'activity',
    orgId: 'acme',
    orgSlug: 'acme',
    ts,
    raw: {
      activity_id: id,
      action: o.plainAction === true ? name : { name, details: null },
      actor: { key: `K-${actor}`, name: actor, type: o.type ?? 'admin', details: null },
      outcome: { result: o.result ?? 'SUCCESS' },
      access_device: {
        ip: { address: '81.2.69.142' },
        location: { city: 'London', state: null, country: 'United Kingdom' },
      },
      ts: new Date(ts).toISOString(),
    },
  };
}

function offline(ts: number, host: string, o: { user?: string; action?: string } = {}): CollectedEvent {
  return {
    id: `off-${++serial}`,
    stream: 'offline_enrollment',
    orgId: 'acme',
    orgSlug: 'acme',
    ts,
    raw: {
      action: o.action ?? 'o2fa_user_provisioned',
      description: JSON.stringify({ factor: 'duo_otp', hostname: host, user_agent: 'DuoCredProv/4.2.2' }),
      object: 'Microsoft RDP',
      timestamp: Math.floor(ts / 1000),
      username: o.user ?? 'alice',
    },
  };
}

describe('duo.activity_failures (> 10 FAILURE by one actor in a sliding 10 min)', () => {
  it('fires at the eleventh failure, also across a bin edge, and reads the upper-case outcome', async () => {
    const events = Array.from({ length: 11 }, (_, i) =>
      activity(T0 + 5 * MIN + i * 30_000, 'admin_login', { result: 'FAILURE' }),
    );
    const [alert] = only(await run(events), 'duo.activity_failures');
    expect(alert?.entity).toBe('Root Admin');
    expect(alert?.events).toHaveLength(11);
  });
  it('does not fire at ten, for successes, or when the failures are spread over more than 10 minutes', async () => {
    const ten = Array.from({ length: 10 }, (_, i) =>
      activity(T0 + i * MIN, 'admin_login', { result: 'FAILURE' }),
    );
    const ok = Array.from({ length: 12 }, (_, i) => activity(T0 + i * 10_000, 'admin_login'));
    const spread = Array.from({ length: 11 }, (_, i) =>
      activity(T0 + i * MIN, 'admin_login', { result: 'FAILURE' }),
    );
    expect(only(await run([...ten, ...ok]), 'duo.activity_failures')).toEqual([]);
    expect(only(await run(spread), 'duo.activity_failures')).toEqual([]); // the first leaves at exactly 10 min
  });
});

describe('duo.activity_user_delete_burst', () => {
  it('fires at five deletions by one API application in 10 minutes (plain-string action too)', async () => {
    const events = Array.from({ length: 5 }, (_, i) =>
      activity(T0 + i * MIN, 'user_delete', { actor: 'Admin API', type: 'api', plainAction: i % 2 === 0 }),
    );
    const [alert] = only(await run(events), 'duo.activity_user_delete_burst');
    expect(alert).toMatchObject({ entity: 'Admin API', severity: 'high' });
  });
  it('does not fire for four, nor five by different actors, nor failed deletions', async () => {
    const four = Array.from({ length: 4 }, (_, i) => activity(T0 + i * MIN, 'user_delete'));
    const many = Array.from({ length: 5 }, (_, i) =>
      activity(T0 + i * MIN, 'user_delete', { actor: `admin ${i}` }),
    );
    const failed = Array.from({ length: 5 }, (_, i) =>
      activity(T0 + i * MIN, 'user_delete', { actor: 'x', result: 'FAILURE' }),
    );
    expect(only(await run([...four, ...many, ...failed]), 'duo.activity_user_delete_burst')).toEqual([]);
  });
});

describe('duo.activity_api_bypass_code', () => {
  it('fires when an API actor creates bypass codes, not when an administrator does', async () => {
    const alerts = await run([
      activity(T0, 'bypass_code_create', { actor: 'Admin API', type: 'api' }),
      activity(T0, 'bypass_code_create', { actor: 'Help Desk', type: 'admin' }),
      activity(T0, 'user_create', { actor: 'Admin API', type: 'api' }),
    ]);
    expect(only(alerts, 'duo.activity_api_bypass_code').map((a) => a.entity)).toEqual(['Admin API']);
  });
});

describe('duo.offline_many_hosts (≥ 3 distinct hosts per user in a sliding 24 h)', () => {
  it('fires at the third distinct workstation within a day', async () => {
    const events = [
      offline(T0, 'WKS-1'),
      offline(T0 + 3 * 3_600_000, 'WKS-2'),
      offline(T0 + 20 * 3_600_000, 'wks-3'),
    ];
    const [alert] = only(await run(events), 'duo.offline_many_hosts');
    expect(alert).toMatchObject({ entity: 'alice', count: 1 });
    expect(alert?.events).toHaveLength(3);
  });
  it('does not fire for re-enrolling the same host, other users, deprovisioning, or hosts a day apart', async () => {
    const events = [
      offline(T0, 'WKS-1'),
      offline(T0 + MIN, 'wks-1', { action: 'o2fa_user_reenrolled' }),
      offline(T0 + 2 * MIN, 'WKS-2', { user: 'bob' }),
      offline(T0 + 3 * MIN, 'WKS-3', { action: 'o2fa_user_deprovisioned' }),
      offline(T0 + 24 * 3_600_000, 'WKS-4'), // the first host left the window exactly now
      offline(T0 + 25 * 3_600_000, 'WKS-5'),
    ];
    expect(only(await run(events), 'duo.offline_many_hosts')).toEqual([]);
  });
});
