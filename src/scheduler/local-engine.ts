import { randomUUID } from 'node:crypto';
import { jitterDelay } from './cron-slots.js';
import { SchedulerError } from './errors.js';
import { executeRun, recordSkipped, slotPayloads } from './execute-run.js';
import type { ActiveRun, ExecuteEnv } from './execute-run.js';
import { JobRegistry, defaultClock, defaultTimers, silentLogger } from './registry.js';
import type { RegisteredJob } from './registry.js';
import { interruptActive, settleWithin } from './shutdown.js';
import { startSlotDriver } from './slot-driver.js';
import type { SlotDriver } from './slot-driver.js';
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

type State = 'new' | 'started' | 'stopping' | 'stopped';

/** Overlap is judged per job kind and target: two integrations may sync at once, one integration not. */
function laneKey(kind: string, payload: JobPayload): string {
  return JSON.stringify([kind, payload.orgId ?? null, payload.integrationId ?? null]);
}

/**
 * SQLite mode: one process, slots from croner (UTC) on injected timers, jitter per job, and croner's
 * `protect` semantics (a slot whose previous run of the same lane is still going is skipped, and recorded
 * `skipped` with errorKind `overlap`). "Run now" waits behind a running lane instead of being dropped.
 */
export class LocalScheduler implements Scheduler {
  readonly engine = 'local' as const;
  private readonly registry = new JobRegistry();
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly logger: SchedulerLogger;
  private readonly env: ExecuteEnv;
  private readonly active = new Set<ActiveRun>();
  private readonly drivers: SlotDriver[] = [];
  private readonly pendingJitter = new Set<unknown>();
  /** Tail of each lane's chain of work; present while the lane is busy. */
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private state: State = 'new';

  constructor(deps: SchedulerDeps) {
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
    if (this.state !== 'new' && this.state !== 'started') {
      throw new SchedulerError('scheduler_state', 'cannot register jobs on a stopped scheduler');
    }
    this.registry.add(job);
    const registered = this.registry.get(job.kind);
    if (this.state === 'started') this.startDriver(registered);
  }

  start(): Promise<void> {
    if (this.state !== 'new')
      return Promise.reject(new SchedulerError('scheduler_state', `scheduler is ${this.state}`));
    this.state = 'started';
    for (const registered of this.registry.all()) this.startDriver(registered);
    return Promise.resolve();
  }

  runNow(kind: string, payload: JobPayload = {}): Promise<RunNowResult> {
    try {
      if (this.state !== 'started') {
        throw new SchedulerError('scheduler_state', `cannot queue work: scheduler is ${this.state}`);
      }
      const { job } = this.registry.get(kind);
      const jobId = randomUUID();
      this.enqueue(job, payload, this.clock.now(), 'run-now', jobId);
      return Promise.resolve({ jobId });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async stop(opts: StopOptions = {}): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    for (const driver of this.drivers) driver.stop();
    for (const handle of this.pendingJitter) this.timers.clearTimeout(handle);
    this.pendingJitter.clear();
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const deadline = this.clock.now() + timeoutMs;
    const forced = await interruptActive(this.active, timeoutMs, this.timers);
    if (forced > 0) this.logger.warn({ forced }, 'handlers ignored their abort signal at shutdown');
    // Queued "run now" jobs behind an interrupted one are recorded interrupted as soon as their lane frees;
    // a handler that ignores its signal must not hold stop() beyond the timeout.
    await settleWithin([...this.inFlight], Math.max(0, deadline - this.clock.now()), this.timers);
    this.state = 'stopped';
  }

  private startDriver({ job, slots }: RegisteredJob): void {
    if (!slots) return;
    this.drivers.push(startSlotDriver(slots, this.clock, this.timers, (slot) => this.onSlot(job, slot)));
  }

  private onSlot(job: JobDefinition, slot: number): void {
    const work = this.expandSlot(job, slot).catch((err: unknown) => {
      this.logger.error({ kind: job.kind, err }, 'scheduled slot could not be expanded');
    });
    this.track(work);
  }

  private async expandSlot(job: JobDefinition, slot: number): Promise<void> {
    const scheduledFor = new Date(slot);
    const payloads = await slotPayloads(job, scheduledFor, this.env.recorder);
    if (payloads === null) return;
    for (const payload of payloads) {
      const delay = jitterDelay(job.jitterMs, this.random);
      if (delay === 0) {
        // Node turns a 0 ms timeout into 1 ms; without jitter the run starts exactly at the slot.
        if (this.state === 'started') this.enqueue(job, payload, slot, 'schedule', undefined);
        continue;
      }
      const handle = this.timers.setTimeout(() => {
        this.pendingJitter.delete(handle);
        if (this.state !== 'started') return;
        this.enqueue(job, payload, slot, 'schedule', undefined);
      }, delay);
      this.pendingJitter.add(handle);
    }
  }

  private enqueue(
    job: JobDefinition,
    payload: JobPayload,
    scheduledForMs: number,
    trigger: 'schedule' | 'run-now',
    jobId: string | undefined,
  ): void {
    const key = laneKey(job.kind, payload);
    const scheduledFor = new Date(scheduledForMs);
    const request = {
      job,
      payload,
      scheduledFor,
      attempt: 1,
      trigger,
      ...(jobId === undefined ? {} : { jobId }),
      // Same deadline semantics as the pgboss engine, without the retry (one process: nobody to hand to).
      ...(job.expireInSeconds === undefined ? {} : { deadlineMs: job.expireInSeconds * 1000 }),
    };
    const busy = this.lanes.get(key);
    if (busy && trigger === 'schedule') {
      // croner's `protect`: never run a lane twice at once; the skipped slot still leaves a record.
      this.track(
        recordSkipped(
          this.env.recorder,
          request,
          'skipped',
          'overlap',
          'previous run still in progress',
        ).catch((err: unknown) =>
          this.logger.error({ kind: job.kind, err }, 'could not record skipped slot'),
        ),
      );
      return;
    }
    const run = async (): Promise<void> => {
      if (this.state !== 'started') {
        await recordSkipped(
          this.env.recorder,
          request,
          'interrupted',
          'shutdown',
          'scheduler stopped before the job started',
        );
        return;
      }
      await executeRun(request, this.env);
    };
    const tail = (busy ?? Promise.resolve())
      .then(run)
      .catch((err: unknown) => this.logger.error({ kind: job.kind, err }, 'run could not be recorded'))
      .finally(() => {
        if (this.lanes.get(key) === tail) this.lanes.delete(key);
      });
    this.lanes.set(key, tail);
    this.track(tail);
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}
