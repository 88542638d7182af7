import { describe, expect, it } from 'vitest';
import { createProgressBoard } from './progress-board.js';

describe('progress board', () => {
  it('follows one run per integration and keeps its end for a while', () => {
    let now = Date.parse('2026-11-30T00:00:00Z');
    const board = createProgressBoard(() => new Date(now));
    expect(board.get('i1')).toBeUndefined();
    expect(board.start('i1', { trigger: 'api', dryRun: false })).toBe(true);
    expect(board.get('i1')).toMatchObject({ running: true, phase: 'starting', done: 0, total: 0 });
    board.update('i1', { phase: 'uploading', done: 1000, total: 3000 });
    // A second run of the same integration (it will meet the lease) does not take over the first one's bar.
    expect(board.start('i1', { trigger: 'schedule', dryRun: false })).toBe(false);
    expect(board.get('i1')).toMatchObject({ trigger: 'api', phase: 'uploading', done: 1000, total: 3000 });
    board.finish('i1', 'synced');
    expect(board.get('i1')).toMatchObject({ running: false, phase: 'done', outcome: 'synced' });
    // Updates after the end change nothing.
    board.update('i1', { phase: 'uploading', done: 1, total: 3000 });
    expect(board.get('i1')?.phase).toBe('done');
    // Finished runs are forgotten ten minutes later (when another run starts).
    now += 11 * 60_000;
    board.start('i2', { trigger: 'api', dryRun: true });
    expect(board.get('i1')).toBeUndefined();
    expect(board.get('i2')).toMatchObject({ running: true, dryRun: true });
  });
});
