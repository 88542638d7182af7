import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createScheduler, slotJobId } from './index.js';
import type {
  BossJob,
  BossPort,
  BossSendOptions,
  JobDefinition,
  RunOutcome,
  SchedulerDeps,
} from './index.js';
import { MemoryRunRecorder } from './memory-recorder.test-helpers.js';

// The pgboss engine against an in-memory BossPort that keeps pg-boss's one rule we rely on (a job id is
// unique per queue; a duplicate send returns null) and records every call. The real pg-boss is exercised
// in test/services/scheduler-*.test.ts.
class FakeBoss implements BossPort {
  readonly calls: string[] = [];
  readonly jobs = new Map<
    string,
    { name: string; data: unknown; opts: BossSendOptions; outcome?: 'completed' | 'failed' }
  >();
  private readonly handlers = new Map<string, (jobs: BossJob[]) => Promise<unknown>>();
  private nextId = 0;

  start(): Promise<unknown> {
    this.calls.push('start');
    return Promise.resolve(this);
  }
  stop(opts: { graceful: boolean; wait: boolean; timeout: number }): Promise<void> {
    this.calls.push(`stop graceful=${opts.graceful}`);
    return Promise.resolve();
  }
  /** Thrown by the next createQueue calls, in order (as pg's errors: an Error with a SQLSTATE `code`). */
  readonly createQueueErrors: Error[] = [];
  createQueue(name: string): Promise<void> {
    const err = this.createQueueErrors.shift();
    if (err) {
      this.calls.push(`createQueue ${name} failed`);
      return Promise.reject(err);
    }
    this.calls.push(`createQueue ${name}`);
    return Promise.resolve();
  }
  send(name: string, data: object, opts: BossSendOptions): Promise<string | null> {
    this.calls.push(`send ${name}`);
    if (!this.calls.includes(`createQueue ${name}`)) return Promise.resolve(null); // pg-boss 10 behaviour
    const id = opts.id ?? `fake-${(this.nextId += 1)}`;
    if (this.jobs.has(id)) return Promise.resolve(null);
    this.jobs.set(id, { name, data, opts });
    return Promise.resolve(id);
  }
  work(name: string, _opts: unknown, handler: (jobs: BossJob[]) => Promise<unknown>): Promise<string> {
    this.calls.push(`work ${name}`);
    this.handlers.set(name, handler);
    return Promise.resolve(`worker-${name}`);
  }
  offWork(name: string): Promise<void> {
    this.calls.push(`offWork ${name}`);
    return Promise.resolve();
  }
  on(): unknown {
    return this;
  }
  /** Hands a stored job to the worker as pg-boss would; resolves to what pg-boss would do with it. */
  async deliver(id: string, retryCount = 0, expireInSeconds = 900): Promise<'completed' | 'failed'> {
    const job = this.jobs.get(id);
    const handler = job && this.handlers.get(job.name);
    if (!job || !handler) throw new Error(`no job ${id}`);
    try {
      await handler([{ id, data: job.data, retryCount, expireInSeconds }]);
      job.outcome = 'completed';
    } catch {
      job.outcome = 'failed';
    }
    return job.outcome;
  }
}

const T0 = Date.parse('2026-01-01T03:59:00.000Z');

function setup(deps: Partial<SchedulerDeps> = {}): {
  boss: FakeBoss;
  recorder: MemoryRunRecorder;
  deps: SchedulerDeps;
} {
  const boss = new FakeBoss();
  const recorder = new MemoryRunRecorder();
  return { boss, recorder, deps: { recorder, ...deps } };
}

const opts = { engine: 'pgboss', connectionString: 'postgres://unused' } as const;

function job(handler: JobDefinition['handler'], extra: Partial<JobDefinition> = {}): JobDefinition {
  return { kind: 'identity-sync', schedule: '0 */4 * * *', handler, ...extra };
}

const ok = (): Promise<RunOutcome> => Promise.resolve({ status: 'succeeded' });

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('pgboss engine (fake pg-boss)', () => {
  it('creates every queue before any send, then sends each slot under its deterministic id', async () => {
    const { boss, deps } = setup();
    const scheduler = createScheduler(opts, deps, { boss });
    scheduler.register(job(ok));
    await scheduler.start();
    expect(boss.calls.slice(0, 3)).toEqual(['start', 'createQueue identity-sync', 'work identity-sync']);

    await vi.advanceTimersByTimeAsync(2 * 60_000);
    const slot = Date.parse('2026-01-01T04:00:00.000Z');
    const id = slotJobId('identity-sync', slot, {});
    expect([...boss.jobs.keys()]).toEqual([id]);
    expect(boss.jobs.get(id)?.data).toEqual({
      payload: {},
      scheduledFor: '2026-01-01T04:00:00.000Z',
      trigger: 'schedule',
    });
    expect(boss.jobs.get(id)?.opts).toMatchObject({
      retryLimit: 2,
      expireInSeconds: 900,
      startAfter: new Date(slot),
    });
    await scheduler.stop();
  });

  it('two processes sending the same slot produce one job (the second send is a no-op)', async () => {
    const { boss, deps } = setup();
    const a = createScheduler(opts, deps, { boss });
    const b = createScheduler(opts, deps, { boss });
    a.register(job(ok, { targets: () => Promise.resolve([{ orgId: 'acme', integrationId: 'i1' }]) }));
    b.register(job(ok, { targets: () => Promise.resolve([{ orgId: 'acme', integrationId: 'i1' }]) }));
    await a.start();
    await b.start();
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(boss.calls.filter((c) => c === 'send identity-sync')).toHaveLength(2);
    expect(boss.jobs.size).toBe(1);
    await a.stop();
    await b.stop();
  });

  it('puts jitter into startAfter, within [slot, slot + jitterMs]', async () => {
    const { boss, deps } = setup({ random: () => 0.5 });
    const scheduler = createScheduler(opts, deps, { boss });
    scheduler.register(job(ok, { jitterMs: 120_000 }));
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    const [stored] = [...boss.jobs.values()];
    expect(stored?.opts.startAfter?.toISOString()).toBe('2026-01-01T04:01:00.000Z');
    await scheduler.stop();
  });

  it('run now queues exactly one job with a fresh id and the payload', async () => {
    const { boss, recorder, deps } = setup();
    const scheduler = createScheduler(opts, deps, { boss });
    const seen: unknown[] = [];
    scheduler.register(
      job((ctx) => {
        seen.push([ctx.trigger, ctx.payload, ctx.attempt]);
        return ok();
      }),
    );
    scheduler.register({ kind: 'auth-log-poll', schedule: '30 * * * *', handler: ok });
    await scheduler.start();
    const { jobId } = await scheduler.runNow('identity-sync', { orgId: 'acme', integrationId: 'i1' });
    expect([...boss.jobs.keys()]).toEqual([jobId]);
    expect(boss.jobs.get(jobId)?.name).toBe('identity-sync');
    expect(await boss.deliver(jobId)).toBe('completed');
    expect(seen).toEqual([['run-now', { orgId: 'acme', integrationId: 'i1' }, 1]]);
    expect(recorder.runs).toHaveLength(1);
    expect(recorder.runs[0]).toMatchObject({
      jobId,
      orgId: 'acme',
      integrationId: 'i1',
      status: 'succeeded',
    });
    await scheduler.stop();
  });

  it('completes a failed run (no retry) unless retryOnError, and reports the attempt from retryCount', async () => {
    const { boss, recorder, deps } = setup();
    const scheduler = createScheduler(opts, deps, { boss });
    scheduler.register(job(() => Promise.reject(new Error('boom'))));
    scheduler.register({
      kind: 'auth-log-poll',
      retryOnError: true,
      handler: () => Promise.reject(new Error('boom')),
    });
    await scheduler.start();
    const a = await scheduler.runNow('identity-sync');
    const b = await scheduler.runNow('auth-log-poll');
    expect(await boss.deliver(a.jobId)).toBe('completed');
    expect(await boss.deliver(b.jobId, 1)).toBe('failed');
    expect(recorder.runs.map((r) => [r.kind, r.attempt, r.status, r.result?.errorKind])).toEqual([
      ['identity-sync', 1, 'failed', 'exception'],
      ['auth-log-poll', 2, 'failed', 'exception'],
    ]);
    await scheduler.stop();
  });

  it('aborts a handler at the job expiry and hands the job back (recorded interrupted: expired)', async () => {
    const { boss, recorder, deps } = setup();
    const scheduler = createScheduler(opts, deps, { boss });
    let signal: AbortSignal | undefined;
    scheduler.register(
      job(
        (ctx) =>
          new Promise((_resolve, reject) => {
            signal = ctx.signal;
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
          }),
        { expireInSeconds: 10 },
      ),
    );
    await scheduler.start();
    const { jobId } = await scheduler.runNow('identity-sync');
    const delivered = boss.deliver(jobId, 0, 10);
    await vi.advanceTimersByTimeAsync(9_500);
    expect(await delivered).toBe('failed');
    expect(signal?.aborted).toBe(true);
    expect(recorder.runs[0]?.result).toMatchObject({ status: 'interrupted', errorKind: 'expired' });
    await scheduler.stop();
  });

  it('skips a run in back-off and completes the job (no retry storm against a broken credential)', async () => {
    const { boss, recorder, deps } = setup({
      backoffGate: () => ({ skip: true, reason: 'credential auth_failed' }),
    });
    const scheduler = createScheduler(opts, deps, { boss });
    let ran = false;
    scheduler.register(
      job(() => {
        ran = true;
        return ok();
      }),
    );
    await scheduler.start();
    const { jobId } = await scheduler.runNow('identity-sync', { orgId: 'acme', integrationId: 'i1' });
    expect(await boss.deliver(jobId)).toBe('completed');
    expect(ran).toBe(false);
    expect(recorder.runs[0]?.result).toEqual({
      status: 'skipped',
      errorKind: 'backoff',
      errorMessage: 'credential auth_failed',
    });
    await scheduler.stop();
  });

  it('stop: no new work (offWork), running handlers aborted and recorded interrupted, pg-boss stopped', async () => {
    const { boss, recorder, deps } = setup();
    const scheduler = createScheduler(opts, deps, { boss });
    scheduler.register(
      job(
        (ctx) =>
          new Promise((_resolve, reject) =>
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)),
          ),
      ),
    );
    await scheduler.start();
    const { jobId } = await scheduler.runNow('identity-sync');
    const delivered = boss.deliver(jobId);
    await vi.advanceTimersByTimeAsync(10);
    await scheduler.stop({ timeoutMs: 1000 });
    expect(await delivered).toBe('failed'); // pg-boss retries it on another process
    expect(recorder.runs[0]?.result).toMatchObject({ status: 'interrupted', errorKind: 'shutdown' });
    expect(boss.calls.slice(-2)).toEqual(['offWork identity-sync', 'stop graceful=true']);
    await expect(scheduler.runNow('identity-sync')).rejects.toMatchObject({ code: 'scheduler_state' });
  });

  it('closes the run a dead process left open before a retry starts', async () => {
    const { boss, recorder, deps } = setup();
    const scheduler = createScheduler(opts, deps, { boss });
    scheduler.register(job(ok));
    await scheduler.start();
    const { jobId } = await scheduler.runNow('identity-sync');
    // What the dead process left behind: attempt 1 started, never finished.
    await recorder.start({ kind: 'identity-sync', scheduledFor: new Date(T0), attempt: 1, jobId });
    expect(await boss.deliver(jobId, 1)).toBe('completed');
    expect(recorder.runs.map((r) => [r.attempt, r.status, r.result?.errorKind])).toEqual([
      [1, 'interrupted', 'process_lost'],
      [2, 'succeeded', undefined],
    ]);
    await scheduler.stop();
  });

  it('reports every invalid engine option at once', () => {
    const { deps } = setup();
    expect(() =>
      createScheduler(
        {
          engine: 'pgboss',
          connectionString: '',
          schema: 'Bad-Schema',
          pollingIntervalSeconds: 0.1,
          concurrency: 0,
        },
        deps,
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'scheduler_invalid_options',
        message: expect.stringMatching(
          /connectionString.*schema.*pollingIntervalSeconds.*concurrency/,
        ) as string,
      }) as Error,
    );
  });

  describe('creating queues while other processes do the same', () => {
    const pgError = (code: string, message: string): Error => Object.assign(new Error(message), { code });
    const deadlock = (): Error => pgError('40P01', 'deadlock detected');

    it('retries a deadlocked creation (PostgreSQL aborted this side) and starts', async () => {
      const warnings: unknown[] = [];
      const noop = (): void => undefined;
      const logger = {
        debug: noop,
        info: noop,
        error: noop,
        warn: (fields: object) => warnings.push(fields),
      };
      const { boss, deps } = setup({ logger });
      boss.createQueueErrors.push(deadlock(), deadlock());
      const scheduler = createScheduler(opts, deps, { boss });
      scheduler.register(job(ok));
      const started = scheduler.start();
      await vi.advanceTimersByTimeAsync(10_000);
      await started;
      expect(boss.calls.slice(0, 5)).toEqual([
        'start',
        'createQueue identity-sync failed',
        'createQueue identity-sync failed',
        'createQueue identity-sync',
        'work identity-sync',
      ]);
      expect(warnings).toEqual([
        { queue: 'identity-sync', attempt: 1 },
        { queue: 'identity-sync', attempt: 2 },
      ]);
      await scheduler.stop();
    });

    it('does not retry any other database error', async () => {
      const { boss, deps } = setup();
      boss.createQueueErrors.push(pgError('42501', 'permission denied for schema boss'));
      const scheduler = createScheduler(opts, deps, { boss });
      scheduler.register(job(ok));
      await expect(scheduler.start()).rejects.toThrow('permission denied for schema boss');
      expect(boss.calls).toEqual(['start', 'createQueue identity-sync failed']);
    });

    it('gives up after eight deadlocks in a row with a coded error', async () => {
      const { boss, deps } = setup();
      for (let i = 0; i < 8; i += 1) boss.createQueueErrors.push(deadlock());
      const scheduler = createScheduler(opts, deps, { boss });
      scheduler.register(job(ok));
      const started = scheduler.start().catch((err: unknown) => err);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(await started).toMatchObject({ code: 'scheduler_queue_create_failed' });
      expect(boss.calls.filter((c) => c.startsWith('createQueue'))).toHaveLength(8);
    });
  });
});
