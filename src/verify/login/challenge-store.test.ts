import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import { verifyMigrations } from '../migrations.js';
import { challengeStore, type Challenge } from './challenge-store.js';

// The pending sign-ins' table over a real SQLite file, opened twice as two processes would.
const open: Array<{ store: Store; dir: string }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.store.close();
    await rm(o.dir, { recursive: true, force: true });
  }
});

async function twoProcesses() {
  const dir = await mkdtemp(join(tmpdir(), 'duowatch-challenges-'));
  const opts = { dataDir: dir, env: {}, migrations: verifyMigrations };
  const one = await openStore(opts);
  open.push({ store: one, dir });
  const two = await openStore(opts);
  open.push({ store: two, dir });
  return [challengeStore(one), challengeStore(two)] as const;
}

const T0 = Date.parse('2026-11-30T12:00:00Z');
const challenge = (over: Partial<Challenge> = {}): Challenge => ({
  operatorId: 'op-1',
  username: 'ada',
  duoUsername: 'ada',
  role: 'auditor',
  ip: '192.0.2.1',
  expiresAt: T0 + 300_000,
  devices: [{ device: 'DP1', name: 'iPhone', capabilities: ['push'] }],
  factors: ['push', 'passcode'],
  state: 'choose',
  txid: null,
  factor: null,
  message: 'Choose how to confirm it is you.',
  passcodeFailures: 0,
  ...over,
});

describe('the pending sign-ins in the database', () => {
  it('a challenge written by one process is read, moved on and finished by another, once', async () => {
    const [a, b] = await twoProcesses();
    await a.create('k1', challenge());
    const seen = await b.get('k1');
    expect(seen).toEqual(challenge());
    await b.save('k1', { ...challenge(), state: 'waiting', txid: 'tx-1', factor: 'push' });
    expect(await a.get('k1')).toMatchObject({ state: 'waiting', txid: 'tx-1' });
    expect(await a.pending(T0)).toBe(1);
    expect(await a.finish('k1')).toBe(true);
    expect(await b.finish('k1')).toBe(false);
    // A late save from the slower process does not bring a finished challenge back.
    await b.save('k1', { ...challenge(), state: 'choose' });
    expect((await a.get('k1'))?.state).toBe('done');
    expect(await a.pending(T0)).toBe(0);
    expect(await b.get('missing')).toBeUndefined();
  });

  it('purges finished and expired challenges and pushes past the window, on the clock it is given', async () => {
    const [a, b] = await twoProcesses();
    await a.create('done', challenge());
    await a.finish('done');
    await a.create('old', challenge({ expiresAt: T0 - 1 }));
    await a.create('live', challenge());
    await a.recordPush('op-1', T0 - 700_000);
    await a.recordPush('op-1', T0 - 10_000);
    await b.recordPush('op-1', T0 - 5_000);
    await b.recordPush('op-2', T0 - 5_000);
    expect(await b.pushesSince('op-1', T0 - 600_000)).toEqual([T0 - 10_000, T0 - 5_000]);
    await b.purge(T0, T0 - 600_000);
    expect(await a.get('done')).toBeUndefined();
    expect(await a.get('old')).toBeUndefined();
    expect(await a.get('live')).toBeDefined();
    expect(await a.pushesSince('op-1', 0)).toEqual([T0 - 10_000, T0 - 5_000]);
  });
});
