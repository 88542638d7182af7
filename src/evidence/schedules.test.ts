import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { AUTH_LOG_POLL_CRON, IDENTITY_SYNC_CRON, runAuthLogPoll, runIdentitySync } from './index.js';
import { createMemoryDuoReader } from './memory-reader.test-helpers.js';
import { createMemoryEvidenceStore } from './memory-store.test-helpers.js';

function runsFrom(pattern: string, fromIso: string, n: number): string[] {
  // Paused: we only ask for the next fire times from a fixed instant (a fake clock), no timer is started.
  const cron = new Cron(pattern, { timezone: 'UTC', paused: true });
  return cron.nextRuns(n, new Date(fromIso)).map((d) => d.toISOString());
}

describe('schedules (seed: identity sync every 4 h on the hour, auth-log poll hourly at :30, UTC)', () => {
  it('identity sync fires at 00, 04, 08, 12, 16, 20 UTC', () => {
    expect(runsFrom(IDENTITY_SYNC_CRON, '2026-11-21T23:59:59Z', 7)).toEqual([
      '2026-11-22T00:00:00.000Z',
      '2026-11-22T04:00:00.000Z',
      '2026-11-22T08:00:00.000Z',
      '2026-11-22T12:00:00.000Z',
      '2026-11-22T16:00:00.000Z',
      '2026-11-22T20:00:00.000Z',
      '2026-11-23T00:00:00.000Z',
    ]);
  });
  it('auth-log poll fires hourly at :30', () => {
    expect(runsFrom(AUTH_LOG_POLL_CRON, '2026-11-22T10:30:00Z', 3)).toEqual([
      '2026-11-22T11:30:00.000Z',
      '2026-11-22T12:30:00.000Z',
      '2026-11-22T13:30:00.000Z',
    ]);
  });
});

describe('cancellation and the back-off gate of the poll', () => {
  const tenant = { users: [], admins: [], policies: [], settings: {}, authLogs: () => [] };

  it('an aborted sync throws the abort reason and leaves credential health untouched', async () => {
    const store = createMemoryEvidenceStore();
    const ctl = new AbortController();
    ctl.abort(new Error('shutdown'));
    await expect(
      runIdentitySync({
        org: 'o',
        integration: 'i',
        reader: createMemoryDuoReader(tenant),
        store,
        clock: { now: () => 0 },
        signal: ctl.signal,
      }),
    ).rejects.toThrow('shutdown');
    expect(await store.getCredentialHealth('o', 'i')).toBeNull();
  });

  it('the auth-log poll honours auth_failed for 24 h, then polls again', async () => {
    const store = createMemoryEvidenceStore();
    const T = Date.parse('2026-11-22T10:30:00Z');
    await store.setCredentialHealth('o', 'i', {
      state: 'auth_failed',
      until: new Date(T + 1000),
      lastErrorKind: 'permission_denied',
      lastErrorMessage: 'Access forbidden',
      lastSuccessAt: null,
      updatedAt: new Date(T),
    });
    const reader = createMemoryDuoReader(tenant);
    const skipped = await runAuthLogPoll({
      org: 'o',
      integration: 'i',
      reader,
      store,
      clock: { now: () => T },
    });
    expect(skipped.outcome).toBe('skipped');
    expect(reader.requests).toEqual({});
    const after = await runAuthLogPoll({
      org: 'o',
      integration: 'i',
      reader,
      store,
      clock: { now: () => T + 1000 },
    });
    expect(after.outcome).toBe('ok');
    expect((await store.getCredentialHealth('o', 'i'))?.state).toBe('ok');
  });
});
