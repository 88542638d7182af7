import type { CollectedEvent, LogStream } from '../../app/index.js';

/** Realistic collected events for sink tests (Duo's shapes as docs/log-sinks.md shows them). */
export function authEvent(i: number, overrides: Partial<CollectedEvent> = {}): CollectedEvent {
  const ts = 1_700_000_000_000 + i * 1000;
  return {
    id: `auth-${String(i).padStart(8, '0')}`,
    stream: 'auth',
    orgId: 'org_1',
    orgSlug: 'acme',
    ts,
    raw: {
      access_device: {
        ip: '203.0.113.7',
        hostname: null,
        browser: 'Chrome',
        os: 'Mac OS X',
        os_version: '14.1',
      },
      application: { key: 'DIY2TZKP3HZ3CF4M1YLZ', name: 'VPN' },
      auth_device: { ip: '198.51.100.4', name: '+1 555-0100' },
      event_type: 'authentication',
      factor: 'duo_push',
      isotimestamp: new Date(ts).toISOString(),
      reason: 'user_approved',
      result: 'success',
      timestamp: Math.floor(ts / 1000),
      txid: `tx-${i}`,
      user: { key: 'DUY0000000000000000A', name: `user${i % 50}`, groups: ['Engineering'] },
    },
    ...overrides,
  };
}

export function batchOf(from: number, count: number, stream: LogStream = 'auth'): CollectedEvent[] {
  return Array.from({ length: count }, (_, k) => ({ ...authEvent(from + k), stream }));
}
