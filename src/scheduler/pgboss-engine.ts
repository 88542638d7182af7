import { randomUUID } from 'node:crypto';
import type { BossJob, BossPort } from './boss-port.js';
import { jitterDelay } from './cron-slots.js';
import { SchedulerError } from './errors.js';
import { executeRun, slotPayloads } from './execute-run.js';
import type { ActiveRun, ExecuteEnv } from './execute-run.js';
import { JobRegistry, defaultClock, defaultTimers, silentLogger } from './registry.js';
import type { RegisteredJob } from './registry.js';
import { interruptActive, settleWithin } from './shutdown.js';
import { startSlotDriver } from './slot-driver.js';
import type { SlotDriver } from './slot-driver.js';
import { slotJobId } from './slot-job-id.js';
import type {
  Clock,
  JobDefinition,
  JobPayload,
  RunNowResult,
  Scheduler,
  SchedulerDeps,
  SchedulerLogger,
  StopOptions,
  Timers,
} from './types.js';

const DEFAULT_EXPIRE_SECONDS = 900;
const DEFAULT_RETRY_LIMIT = 2;
// pg-boss 10's create_queue inserts the queue row and attaches a partition in one transaction: two processes
// creating a queue at once (several instances starting together on a fresh database) deadlock, and
// PostgreSQL aborts one of them. The retry then finds the winner's row and does nothing.
const PG_DEADLOCK = '40P01';
const CREATE_QUEUE_ATTEMPTS = 8;
const CREATE_QUEUE_RETRY_MS = 200;

function isDeadlock(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === PG_DEADLOCK;
}

/** What we store in pg-boss's `data` column. */
interface QueuedData {
  readonly payload: JobPayload;
  readonly scheduledFor: string;
  readonly trigger: 'schedule' | 'run-now';
}

function isQueuedData(value: unknown): value is QueuedData {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.scheduledFor === 'string' &&
    (v.trigger === 'schedule' || v.trigger === 'run-now') &&
    typeof v.payload === 'object' &&
    v.payload !== null
  );
}

/** Thrown back to pg-boss so it fails the job (and retries it while retryLimit allows). */
class RunNotCompleted extends Error {
  constructor(status: string) {
    super(`run ended ${status}; handing the job back to the queue`);
    this.name = 'RunNotCompleted';
  }
}

export interface PgBossSchedulerOptions {
  readonly pollingIntervalSeconds: number;
  readonly concurrency: number;
}

type State = 'new' | 'starting' | 'started' | 'stopping' | 'stopped';

/**
 * PostgreSQL mode: any number of processes share the schedules through pg-boss.
 *
 * - Every process runs the same UTC slot driver; at a slot each one sends the slot's job with a
 *   deterministic id (slot-job-id.ts), so pg-boss's primary key keeps exactly one job per slot and target.
 * - pg-boss hands each job to one worker (`FOR UPDATE SKIP LOCKED`); a job whose process died stays `active`
 *   until `expireInSeconds`, when pg-boss maintenance fails it into `retry` and another worker takes it.
 * - The handler's signal aborts at the same expiry, so a slow live process stops before its job is re-run.
 */
export class PgBossScheduler implements Scheduler {
  readonly engine = 'pgboss' as const;
  private readonly registry = new JobRegistry();
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly logger: SchedulerLogger;
  private readonly env: ExecuteEnv;
  private readonly active = new Set<ActiveRun>();
  private readonly drivers: SlotDriver[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private state: State = 'new';

  private boss: BossPort | undefined;

  constructor(
    private readonly bossFactory: () => Promise<BossPort>,
    deps: SchedulerDeps,
    private readonly options: PgBossSchedulerOptions,
  ) {
    this.clock = deps.clock ?? defaultClock;
    this.timers = deps.timers ?? defaultTimers;
    this.random = deps.random ?? Math.random;
    this.logger = deps.logger ?? silentLogger;
    this.env = {
      recorder: deps.recorder,
      backoffGate: deps.backoffGate,
      logger: this.logger,
      timers: this.timers,
      active: this.active,
    };
  }

  register(job: JobDefinition): void {
    if (this.state !== 'new') {
      throw new SchedulerError('scheduler_state', 'register every job before start() in pgboss mode');
    }
    this.registry.add(job);
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new SchedulerError('scheduler_state', `scheduler is ${this.state}`);
    this.state = 'starting';
    const boss = await this.bossFactory();
    this.boss = boss;
    boss.on('error', (err) => this.logger.error({ err: err.message }, 'pg-boss error'));
    await boss.start();
    const jobs = this.registry.all();
    // pg-boss 10: a send to a queue that does not exist returns null silently, so create every queue first.
    for (const { job } of jobs) await this.createQueue(boss, job);
    for (const registered of jobs) {
      for (let i = 0; i < this.options.concurrency; i += 1) {
        await boss.work(
          registered.job.kind,
          {
            includeMetadata: true,
            batchSize: 1,
            pollingIntervalSeconds: this.options.pollingIntervalSeconds,
          },
          (batch) => this.onJobs(registered.job, batch),
        );
      }
    }
    this.state = 'started';
    for (const registered of jobs) this.startDriver(registered);
  }

  async runNow(kind: string, payload: JobPayload = {}): Promise<RunNowResult> {
    if (this.state !== 'started')
      throw new SchedulerError('scheduler_state', `cannot queue work: scheduler is ${this.state}`);
    const { job } = this.registry.get(kind);
    const boss = this.startedBoss();
    const id = randomUUID();
    const data: QueuedData = {
      payload,
      scheduledFor: new Date(this.clock.now()).toISOString(),
      trigger: 'run-now',
    };
    const sent = await boss.send(kind, data, { id, ...this.sendOptions(job) });
    if (sent === null)
      throw new SchedulerError('scheduler_enqueue_failed', `pg-boss did not accept a "${kind}" job`);
    return { jobId: sent };
  }

  async stop(opts: StopOptions = {}): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    const boss = this.boss;
    this.state = 'stopping';
    const timeoutMs = opts.timeoutMs ?? 10_000;
    for (const driver of this.drivers) driver.stop();
    if (boss) {
      // No new work: workers stop fetching; then running handlers are aborted and recorded interrupted.
      for (const { job } of this.registry.all()) await boss.offWork(job.kind);
    }
    const deadline = this.clock.now() + timeoutMs;
    const forced = await interruptActive(this.active, timeoutMs, this.timers);
    if (forced > 0) this.logger.warn({ forced }, 'handlers ignored their abort signal at shutdown');
    await settleWithin([...this.inFlight], Math.max(0, deadline - this.clock.now()), this.timers);
    // pg-boss fails whatever is still active (so another process retries it) and closes its pool.
    if (boss) await boss.stop({ graceful: true, wait: true, timeout: Math.max(1000, timeoutMs) });
    this.state = 'stopped';
  }

  private async createQueue(boss: BossPort, job: JobDefinition): Promise<void> {
    const options = {
      retryLimit: job.retryLimit ?? DEFAULT_RETRY_LIMIT,
      expireInSeconds: job.expireInSeconds ?? DEFAULT_EXPIRE_SECONDS,
    };
    for (let attempt = 1; ; attempt += 1) {
      try {
        await boss.createQueue(job.kind, options);
        return;
      } catch (err) {
        if (!isDeadlock(err)) throw err;
        if (attempt >= CREATE_QUEUE_ATTEMPTS) {
          throw new SchedulerError(
            'scheduler_queue_create_failed',
            `creating the pg-boss queue "${job.kind}" deadlocked ${attempt} times with other processes`,
            { cause: err },
          );
        }
        this.logger.warn(
          { queue: job.kind, attempt },
          'creating a pg-boss queue deadlocked with another process; retrying',
        );
        // Jittered, so the processes that collided do not collide again in step.
        const ms = CREATE_QUEUE_RETRY_MS * attempt * (0.5 + this.random());
        await new Promise<void>((resolve) => this.timers.setTimeout(resolve, ms));
      }
    }
  }

  private startedBoss(): BossPort {
    if (!this.boss) throw new SchedulerError('scheduler_state', 'scheduler is not started');
    return this.boss;
  }

  private sendOptions(job: JobDefinition): {
    retryLimit: number;
    retryDelay: number;
    expireInSeconds: number;
  } {
    return {
      retryLimit: job.retryLimit ?? DEFAULT_RETRY_LIMIT,
      retryDelay: 0,
      expireInSeconds: job.expireInSeconds ?? DEFAULT_EXPIRE_SECONDS,
    };
  }

  private startDriver({ job, slots }: RegisteredJob): void {
    if (!slots) return;
    this.drivers.push(
      startSlotDriver(slots, this.clock, this.timers, (slot) => {
        const work = this.sendSlot(job, slot).catch((err: unknown) => {
          this.logger.error(
            { kind: job.kind, err: err instanceof Error ? err.message : String(err) },
            'slot not sent',
          );
        });
        this.inFlight.add(work);
        void work.finally(() => this.inFlight.delete(work));
      }),
    );
  }

  private async sendSlot(job: JobDefinition, slot: number): Promise<void> {
    const scheduledFor = new Date(slot);
    const payloads = await slotPayloads(job, scheduledFor, this.env.recorder);
    if (payloads === null) return;
    for (const payload of payloads) {
      if (this.state !== 'started') return;
      const id = slotJobId(job.kind, slot, payload);
      const data: QueuedData = { payload, scheduledFor: scheduledFor.toISOString(), trigger: 'schedule' };
      const startAfter = new Date(slot + jitterDelay(job.jitterMs, this.random));
      const sent = await this.startedBoss().send(job.kind, data, {
        id,
        startAfter,
        ...this.sendOptions(job),
      });
      // `null` is the expected answer in every process but the first to reach the database for this slot.
      this.logger.debug(
        { kind: job.kind, slot: scheduledFor.toISOString(), jobId: id, inserted: sent !== null },
        'slot sent',
      );
    }
  }

  private async onJobs(job: JobDefinition, batch: BossJob[]): Promise<void> {
    for (const queued of batch) {
      if (this.state === 'stopping' || this.state === 'stopped')
        throw new RunNotCompleted('not started: scheduler is stopping');
      if (!isQueuedData(queued.data)) {
        this.logger.error({ kind: job.kind, jobId: queued.id }, 'malformed job data; failing the job');
        throw new SchedulerError('scheduler_invalid_job', `job ${queued.id} has malformed data`);
      }
      // Our deadline fires just before pg-boss's own (same expireInSeconds), so the handler hears it first.
      const deadlineMs = Math.max(500, queued.expireInSeconds * 1000 - 500);
      const result = await executeRun(
        {
          job,
          payload: queued.data.payload,
          scheduledFor: new Date(queued.data.scheduledFor),
          attempt: queued.retryCount + 1,
          trigger: queued.data.trigger,
          jobId: queued.id,
          deadlineMs,
        },
        this.env,
      );
      if (result.failJob) throw new RunNotCompleted(result.status);
    }
  }
}
