/**
 * Cross-check with the client's zod schemas (src/duo/wire): both sides read docs/duo-wire.md, so every object the
 * world returns must parse with the client's schema AND carry every field the client's schema names.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as duo from '../../duo/index.js';
import { createAccountsWorld, createClock, createTenant, isWorldError, parseTenantFixture } from './index.js';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const DAY = 86_400_000;

type Shaped = z.ZodType & { shape?: Record<string, unknown> };

/** Fields Duo sends only in some answers (docs/duo-wire.md §5): absent is right when the condition does not hold. */
const CONDITIONAL = new Set([
  'preauth.enroll_portal_url', // only with result "enroll"
  'preauth.devices', // only with result "auth"
  'auth sync.trusted_device_token', // only when remembered devices apply
  'auth status.trusted_device_token',
  'trust monitor event.surfaced_auth', // only on `auth` events, not bypass_status or device_registration
]);

function check(name: string, schema: Shaped, samples: readonly unknown[], problems: string[]): void {
  expect(samples.length, `${name}: no samples`).toBeGreaterThan(0);
  for (const s of samples) {
    const r = schema.safeParse(s);
    if (!r.success)
      problems.push(`${name}: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    if (schema.shape !== undefined && typeof s === 'object' && s !== null)
      for (const k of Object.keys(schema.shape))
        if (!(k in s) && !CONDITIONAL.has(`${name}.${k}`)) problems.push(`${name}: missing field ${k}`);
  }
}

describe('world objects against the client wire schemas', () => {
  it('agree on every shape', async () => {
    const clock = createClock({ realNow: () => NOW });
    const t = createTenant({ hostname: 'api-x.duosecurity.com', seed: 'cross', users: 300, now: NOW }, clock);
    const problems: string[] = [];
    const users = t.users();
    check('user', duo.userSchema, users.slice(0, 50), problems);
    check('phone', duo.phoneSchema, t.phones().slice(0, 20), problems);
    check('token', duo.tokenSchema, t.tokens().slice(0, 20), problems);
    check('group', duo.groupSchema, t.groups(), problems);
    check('admin', duo.adminSchema, t.admins(), problems);
    t.createBypassCode(users[0]?.user_id ?? '');
    check('bypass code', duo.bypassCodeSchema, t.bypassCodes(), problems);
    check('integration', duo.integrationSchema, t.integrations(), problems);
    check('policy', duo.policySchema, t.policies(), problems);
    check('settings', duo.settingsSchema, [t.settings()], problems);
    check('info summary', duo.infoSummarySchema, [t.infoSummary()], problems);
    check(
      'authentication attempts',
      duo.authenticationAttemptsSchema,
      [
        {
          authentication_attempts: t.authenticationAttempts((NOW - DAY) / 1000, NOW / 1000),
          mintime: 0,
          maxtime: 1,
        },
      ],
      problems,
    );
    const window = { mintime: NOW - 3 * DAY, maxtime: NOW, limit: 300, sort: 'ts:asc' as const };
    t.inject({ kind: 'new_country' });
    t.inject({ kind: 'user_to_bypass' });
    clock.advance(DAY);
    check(
      'auth log event',
      duo.authLogEventSchema,
      t.authLog({ ...window, maxtime: clock.now() }).events,
      problems,
    );
    check(
      'admin log row',
      duo.adminLogRowSchema,
      t.adminLog((NOW - 3 * DAY) / 1000, 200, clock.now() / 1000),
      problems,
    );
    check(
      'telephony item',
      duo.telephonyItemSchema,
      t.telephonyLog({ ...window, mintime: NOW - 30 * DAY }).items,
      problems,
    );
    check(
      'telephony v1 row',
      duo.telephonyV1RowSchema,
      t.telephonyLogV1((NOW - 30 * DAY) / 1000, 50, NOW / 1000),
      problems,
    );
    check(
      'activity item',
      duo.activityItemSchema,
      t.activityLog({ ...window, mintime: NOW - 30 * DAY }).items,
      problems,
    );
    check(
      'trust monitor event',
      duo.trustMonitorEventSchema,
      t.trustMonitor({ mintime: NOW - 170 * DAY, maxtime: clock.now(), limit: 50 }).events,
      problems,
    );
    check(
      'offline enrollment row',
      duo.offlineEnrollmentRowSchema,
      t.offlineEnrollmentLog((NOW - 170 * DAY) / 1000, 50, NOW / 1000),
      problems,
    );

    const fx = createTenant(
      {
        hostname: 'api-y.duosecurity.com',
        seed: 'cross',
        users: 0,
        now: NOW,
        fixture: parseTenantFixture('users: [{username: a, factors: [push]}]', 'yaml'),
      },
      clock,
    );
    check(
      'preauth',
      duo.preauthSchema,
      [fx.preauth({ username: 'a' }), fx.preauth({ username: 'nobody' })],
      problems,
    );
    const sync = fx.auth({ username: 'a', factor: 'push', device: 'auto' });
    clock.advance(3000);
    check('auth sync', duo.authSyncSchema, [await sync], problems);
    const started = fx.authAsync({ username: 'a', factor: 'push', device: 'auto' });
    check('auth async', duo.authAsyncSchema, [started], problems);
    if (!isWorldError(started))
      check(
        'auth status',
        duo.authStatusSchema,
        [await fx.authStatus(started.txid, { waitMs: 0 })],
        problems,
      );
    check('enroll', duo.enrollSchema, [fx.enroll({ username: 'new' })], problems);

    const dev = t.deviceCaches(t.applications().find((a) => a.kind === 'device')?.mkey ?? '');
    const cache = dev?.create();
    check('device cache', duo.deviceCacheSchema, [cache], problems);
    if (cache !== undefined && !isWorldError(cache)) {
      const id = '82be363f-5c10-405f-900a-d4d80d4156c7';
      check('device count', duo.deviceCountSchema, [dev?.addDevices(cache.cache_key, [id])], problems);
      check(
        'devices retrieved',
        duo.devicesRetrievedSchema,
        [dev?.getDevices(cache.cache_key, [id])],
        problems,
      );
    }
    const w = createAccountsWorld({ seed: 'cross', children: 2, usersPerChild: 5, now: NOW }, clock);
    check('child account', duo.childAccountSchema, w.list(), problems);
    expect(problems).toEqual([]);
  });
});
