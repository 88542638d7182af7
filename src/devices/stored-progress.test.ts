import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { devicesMigrations } from './migrations.js';
import { ABANDONED_AFTER_MS, storedProgress, type RunProgress } from './stored-progress.js';

let dir = '';
let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('stored sync progress', () => {
  it('writes at each phase change and at most every 500 ms within one, and ends a run left running', async () => {
    dir = await mkdtemp(join(tmpdir(), 'duowatch-progress-'));
    store = await openStore({ dataDir: dir, env: {}, migrations: devicesMigrations });
    let now = Date.parse('2026-11-22T10:00:00Z');
    const clock = () => new Date(now);
    const writer = storedProgress(store, clock);
    const reader = storedProgress(store, clock);
    const run = (over: Partial<RunProgress>): RunProgress => ({
      running: true,
      phase: 'uploading',
      done: 0,
      total: 3000,
      trigger: 'cli',
      dryRun: false,
      startedAt: new Date(Date.parse('2026-11-22T10:00:00Z')),
      updatedAt: clock(),
      outcome: null,
      ...over,
    });
    await writer.save('org', 'i1', run({ phase: 'reading', done: 10 }));
    await writer.save('org', 'i1', run({ done: 1000 }));
    now += 100;
    await writer.save('org', 'i1', run({ done: 2000 }));
    // Same phase 100 ms later: not written.
    expect(await reader.load('i1')).toMatchObject({ phase: 'uploading', done: 1000 });
    now += 500;
    await writer.save('org', 'i1', run({ done: 3000 }));
    expect(await reader.load('i1')).toMatchObject({ phase: 'uploading', done: 3000, running: true });
    // The end is always written, whatever the throttle.
    await writer.save('org', 'i1', run({ running: false, phase: 'done', done: 3000, outcome: 'synced' }));
    expect(await reader.load('i1')).toMatchObject({ running: false, phase: 'done', outcome: 'synced' });
    expect(await reader.load('other')).toBeUndefined();

    // A run whose process died mid-sync stops showing as running once it has been silent long enough.
    await writer.save('org', 'i2', run({ done: 1000 }));
    now += ABANDONED_AFTER_MS - 1;
    expect((await reader.load('i2'))?.running).toBe(true);
    now += 2;
    expect(await reader.load('i2')).toMatchObject({ running: false, phase: 'done', outcome: null });
  });
});
