import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DuowatchError } from '../shared/index.js';
import { SchedulerError, createScheduler } from './index.js';
import type { JobContext, JobDefinition, RunOutcome, Scheduler, SchedulerDeps } from './index.js';
import { MemoryRunRecorder } from './memory-recorder.test-helpers.js';

// Every test runs on vitest's fake clock and timers: cron boundaries hours apart pass in microseconds.
const T0 = Date.parse('2025-12-31T23:59:00.000Z');

function setup(deps: Partial<SchedulerDeps> = {}): { scheduler: Scheduler; recorder: MemoryRunRecorder } {
  const recorder = new MemoryRunRecorder();
  const scheduler = createScheduler({ engine: 'local' }, { recorder, ...deps });
  return { scheduler, recorder };
}

function job(
  kind: string,
  schedule: string | undefined,
  handler: JobDefinition['handler'],
  extra: Partial<JobDefinition> = {},
): JobDefinition {
  return { kind, ...(schedule === undefined ? {} : { schedule }), handler, ...extra };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const handle = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(handle);
      reject(signal.reason as Error);
    });
  });
}

const ok = (): Promise<RunOutcome> => Promise.resolve({ status: 'succeeded' });

/** A handler that runs until its signal aborts (then rejects with the signal's reason). */
function untilAborted(seen: JobContext[]): JobDefinition['handler'] {
  return (ctx) => {
    seen.push(ctx);
    return new Promise<RunOutcome>((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true });
    });
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('local engine: UTC cron slots', () => {
  it('runs `0 */4 * * *` at 00, 04, 08, 12, 16, 20 UTC, each at its slot time', async () => {
    const { scheduler, recorder } = setup();
    const startedAt: string[] = [];
    scheduler.register(
      job('identity-sync', '0 */4 * * *', (ctx) => {
        startedAt.push(new Date().toISOString());
        expect(ctx.trigger).toBe('schedule');
        expect(ctx.attempt).toBe(1);
        return Promise.resolve({ status: 'succeeded', counts: { users: 3 } });
      }),
    );
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    await scheduler.stop();

    const expected = ['00', '04', '08', '12', '16', '20'].map((h) => `2026-01-01T${h}:00:00.000Z`);
    expect(startedAt).toEqual(expected);
    expect(recorder.runs.map((r) => r.scheduledFor.toISOString())).toEqual(expected);
    expect(recorder.runs.every((r) => r.status === 'succeeded' && r.result?.counts?.users === 3)).toBe(true);
  });

  it('runs `30 * * * *` hourly at the half hour', async () => {
    const { scheduler, recorder } = setup();
    scheduler.register(job('auth-log-poll', '30 * * * *', ok));
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(3 * 3600_000);
    await scheduler.stop();
    expect(recorder.runs.map((r) => r.scheduledFor.toISOString())).toEqual([
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T01:30:00.000Z',
      '2026-01-01T02:30:00.000Z',
    ]);
  });

  it('jitter delays each slot by [0, jitterMs] and keeps the nominal slot as scheduledFor', async () => {
    const draws = [0, 0.5, 0.9999999];
    const { scheduler, recorder } = setup({ random: () => draws.shift() ?? 0 });
    const delays: number[] = [];
    scheduler.register(
      job(
        'auth-log-poll',
        '30 * * * *',
        (ctx) => {
          delays.push(Date.now() - ctx.scheduledFor.getTime());
          return ok();
        },
        { jitterMs: 60_000 },
      ),
    );
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(3 * 3600_000);
    await scheduler.stop();
    expect(delays).toEqual([0, 30_000, 60_000]);
    expect(recorder.runs.map((r) => r.scheduledFor.getUTCMinutes())).toEqual([30, 30, 30]);
  });
});

describe('local engine: run records', () => {
  it('records a failing handler as failed with its error kind, and the next slot still runs', async () => {
    const { scheduler, recorder } = setup();
    const outcomes: Array<() => Promise<RunOutcome>> = [
      () => Promise.reject(new DuowatchError('duo_auth_failed', 'Duo answered 40103')),
      () => Promise.reject(Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' })),
      () => Promise.reject(new Error('boom')),
      () =>
        Promise.resolve({ status: 'failed', errorKind: 'rate_limited', errorMessage: 'Duo answered 429' }),
      ok,
    ];
    scheduler.register(job('identity-sync', '0 * * * *', () => (outcomes.shift() ?? ok)()));
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(5 * 3600_000);
    await scheduler.stop();
    expect(recorder.runs.map((r) => [r.status, r.result?.errorKind])).toEqual([
      ['failed', 'duo_auth_failed'],
      ['failed', 'ECONNREFUSED'],
      ['failed', 'exception'],
      ['failed', 'rate_limited'],
      ['succeeded', undefined],
    ]);
    expect(recorder.runs[0]?.result?.errorMessage).toBe('Duo answered 40103');
  });

  it('skips a slot whose previous run of the same lane is still going (protect) and records it', async () => {
    const { scheduler, recorder } = setup();
    let calls = 0;
    scheduler.register(
      job('identity-sync', '0 * * * *', async (ctx) => {
        calls += 1;
        // 90 minutes: the next hourly slot arrives while this run is still going.
        await sleep(90 * 60_000, ctx.signal);
        return { status: 'succeeded' };
      }),
    );
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(3 * 3600_000 + 120_000); // to 03:01
    await scheduler.stop();
    const summary = recorder.runs.map(
      (r) => `${r.scheduledFor.toISOString().slice(11, 16)} ${r.status} ${r.result?.errorKind ?? ''}`,
    );
    expect(summary).toEqual([
      '00:00 succeeded ',
      '01:00 skipped overlap',
      '02:00 interrupted shutdown',
      '03:00 skipped overlap',
    ]);
    expect(calls).toBe(2);
  });

  it('fans a slot out per target so each credential gets its own record', async () => {
    const { scheduler, recorder } = setup();
    const seen: string[] = [];
    scheduler.register(
      job(
        'identity-sync',
        '0 */4 * * *',
        (ctx) => {
          seen.push(`${ctx.payload.orgId}/${ctx.payload.integrationId}`);
          return ok();
        },
        {
          targets: () =>
            Promise.resolve([
              { orgId: 'acme', integrationId: 'i1' },
              { orgId: 'beta', integrationId: 'i2' },
            ]),
        },
      ),
    );
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    await scheduler.stop();
    expect(seen.sort()).toEqual(['acme/i1', 'beta/i2']);
    expect(recorder.runs.map((r) => `${r.orgId}/${r.integrationId} ${r.status}`).sort()).toEqual([
      'acme/i1 succeeded',
      'beta/i2 succeeded',
    ]);
  });
});

describe('local engine: run now', () => {
  it('queues exactly one job of the named kind with its payload', async () => {
    const { scheduler, recorder } = setup();
    const identity: JobContext[] = [];
    let authLog = 0;
    scheduler.register(
      job('identity-sync', '0 */4 * * *', (ctx) => {
        identity.push(ctx);
        return ok();
      }),
    );
    scheduler.register(
      job('auth-log-poll', '30 * * * *', () => {
        authLog += 1;
        return ok();
      }),
    );
    await scheduler.start();
    const { jobId } = await scheduler.runNow('identity-sync', { orgId: 'acme', integrationId: 'int-1' });
    await vi.advanceTimersByTimeAsync(10);
    await scheduler.stop();

    expect(identity).toHaveLength(1);
    expect(identity[0]?.trigger).toBe('run-now');
    expect(identity[0]?.payload).toEqual({ orgId: 'acme', integrationId: 'int-1' });
    expect(authLog).toBe(0);
    expect(recorder.runs).toHaveLength(1);
    expect(recorder.runs[0]).toMatchObject({
      kind: 'identity-sync',
      orgId: 'acme',
      integrationId: 'int-1',
      jobId,
      status: 'succeeded',
    });
  });

  it('waits behind a running job of the same lane instead of being dropped', async () => {
    const { scheduler, recorder } = setup();
    const order: string[] = [];
    scheduler.register(
      job('identity-sync', undefined, async (ctx) => {
        order.push(`start ${ctx.trigger}`);
        await sleep(1000);
        order.push('end');
        return { status: 'succeeded' };
      }),
    );
    await scheduler.start();
    await scheduler.runNow('identity-sync', { orgId: 'acme', integrationId: 'i1' });
    await scheduler.runNow('identity-sync', { orgId: 'acme', integrationId: 'i1' });
    await vi.advanceTimersByTimeAsync(2500);
    await scheduler.stop();
    expect(order).toEqual(['start run-now', 'end', 'start run-now', 'end']);
    expect(recorder.runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('rejects an unknown kind and work before start', async () => {
    const { scheduler } = setup();
    scheduler.register(job('identity-sync', undefined, ok));
    await expect(scheduler.runNow('identity-sync')).rejects.toMatchObject({ code: 'scheduler_state' });
    await scheduler.start();
    await expect(scheduler.runNow('nope')).rejects.toBeInstanceOf(SchedulerError);
    await expect(scheduler.runNow('nope')).rejects.toMatchObject({ code: 'scheduler_unknown_kind' });
    await scheduler.stop();
  });
});

describe('local engine: back-off gate', () => {
  it('skips a credential in back-off, records why and until when, and runs the others', async () => {
    const until = new Date('2026-01-02T00:00:00.000Z');
    const { scheduler, recorder } = setup({
      backoffGate: (q) =>
        q.payload.integrationId === 'broken'
          ? { skip: true, reason: 'credential auth_failed', until }
          : { skip: false },
    });
    const ran: string[] = [];
    scheduler.register(
      job(
        'identity-sync',
        '0 */4 * * *',
        (ctx) => {
          ran.push(ctx.payload.integrationId ?? '');
          return ok();
        },
        {
          targets: () =>
            Promise.resolve([
              { orgId: 'acme', integrationId: 'broken' },
              { orgId: 'acme', integrationId: 'healthy' },
            ]),
        },
      ),
    );
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    await scheduler.runNow('identity-sync', { orgId: 'acme', integrationId: 'broken' });
    await vi.advanceTimersByTimeAsync(10);
    await scheduler.stop();

    expect(ran).toEqual(['healthy']);
    const skipped = recorder.runs.filter((r) => r.status === 'skipped');
    expect(skipped).toHaveLength(2);
    for (const run of skipped) {
      expect(run.integrationId).toBe('broken');
      expect(run.result).toEqual({
        status: 'skipped',
        errorKind: 'backoff',
        errorMessage: 'credential auth_failed until 2026-01-02T00:00:00.000Z',
      });
    }
  });
});

describe('local engine: graceful shutdown', () => {
  it('aborts running handlers through their signal and records them interrupted', async () => {
    const { scheduler, recorder } = setup();
    const seen: JobContext[] = [];
    scheduler.register(job('identity-sync', '0 */4 * * *', untilAborted(seen)));
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(seen).toHaveLength(1);
    expect(recorder.runs[0]?.status).toBe('running');

    await scheduler.stop({ timeoutMs: 5000 });
    expect(seen[0]?.signal.aborted).toBe(true);
    expect(recorder.runs).toHaveLength(1);
    expect(recorder.runs[0]?.result).toMatchObject({ status: 'interrupted', errorKind: 'shutdown' });

    // No new work after stop: a day of slots passes and nothing else runs.
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(recorder.runs).toHaveLength(1);
    await expect(scheduler.runNow('identity-sync')).rejects.toMatchObject({ code: 'scheduler_state' });
  });

  it('closes the record of a handler that ignores its signal once the timeout passes', async () => {
    const { scheduler, recorder } = setup();
    scheduler.register(
      job('identity-sync', undefined, async () => {
        await sleep(60_000); // ignores its signal on purpose
        return { status: 'succeeded' };
      }),
    );
    await scheduler.start();
    await scheduler.runNow('identity-sync');
    await vi.advanceTimersByTimeAsync(10);
    const stopping = scheduler.stop({ timeoutMs: 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    await stopping;
    expect(recorder.runs[0]?.result).toMatchObject({ status: 'interrupted', errorKind: 'shutdown' });
    // When the stubborn handler finally returns, its record is not rewritten.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(recorder.runs[0]?.status).toBe('interrupted');
  });

  it('records a queued run-now that never started as interrupted', async () => {
    const { scheduler, recorder } = setup();
    const seen: JobContext[] = [];
    scheduler.register(job('identity-sync', undefined, untilAborted(seen)));
    await scheduler.start();
    await scheduler.runNow('identity-sync', { orgId: 'acme', integrationId: 'i1' });
    await scheduler.runNow('identity-sync', { orgId: 'acme', integrationId: 'i1' });
    await vi.advanceTimersByTimeAsync(10);
    await scheduler.stop({ timeoutMs: 1000 });
    expect(seen).toHaveLength(1);
    expect(recorder.runs.map((r) => [r.status, r.result?.errorKind])).toEqual([
      ['interrupted', 'shutdown'],
      ['interrupted', 'shutdown'],
    ]);
  });
});

describe('local engine: deadline', () => {
  it('aborts a handler at expireInSeconds and records it interrupted (expired)', async () => {
    const { scheduler, recorder } = setup();
    const seen: JobContext[] = [];
    scheduler.register(job('identity-sync', undefined, untilAborted(seen), { expireInSeconds: 30 }));
    await scheduler.start();
    await scheduler.runNow('identity-sync');
    await vi.advanceTimersByTimeAsync(29_999);
    expect(recorder.runs[0]?.status).toBe('running');
    await vi.advanceTimersByTimeAsync(1);
    expect(seen[0]?.signal.aborted).toBe(true);
    expect(recorder.runs[0]?.result).toMatchObject({ status: 'interrupted', errorKind: 'expired' });
    await scheduler.stop();
  });
});

describe('registration', () => {
  it('reports every problem of a job definition at once', () => {
    const { scheduler } = setup();
    let error: unknown;
    try {
      scheduler.register(job('bad kind!', 'not a cron', ok, { jitterMs: -1 }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SchedulerError);
    const message = (error as SchedulerError).message;
    expect((error as SchedulerError).code).toBe('scheduler_invalid_job');
    expect(message).toContain('kind');
    expect(message).toContain('jitterMs');
    expect(message).toContain('cron');
  });

  it('refuses a duplicate kind', () => {
    const { scheduler } = setup();
    scheduler.register(job('identity-sync', undefined, ok));
    expect(() => scheduler.register(job('identity-sync', undefined, ok))).toThrow(/already registered/);
  });
});
