// The pgboss engine against a real pg-boss 10 on PostgreSQL, in one process: run now, back-off, and a
// graceful stop that hands the interrupted job to another scheduler instance.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/scheduler/index.js';
import type { JobDefinition, Scheduler, SchedulerDeps } from '../../src/scheduler/index.js';
import { unreachableReason } from './store-pg-database.js';
import { MemoryRunRecorder } from '../../src/scheduler/memory-recorder.test-helpers.js';

const REQUIRE = process.env.DUOWATCH_REQUIRE_SERVICES === '1';
const URL_ = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const unreachable = await unreachableReason(URL_);
if (unreachable !== null && REQUIRE) {
  throw new Error(
    `PostgreSQL required (DUOWATCH_REQUIRE_SERVICES=1) but unreachable at DATABASE_URL: ${unreachable}`,
  );
}
const skipReason = unreachable === null ? '' : ` (skipped: PostgreSQL unreachable: ${unreachable})`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== undefined) return v;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(unreachable !== null)(`pgboss engine on a real pg-boss${skipReason}`, () => {
  const schema = `duowatch_sched_${randomBytes(5).toString('hex')}`;
  let db: pg.Pool;
  const open: Scheduler[] = [];

  function make(deps: SchedulerDeps, jobs: JobDefinition[]): Scheduler {
    const s = createScheduler(
      {
        engine: 'pgboss',
        connectionString: URL_,
        schema,
        pollingIntervalSeconds: 0.5,
        maintenanceIntervalSeconds: 1,
      },
      deps,
    );
    for (const j of jobs) s.register(j);
    open.push(s);
    return s;
  }

  async function jobRows(name: string): Promise<Array<{ id: string; state: string; retry_count: number }>> {
    const { rows } = await db.query<{ id: string; state: string; retry_count: number }>(
      `SELECT id, state::text AS state, retry_count FROM ${schema}.job WHERE name = $1`,
      [name],
    );
    return rows;
  }

  beforeAll(() => {
    db = new pg.Pool({ connectionString: URL_, max: 2 });
  });

  afterAll(async () => {
    for (const s of open) await s.stop({ timeoutMs: 1000 });
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
  });

  it('run now queues exactly one job, which runs once and is recorded', async () => {
    const recorder = new MemoryRunRecorder();
    let runs = 0;
    const s = make({ recorder }, [
      {
        kind: 'identity-sync',
        schedule: '0 */4 * * *',
        handler: () => {
          runs += 1;
          return Promise.resolve({ status: 'succeeded', counts: { users: 7 } });
        },
      },
      {
        kind: 'auth-log-poll',
        schedule: '30 * * * *',
        handler: () => Promise.reject(new Error('must not run')),
      },
    ]);
    await s.start();
    const { jobId } = await s.runNow('identity-sync', { orgId: 'acme', integrationId: 'i1' });
    await until('the run to finish', 10_000, () =>
      recorder.runs[0]?.status === 'succeeded' ? true : undefined,
    );
    await sleep(1200); // two more polling rounds: nothing else may run
    expect(runs).toBe(1);
    expect(await jobRows('identity-sync')).toEqual([{ id: jobId, state: 'completed', retry_count: 0 }]);
    expect(await jobRows('auth-log-poll')).toEqual([]);
    expect(recorder.runs).toHaveLength(1);
    expect(recorder.runs[0]).toMatchObject({
      kind: 'identity-sync',
      orgId: 'acme',
      integrationId: 'i1',
      jobId,
      attempt: 1,
    });
    expect(recorder.runs[0]?.result?.counts).toEqual({ users: 7 });
    await s.stop({ timeoutMs: 1000 });
  });

  it('a credential in back-off is skipped, recorded, and its job completed rather than retried', async () => {
    const recorder = new MemoryRunRecorder();
    const until_ = new Date(Date.now() + 24 * 3600_000);
    const s = make(
      { recorder, backoffGate: () => ({ skip: true, reason: 'credential auth_failed', until: until_ }) },
      [{ kind: 'backoff-sync', handler: () => Promise.reject(new Error('must not run')) }],
    );
    await s.start();
    const { jobId } = await s.runNow('backoff-sync', { orgId: 'acme', integrationId: 'broken' });
    await until('the skip record', 10_000, () => (recorder.runs[0]?.status === 'skipped' ? true : undefined));
    expect(recorder.runs[0]?.result).toEqual({
      status: 'skipped',
      errorKind: 'backoff',
      errorMessage: `credential auth_failed until ${until_.toISOString()}`,
    });
    await until('the job to complete', 5_000, async () =>
      (await jobRows('backoff-sync'))[0]?.state === 'completed' ? true : undefined,
    );
    expect((await jobRows('backoff-sync')).map((r) => r.id)).toEqual([jobId]);
    await s.stop({ timeoutMs: 1000 });
  });

  it('stop() aborts a running job, records it interrupted, and another instance finishes it as attempt 2', async () => {
    const recorderA = new MemoryRunRecorder();
    const recorderB = new MemoryRunRecorder();
    let abortedSignal: AbortSignal | undefined;
    const slow: JobDefinition = {
      kind: 'slow-sync',
      expireInSeconds: 30,
      handler: (ctx) =>
        new Promise((resolve, reject) => {
          if (ctx.attempt > 1) {
            resolve({ status: 'succeeded' });
            return;
          }
          abortedSignal = ctx.signal;
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
        }),
    };
    const a = make({ recorder: recorderA }, [slow]);
    await a.start();
    const { jobId } = await a.runNow('slow-sync');
    await until('the job to start on A', 10_000, () => (recorderA.runs[0] ? true : undefined));
    await a.stop({ timeoutMs: 2000 });
    expect(abortedSignal?.aborted).toBe(true);
    expect(recorderA.runs[0]?.result).toMatchObject({ status: 'interrupted', errorKind: 'shutdown' });
    expect((await jobRows('slow-sync')).map((r) => r.state)).toEqual(['retry']);

    const b = make({ recorder: recorderB }, [slow]);
    await b.start();
    await until('B to finish the job', 10_000, () =>
      recorderB.runs[0]?.status === 'succeeded' ? true : undefined,
    );
    expect(recorderB.runs[0]).toMatchObject({ jobId, attempt: 2 });
    await until('the job to complete', 5_000, async () =>
      (await jobRows('slow-sync'))[0]?.state === 'completed' ? true : undefined,
    );
    await b.stop({ timeoutMs: 1000 });
  });

  it('three instances starting at once on a fresh schema all start (pg-boss deadlocks creating queues)', async () => {
    // Without the retry a start died with 40P01 in 3 runs of 3 here (and one worker of the three-process
    // suite, twice in CI): pg-boss 10 inserts the queue row and attaches its partition in one transaction.
    const fresh = `duowatch_sched_${randomBytes(5).toString('hex')}`;
    const kinds = ['identity-sync', 'auth-log-poll', 'admin-log-poll', 'health-probe'];
    const retries: unknown[] = [];
    const noop = (): void => undefined;
    const logger = { debug: noop, info: noop, error: noop, warn: (fields: object) => retries.push(fields) };
    const schedulers: Scheduler[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const s = createScheduler(
          { engine: 'pgboss', connectionString: URL_, schema: fresh, pollingIntervalSeconds: 0.5 },
          { recorder: new MemoryRunRecorder(), logger },
        );
        for (const kind of kinds)
          s.register({
            kind,
            schedule: '0 0 1 1 *',
            handler: () => Promise.resolve({ status: 'succeeded' }),
          });
        open.push(s);
        schedulers.push(s);
      }
      await Promise.all(schedulers.map((s) => s.start()));
      const { rows } = await db.query<{ name: string }>(`SELECT name FROM ${fresh}.queue ORDER BY name`);
      expect(rows.map((r) => r.name)).toEqual([...kinds].sort());
      // Every instance can queue work on every queue.
      for (const s of schedulers) await s.runNow('health-probe');
      console.log(`concurrent start: ${retries.length} deadlocked queue creations retried`);
    } finally {
      // Stopped before their schema goes: a worker completing a job on a dropped schema rejects unhandled.
      for (const s of schedulers) await s.stop({ timeoutMs: 2000 });
      await db.query(`DROP SCHEMA IF EXISTS ${fresh} CASCADE`);
    }
  });
});
