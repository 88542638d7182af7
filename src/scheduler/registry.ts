import { cronSlots } from './cron-slots.js';
import type { CronSlots } from './cron-slots.js';
import { SchedulerError } from './errors.js';
import type { Clock, JobDefinition, SchedulerLogger, Timers } from './types.js';

// pg-boss queue names allow letters, digits, `-`, `_`, `.` and `/`; we keep to the first four.
const KIND = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface RegisteredJob {
  readonly job: JobDefinition;
  readonly slots: CronSlots | undefined;
}

/** The jobs a scheduler knows, validated on register (every problem reported at once). */
export class JobRegistry {
  private readonly jobs = new Map<string, RegisteredJob>();

  add(job: JobDefinition): void {
    const problems: string[] = [];
    if (!KIND.test(job.kind)) problems.push(`kind "${job.kind}" must match ${KIND.source}`);
    if (this.jobs.has(job.kind)) {
      throw new SchedulerError('scheduler_duplicate_kind', `job kind "${job.kind}" is already registered`);
    }
    if (job.jitterMs !== undefined && !(Number.isInteger(job.jitterMs) && job.jitterMs >= 0)) {
      problems.push('jitterMs must be a non-negative integer');
    }
    if (
      job.expireInSeconds !== undefined &&
      !(Number.isInteger(job.expireInSeconds) && job.expireInSeconds >= 1)
    ) {
      problems.push('expireInSeconds must be an integer ≥ 1');
    }
    if (job.retryLimit !== undefined && !(Number.isInteger(job.retryLimit) && job.retryLimit >= 0)) {
      problems.push('retryLimit must be a non-negative integer');
    }
    let slots: CronSlots | undefined;
    if (job.schedule !== undefined) {
      try {
        slots = cronSlots(job.schedule);
      } catch (err) {
        problems.push(err instanceof Error ? err.message : String(err));
      }
    }
    if (problems.length > 0) {
      throw new SchedulerError('scheduler_invalid_job', `job "${job.kind}": ${problems.join('; ')}`);
    }
    this.jobs.set(job.kind, { job, slots });
  }

  get(kind: string): RegisteredJob {
    const found = this.jobs.get(kind);
    if (!found) throw new SchedulerError('scheduler_unknown_kind', `no job of kind "${kind}" is registered`);
    return found;
  }

  all(): RegisteredJob[] {
    return [...this.jobs.values()];
  }
}

export const defaultClock: Clock = { now: () => Date.now() };

// Calls through the globals at call time (not captured at import), so vitest's fake timers apply.
export const defaultTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const noop = (): void => undefined;
export const silentLogger: SchedulerLogger = { debug: noop, info: noop, warn: noop, error: noop };
