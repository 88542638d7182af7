// Three duowatch worker processes share one PostgreSQL through the pgboss engine. At least 20 per-second
// cron slots run; one worker is SIGKILLed in the middle of a job. Every slot must run to completion exactly
// once, and the killed job must be finished by another process (pg-boss expiry → retry).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNS_DDL } from './fixtures/scheduler-pg-recorder.js';
import { unreachableReason } from './store-pg-database.js';

const REQUIRE = process.env.DUOWATCH_REQUIRE_SERVICES === '1';
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WORKER = fileURLToPath(new URL('./fixtures/scheduler-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SLOTS_REQUIRED = 20;

const unreachable = await unreachableReason(ADMIN_URL);
if (unreachable !== null && REQUIRE) {
  throw new Error(
    `PostgreSQL required (DUOWATCH_REQUIRE_SERVICES=1) but unreachable at DATABASE_URL: ${unreachable}`,
  );
}
const skipReason = unreachable === null ? '' : ` (skipped: PostgreSQL unreachable: ${unreachable})`;

interface Worker {
  readonly name: string;
  readonly child: ChildProcess;
  readonly events: Array<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, deadline: number, probe: () => Promise<T | undefined>): Promise<T> {
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(unreachable !== null)(`pgboss engine across three processes${skipReason}`, () => {
  const database = `duowatch_sched_${randomBytes(5).toString('hex')}`;
  const url = withDatabase(ADMIN_URL, database);
  const workers: Worker[] = [];
  let db: pg.Pool;

  function startWorker(name: string): Worker {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      cwd: ROOT,
      env: {
        ...process.env,
        SCHED_DATABASE_URL: url,
        SCHED_SCHEMA: 'boss',
        SCHED_WORKER: name,
        SCHED_WORK_MS: '700',
        SCHED_EXPIRE_SECONDS: '3',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const events: Array<Record<string, unknown>> = [];
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          events.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          events.push({ event: 'text', line });
        }
      }
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        if (code !== 0 && code !== null && stderr) process.stderr.write(`[${name}] ${stderr.slice(-2000)}\n`);
        resolve(code);
      }),
    );
    return { name, child, events, exited };
  }

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    db = new pg.Pool({ connectionString: url, max: 2 });
    await db.query(RUNS_DDL);
    await db.query(`CREATE TABLE sched_executions (
      id bigserial PRIMARY KEY, slot text NOT NULL, run_id text NOT NULL, worker text NOT NULL, pid int NOT NULL,
      attempt int NOT NULL, started_at timestamptz NOT NULL DEFAULT clock_timestamp(), finished_at timestamptz)`);
  });

  afterAll(async () => {
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await db?.end();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('runs every slot exactly once to completion and retries the job of a killed process elsewhere', async () => {
    const started = Date.now();
    for (const name of ['a', 'b', 'c']) workers.push(startWorker(name));
    // Start-up (three Node processes compiling TypeScript) has its own generous ceiling, and the slots'
    // deadline starts once all are up. (Two CI failures blamed on slow start-up were one worker dying of a
    // pg-boss queue-creation deadlock; the engine now retries it, see scheduler-pgboss.test.ts.)
    await waitFor('three workers ready', started + 150_000, () =>
      Promise.resolve(workers.every((w) => w.events.some((e) => e.event === 'ready')) ? true : undefined),
    );
    const deadline = Date.now() + 55_000;
    // The checked window starts at the first slot every process was running for (all three send it).
    const windowStart = new Date(Math.ceil((Date.now() + 1000) / 1000) * 1000).toISOString();

    // Wait for a few completed slots, then SIGKILL whichever worker is in the middle of a job.
    const victim = await waitFor('a worker in the middle of a job', deadline, async () => {
      const done = await db.query(
        'SELECT count(*)::int AS n FROM sched_executions WHERE finished_at IS NOT NULL AND slot >= $1',
        [windowStart],
      );
      if ((done.rows[0] as { n: number }).n < 4) return undefined;
      // Started 100–400 ms ago: well inside its 700 ms of work, so it cannot finish before the kill lands.
      const { rows } = await db.query<{ pid: number; slot: string }>(
        `SELECT pid, slot FROM sched_executions WHERE finished_at IS NULL AND slot >= $1
           AND started_at BETWEEN clock_timestamp() - interval '400 milliseconds'
                              AND clock_timestamp() - interval '100 milliseconds'
         ORDER BY id LIMIT 1`,
        [windowStart],
      );
      const row = rows[0];
      const worker = row && workers.find((w) => w.child.pid === row.pid);
      if (!row || !worker) return undefined;
      worker.child.kill('SIGKILL');
      return { worker, slot: row.slot };
    });
    await victim.worker.exited;

    // Let the survivors run on until ≥ 20 consecutive slots are complete, the killed slot included.
    const window = await waitFor(`${SLOTS_REQUIRED} consecutive completed slots`, deadline, async () => {
      const { rows } = await db.query<{ slot: string }>(
        'SELECT DISTINCT slot FROM sched_executions WHERE finished_at IS NOT NULL',
      );
      const done = new Set(rows.map((r) => r.slot));
      const first = windowStart;
      if (!done.has(victim.slot)) return undefined;
      const slots: string[] = [];
      for (let t = Date.parse(first); done.has(new Date(t).toISOString()); t += 1000)
        slots.push(new Date(t).toISOString());
      return slots.length >= SLOTS_REQUIRED && slots.includes(victim.slot) ? slots : undefined;
    });

    // Graceful stop of the survivors (SIGTERM → scheduler.stop()).
    const survivors = workers.filter((w) => w !== victim.worker);
    for (const w of survivors) w.child.kill('SIGTERM');
    expect(await Promise.all(survivors.map((w) => w.exited))).toEqual([0, 0]);

    const { rows: executions } = await db.query<{
      slot: string;
      pid: number;
      attempt: number;
      finished: boolean;
    }>('SELECT slot, pid, attempt, finished_at IS NOT NULL AS finished FROM sched_executions ORDER BY id');
    const inWindow = executions.filter((e) => window.includes(e.slot));

    // Every slot of the window completed exactly once.
    for (const slot of window) {
      const completions = inWindow.filter((e) => e.slot === slot && e.finished);
      expect(completions, `slot ${slot}`).toHaveLength(1);
    }
    // The only slot that started twice is the killed one: first on the victim, then on a survivor.
    const victimPid = victim.worker.child.pid;
    const killed = inWindow.filter((e) => e.slot === victim.slot);
    expect(killed.map((e) => [e.pid === victimPid, e.attempt, e.finished])).toEqual([
      [true, 1, false],
      [false, 2, true],
    ]);
    expect(inWindow.filter((e) => e.slot !== victim.slot).every((e) => e.attempt === 1 && e.finished)).toBe(
      true,
    );
    expect(inWindow.length).toBe(window.length + 1);
    // Work was actually shared: more than one process completed slots.
    expect(new Set(inWindow.filter((e) => e.finished).map((e) => e.pid)).size).toBeGreaterThan(1);

    // pg-boss holds exactly one job per slot even though every process sent every slot.
    const { rows: jobs } = await db.query<{ slot: string; n: number; state: string }>(
      `SELECT data->>'scheduledFor' AS slot, count(*)::int AS n, min(state::text) AS state
         FROM boss.job WHERE name = 'identity-sync' GROUP BY 1`,
    );
    for (const slot of window) {
      const job = jobs.find((j) => j.slot === slot);
      expect(job, `job for ${slot}`).toMatchObject({ n: 1, state: 'completed' });
    }
    const sends = workers.flatMap((w) => w.events.filter((e) => e.event === 'slot-sent'));
    for (const slot of window) {
      const forSlot = sends.filter((e) => e.slot === slot);
      expect(
        forSlot.filter((e) => e.inserted === true),
        `inserts for ${slot}`,
      ).toHaveLength(1);
      // Before the kill all three processes sent the slot; afterwards at least the two survivors did.
      if (slot < victim.slot) expect(forSlot.length, `sends for ${slot}`).toBe(3);
      else expect(forSlot.length, `sends for ${slot}`).toBeGreaterThanOrEqual(2);
    }

    // Run records: one per execution; the killed attempt was closed as process_lost by the retrying process.
    const { rows: runs } = await db.query<{
      scheduled_for: Date;
      attempt: number;
      status: string;
      error_kind: string | null;
    }>('SELECT scheduled_for, attempt, status, error_kind FROM sched_runs ORDER BY run_id');
    const windowRuns = runs.filter((r) => window.includes(r.scheduled_for.toISOString()));
    expect(windowRuns).toHaveLength(window.length + 1);
    expect(windowRuns.filter((r) => r.status === 'succeeded')).toHaveLength(window.length);
    expect(
      windowRuns
        .filter((r) => r.scheduled_for.toISOString() === victim.slot)
        .map((r) => [r.attempt, r.status, r.error_kind]),
    ).toEqual([
      [1, 'interrupted', 'process_lost'],
      [2, 'succeeded', null],
    ]);
    const lastSlot = window[window.length - 1] ?? '';
    // No run is left open: survivors' in-flight jobs at SIGTERM were recorded interrupted.
    expect(
      runs.filter((r) => r.status === 'running').every((r) => r.scheduled_for.toISOString() > lastSlot),
    ).toBe(true);

    process.stdout.write(
      `scheduler-multiprocess: ${window.length} slots, killed ${victim.slot}, elapsed ${Date.now() - started} ms\n`,
    );
  }, 240_000);
});
