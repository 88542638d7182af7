import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { credentialGate, isBackedOff } from './index.js';

const T0 = new Date('2026-01-05T12:00:00Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('the one back-off rule', () => {
  it('skips auth_failed and clock_skew until their time, never ok or rate_limited', () => {
    const until = at(24 * HOUR);
    expect(isBackedOff({ state: 'auth_failed', until }, at(24 * HOUR - 1))).toBe(true);
    expect(isBackedOff({ state: 'auth_failed', until }, until)).toBe(false);
    expect(isBackedOff({ state: 'clock_skew', until }, T0)).toBe(true);
    expect(isBackedOff({ state: 'rate_limited', until: null }, T0)).toBe(false);
    expect(isBackedOff({ state: 'ok', until }, T0)).toBe(false);
    expect(isBackedOff(undefined, T0)).toBe(false);
  });
});

describe('credentialGate over the stored health, on the injected clock', () => {
  let dir: string;
  let store: Store;
  let orgId: string;
  let integrationId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'duowatch-gate-'));
    store = await openStore({ dataDir: dir, env: {} });
    orgId = (await store.organizations.create({ slug: 'gate' })).id;
    integrationId = (
      await store.integrations.create(orgId, {
        kind: 'admin',
        apiHost: 'api-12345678.duosecurity.com',
        ikey: 'DI' + 'A'.repeat(18),
        skey: 's'.repeat(40),
      })
    ).id;
    await store.credentialHealth.recordFailure(orgId, integrationId, {
      state: 'auth_failed',
      until: at(24 * HOUR),
      errorKind: 'auth_failed',
      errorMessage: 'Invalid signature in request credentials',
      at: T0,
    });
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const query = (trigger: 'schedule' | 'run-now') => ({
    kind: 'identity-sync',
    payload: { orgId, integrationId },
    scheduledFor: T0,
    trigger,
  });

  it('skips a scheduled run while the back-off lasts, by the injected clock and not the wall clock', async () => {
    // The wall clock is far past T0 + 24 h; a gate reading it would let the run through.
    const decision = await credentialGate(store, () => at(HOUR))(query('schedule'));
    expect(decision).toMatchObject({ skip: true, until: at(24 * HOUR) });
    expect(decision.reason).toMatch(/auth_failed until 2026-01-06T12:00:00.000Z/);
  });

  it('lets the run through once the back-off is over, and always when a person asks', async () => {
    expect(await credentialGate(store, () => at(24 * HOUR))(query('schedule'))).toEqual({ skip: false });
    expect(await credentialGate(store, () => at(HOUR))(query('run-now'))).toEqual({ skip: false });
  });
});
