import { describe, expect, it } from 'vitest';
import {
  AUTH_FAILED_BACKOFF_MS,
  classifyFailure,
  latestEvidence,
  runAuthLogPoll,
  runIdentitySync,
  shouldSkip,
  type AuthEventLike,
} from './index.js';
import { createMemoryDuoReader, type MemoryTenant } from './memory-reader.test-helpers.js';
import { createMemoryEvidenceStore } from './memory-store.test-helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-11-22T08:00:00Z');

function fakeClock(start: number) {
  let t = start;
  return { now: () => t, set: (v: number) => (t = v), advance: (ms: number) => (t += ms) };
}

/** Shaped like the real DuoApiError (kind, httpStatus, duoCode). */
class FakeDuoError extends Error {
  constructor(
    readonly kind: string,
    readonly httpStatus: number,
    readonly duoCode: number,
  ) {
    super(`Duo ${kind} (HTTP ${String(httpStatus)}, code ${String(duoCode)})`);
  }
}

function tenant(users = 50): MemoryTenant {
  return {
    users: Array.from({ length: users }, (_, i) => ({
      username: `user${String(i)}`,
      status: 'active',
      is_enrolled: true,
      last_login: T0 / 1000 - 3600,
    })),
    admins: [
      { name: 'Olive Owner', role: 'Owner', status: 'Active', last_login: T0 / 1000 - 100 },
      { name: 'Nev Never', role: 'Read-only', status: 'Active', last_login: null },
    ],
    policies: [
      {
        policy_key: 'PO1',
        is_global_policy: true,
        sections: { authentication_policy: { authentication_policy: 'enforce' } },
      },
    ],
    settings: {
      lockout_threshold: 10,
      lockout_expire_duration: 30,
      minimum_password_length: 12,
      password_requires_upper_alpha: true,
      password_requires_lower_alpha: true,
      password_requires_numeric: true,
      password_requires_special: true,
    },
    bypassCodes: [{ expiration: T0 / 1000 + 3600 }],
  };
}

describe('runIdentitySync', () => {
  it('stores one record per signal and prints {org, signals:[…]} with the four core signals', async () => {
    const store = createMemoryEvidenceStore();
    const clock = fakeClock(T0);
    const out = await runIdentitySync({
      org: 'acme',
      integration: 'int1',
      reader: createMemoryDuoReader(tenant()),
      store,
      clock,
    });
    expect(out.outcome).toBe('ok');
    expect(out.signals.map((s) => [s.id, s.status])).toEqual([
      ['mfa_enrollment', 'pass'],
      ['global_policy', 'pass'],
      ['admin_inventory', 'pass'],
      ['account_settings', 'pass'],
    ]);
    expect(out.extended.map((s) => s.id).sort()).toEqual(
      [
        'admin_password_policy',
        'admins_never_logged_in',
        'bypass_codes_outstanding',
        'locked_out_users',
        'users_inactive_30d',
      ].sort(),
    );
    const view = await latestEvidence(store, 'acme');
    expect(view.org).toBe('acme');
    expect(view.signals.map((s) => s.id)).toEqual([
      'mfa_enrollment',
      'global_policy',
      'admin_inventory',
      'account_settings',
    ]);
    for (const s of view.signals)
      expect(Object.keys(s)).toEqual(
        expect.arrayContaining(['id', 'status', 'metrics', 'controls', 'truncated']),
      );
    expect(view.extended.find((s) => s.id === 'admins_never_logged_in')?.metrics['names']).toEqual([
      'Nev Never',
    ]);
  });

  it('--signal computes only that signal and makes only its calls', async () => {
    const reader = createMemoryDuoReader(tenant());
    const out = await runIdentitySync({
      org: 'acme',
      integration: 'i',
      reader,
      store: createMemoryEvidenceStore(),
      clock: fakeClock(T0),
      only: 'global_policy',
    });
    expect(out.signals.map((s) => s.id)).toEqual(['global_policy']);
    expect(reader.requests).toEqual({ '/admin/v2/policies': 1 });
  });

  it('--signal refuses auth-log and unknown signals with a stable code', async () => {
    for (const only of ['auth_log_aggregate', 'nope'] as const) {
      await expect(
        runIdentitySync({
          org: 'a',
          integration: 'i',
          reader: createMemoryDuoReader(tenant()),
          store: createMemoryEvidenceStore(),
          clock: fakeClock(T0),
          only: only as 'auth_log_aggregate',
        }),
      ).rejects.toMatchObject({ code: 'evidence_unknown_signal', exitCode: 2 });
    }
    const ext = await runIdentitySync({
      org: 'a',
      integration: 'i',
      reader: createMemoryDuoReader(tenant()),
      store: createMemoryEvidenceStore(),
      clock: fakeClock(T0),
      only: 'bypass_codes_outstanding',
    });
    expect(ext.extended.map((s) => s.id)).toEqual(['bypass_codes_outstanding']);
    expect(ext.signals).toEqual([]);
  });

  it('caps users at maxPages × pageSize and never reports Pass on the truncated listing', async () => {
    const reader = createMemoryDuoReader(tenant(31));
    const out = await runIdentitySync({
      org: 'acme',
      integration: 'i',
      reader,
      store: createMemoryEvidenceStore(),
      clock: fakeClock(T0),
      caps: { maxPages: 3, pageSize: 10 },
    });
    const mfa = out.signals.find((s) => s.id === 'mfa_enrollment');
    expect(mfa?.truncated).toBe(true);
    expect(mfa?.status).toBe('warning');
    expect(mfa?.metrics['total']).toBe(30);
    expect(reader.requests['/admin/v1/users']).toBe(3);
  });

  it('cross-checks listings against /admin/v1/info/summary: a short listing is incomplete, never Pass', async () => {
    const t = { ...tenant(40), summary: { user_count: 41, admin_count: 2 } };
    const out = await runIdentitySync({
      org: 'acme',
      integration: 'i',
      reader: createMemoryDuoReader(t),
      store: createMemoryEvidenceStore(),
      clock: fakeClock(T0),
    });
    const mfa = out.signals.find((s) => s.id === 'mfa_enrollment');
    expect(mfa?.truncated).toBe(true);
    expect(mfa?.status).toBe('warning');
    expect(mfa?.notes[0]).toBe('Duo reports 41 users but the listing returned 40: the data is incomplete.');
    expect(out.signals.find((s) => s.id === 'admin_inventory')?.truncated).toBe(false);
    expect(out.extended.find((s) => s.id === 'users_inactive_30d')?.truncated).toBe(true);
  });

  it('auth_failed for 24 h on 401/403/clock skew, retried after, cleared by a success (key rotation)', async () => {
    const store = createMemoryEvidenceStore();
    const clock = fakeClock(T0);
    let broken = true;
    const reader = createMemoryDuoReader(tenant(), {
      fail: () => (broken ? new FakeDuoError('auth_failed', 401, 40103) : undefined),
    });
    const first = await runIdentitySync({ org: 'acme', integration: 'i', reader, store, clock });
    expect(first.outcome).toBe('failed');
    expect(first.health?.state).toBe('auth_failed');
    expect(first.health?.until?.getTime()).toBe(T0 + AUTH_FAILED_BACKOFF_MS);
    // Stopped at the first auth failure: no budget burnt on the other endpoints.
    expect(Object.values(reader.requests).reduce((a, b) => a + b, 0)).toBe(1);
    clock.set(T0 + 4 * HOUR);
    const skipped = await runIdentitySync({ org: 'acme', integration: 'i', reader, store, clock });
    expect(skipped.outcome).toBe('skipped');
    expect(shouldSkip(await store.getCredentialHealth('acme', 'i'), T0 + AUTH_FAILED_BACKOFF_MS - 1)).toBe(
      true,
    );
    broken = false; // the Secret key was rotated
    clock.set(T0 + AUTH_FAILED_BACKOFF_MS);
    const retried = await runIdentitySync({ org: 'acme', integration: 'i', reader, store, clock });
    expect(retried.outcome).toBe('ok');
    expect((await store.getCredentialHealth('acme', 'i'))?.state).toBe('ok');
  });

  it('backs off for the configured time (schedules.authFailedBackoffHours), not always 24 h', async () => {
    const store = createMemoryEvidenceStore();
    const clock = fakeClock(T0);
    let broken = true;
    const reader = createMemoryDuoReader(tenant(), {
      fail: () => (broken ? new FakeDuoError('auth_failed', 401, 40103) : undefined),
    });
    const run = () =>
      runIdentitySync({ org: 'acme', integration: 'i', reader, store, clock, authFailedBackoffMs: 2 * HOUR });
    expect((await run()).health?.until?.getTime()).toBe(T0 + 2 * HOUR);
    clock.set(T0 + 2 * HOUR - 1);
    expect((await run()).outcome).toBe('skipped');
    broken = false;
    clock.set(T0 + 2 * HOUR);
    expect((await run()).outcome).toBe('ok');
  });

  it('classifies failures as the specification says', () => {
    expect(classifyFailure(new FakeDuoError('auth_failed', 401, 40101))).toBe('auth_failed');
    expect(classifyFailure(new FakeDuoError('permission_denied', 403, 40301))).toBe('auth_failed');
    expect(classifyFailure(new FakeDuoError('clock_skew', 401, 40104))).toBe('auth_failed');
    expect(classifyFailure({ httpStatus: 401, duoCode: 40103 })).toBe('auth_failed');
    expect(classifyFailure(new FakeDuoError('rate_limited', 429, 42901))).toBe('rate_limited');
    expect(classifyFailure(new FakeDuoError('server_error', 500, 50001))).toBe('transient');
    expect(classifyFailure(new Error('socket hang up'))).toBe('transient');
  });

  it('429 marks rate_limited and the next tick runs; a transient error keeps other signals', async () => {
    const store = createMemoryEvidenceStore();
    const clock = fakeClock(T0);
    let mode: 'rate' | 'flaky' | 'ok' = 'rate';
    const reader = createMemoryDuoReader(tenant(), {
      fail: (endpoint) =>
        mode === 'rate'
          ? new FakeDuoError('rate_limited', 429, 42901)
          : mode === 'flaky' && endpoint === '/admin/v2/policies'
            ? new FakeDuoError('server_error', 500, 50001)
            : undefined,
    });
    const r1 = await runIdentitySync({ org: 'o', integration: 'i', reader, store, clock });
    expect(r1.health?.state).toBe('rate_limited');
    expect(shouldSkip(r1.health, clock.now() + HOUR)).toBe(false);
    mode = 'flaky';
    clock.advance(4 * HOUR);
    const r2 = await runIdentitySync({ org: 'o', integration: 'i', reader, store, clock });
    expect(r2.outcome).toBe('partial');
    expect(r2.signals.map((s) => s.id)).toEqual(['mfa_enrollment', 'admin_inventory', 'account_settings']);
    expect(r2.error?.source).toBe('policies');
  });
});

describe('runAuthLogPoll', () => {
  const TXIDS = ['7f3c9a52-e2b1-4f0e-9a77-1c2d3e4f5a6b', 'c0ffee00-dead-beef-0000-123456789abc'];
  const IPS = ['203.0.113.77', '2001:db8::4242'];
  const NAMES = ['alice.secret@example.com', 'bob-the-username'];
  function piiEvent(ms: number, i: number, result = 'success'): AuthEventLike {
    const raw: Record<string, unknown> = {
      txid: `${TXIDS[i % 2] ?? ''}-${String(i)}`,
      timestamp: Math.floor(ms / 1000),
      isotimestamp: new Date(ms).toISOString(),
      event_type: 'authentication',
      result,
      reason: result === 'success' ? 'user_approved' : 'no_response',
      factor: i % 3 === 0 ? 'webauthn' : 'sms_passcode',
      user: { key: `DUKEY${String(i % 2)}XXXXXXXXXXXXXX`, name: NAMES[i % 2], groups: [] },
      email: NAMES[0],
      access_device: { ip: IPS[i % 2], hostname: 'laptop-of-alice' },
      auth_device: { ip: IPS[(i + 1) % 2], name: '+1 555 0100' },
    };
    return raw;
  }

  it('persists no txid, IP address, username or user key — only aggregates and a txid-free cursor', async () => {
    const log = Array.from({ length: 40 }, (_, i) =>
      piiEvent(T0 - 3 * HOUR + i * MIN, i, i % 5 === 0 ? 'denied' : 'success'),
    );
    const store = createMemoryEvidenceStore();
    const clock = fakeClock(T0);
    const reader = createMemoryDuoReader({ ...tenant(0), authLogs: () => log });
    const out = await runAuthLogPoll({
      org: 'acme',
      integration: 'i',
      reader,
      store,
      clock,
      caps: { maxPages: 25, pageSize: 7 },
    });
    expect(out.outcome).toBe('ok');
    expect(out.signals[0]?.metrics['total']).toBe(40);
    clock.advance(HOUR);
    await runAuthLogPoll({ org: 'acme', integration: 'i', reader, store, clock });
    const dump = store.dump();
    expect(dump).toContain('auth_log_aggregate');
    for (const secret of [...TXIDS, ...IPS, ...NAMES, 'DUKEY0', 'DUKEY1', 'laptop-of-alice', '555 0100']) {
      expect(dump).not.toContain(secret);
    }
  });

  it('two consecutive polls with overlapping windows count each event once', async () => {
    const log: AuthEventLike[] = [
      piiEvent(T0 - 4 * MIN, 1),
      piiEvent(T0 - 3 * MIN, 2),
      piiEvent(T0 - 30 * MIN, 3),
    ];
    const store = createMemoryEvidenceStore();
    const clock = fakeClock(T0);
    const reader = createMemoryDuoReader({ ...tenant(0), authLogs: () => log });
    const p1 = await runAuthLogPoll({ org: 'a', integration: 'i', reader, store, clock });
    log.push(piiEvent(T0 - 150_000, 4), piiEvent(T0 + 10 * MIN, 5)); // one late arrival in the overlap, one new
    clock.advance(HOUR);
    const p2 = await runAuthLogPoll({ org: 'a', integration: 'i', reader, store, clock });
    expect(p1.signals[0]?.metrics['total']).toBe(3);
    expect(p2.signals[0]?.metrics['total']).toBe(2);
    expect(p2.signals[0]?.metrics['duplicatesSkipped']).toBe(2);
    expect(p2.extended.map((s) => s.id)).toEqual(['phishing_resistant_share', 'sms_voice_share']);
  });

  it('caps at 25 × 1,000 per poll, marks truncation, and the next poll continues from the last event', async () => {
    const log = Array.from({ length: 26_500 }, (_, i) => piiEvent(T0 - 20 * HOUR + i * 1000, i));
    const store = createMemoryEvidenceStore();
    const clock = fakeClock(T0);
    const reader = createMemoryDuoReader({ ...tenant(0), authLogs: () => log });
    const p1 = await runAuthLogPoll({ org: 'a', integration: 'i', reader, store, clock });
    expect(p1.signals[0]?.truncated).toBe(true);
    expect(p1.signals[0]?.status).not.toBe('pass');
    expect(p1.signals[0]?.metrics['total']).toBe(25_000);
    expect(reader.requests['/admin/v2/logs/authentication']).toBe(25);
    clock.advance(HOUR);
    const p2 = await runAuthLogPoll({ org: 'a', integration: 'i', reader, store, clock });
    expect(p2.signals[0]?.truncated).toBe(false);
    expect(p2.signals[0]?.metrics['total']).toBe(1_500);
  });

  it('a failed poll stores nothing and the next poll starts from the last successful one', async () => {
    const store = createMemoryEvidenceStore();
    const clock = fakeClock(T0);
    let fail = false;
    const log = [piiEvent(T0 - 10 * MIN, 1)];
    const reader = createMemoryDuoReader(
      { ...tenant(0), authLogs: () => log },
      { fail: () => (fail ? new FakeDuoError('server_error', 500, 50001) : undefined) },
    );
    await runAuthLogPoll({ org: 'a', integration: 'i', reader, store, clock });
    const cursorAfterFirst = await store.getCursor({ org: 'a', integration: 'i', stream: 'auth_log' });
    fail = true;
    clock.advance(HOUR);
    const failed = await runAuthLogPoll({ org: 'a', integration: 'i', reader, store, clock });
    expect(failed.outcome).toBe('failed');
    // A transient failure says nothing about the credential: its state stays, the error is recorded.
    expect(failed.health).toMatchObject({ state: 'ok', lastErrorKind: 'server_error', until: null });
    expect(await store.getCursor({ org: 'a', integration: 'i', stream: 'auth_log' })).toEqual(
      cursorAfterFirst,
    );
    expect((cursorAfterFirst as { nextAfterMs: number }).nextAfterMs).toBe(T0 - 5 * MIN);
  });
});
