// The scheduler capability's door (docs/conventions.md §1): cron schedules in UTC, run records for every execution,
// "run now", back-off gate, graceful shutdown; `local` engine for SQLite mode, `pgboss` for PostgreSQL mode.
import type { BossPort } from './boss-port.js';
import { SchedulerError } from './errors.js';
import { LocalScheduler } from './local-engine.js';
import { PgBossScheduler } from './pgboss-engine.js';
import type { EngineOptions, Scheduler, SchedulerDeps } from './types.js';

export type {
  BackoffGate,
  Clock,
  EngineOptions,
  GateDecision,
  GateQuery,
  JobContext,
  JobDefinition,
  JobHandler,
  JobPayload,
  JobTarget,
  PgBossEngineOptions,
  RunCounts,
  RunFinish,
  RunNowResult,
  RunOutcome,
  RunRecorder,
  RunStart,
  RunStatus,
  Scheduler,
  SchedulerDeps,
  SchedulerLogger,
  StopOptions,
  Timers,
} from './types.js';
export type { BossPort, BossJob, BossSendOptions } from './boss-port.js';
export { SchedulerError } from './errors.js';
export type { SchedulerErrorCode } from './errors.js';
export { slotJobId } from './slot-job-id.js';

export interface CreateSchedulerOverrides {
  /** pgboss engine: use this port instead of a real pg-boss (tests, or a pg-boss shared with other code). */
  readonly boss?: BossPort;
}

/**
 * Builds a scheduler. `local` (SQLite mode) is one process; `pgboss` (PostgreSQL mode) lets any number of
 * duowatch processes share the schedules. pg-boss is loaded (lazily, in start()) only for the pgboss engine.
 */
export function createScheduler(
  options: EngineOptions,
  deps: SchedulerDeps,
  overrides: CreateSchedulerOverrides = {},
): Scheduler {
  if (options.engine === 'local') return new LocalScheduler(deps);
  const problems: string[] = [];
  if (!options.connectionString) problems.push('connectionString is required');
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,49}$/.test(options.schema)) {
    problems.push('schema must be a lower-case PostgreSQL identifier');
  }
  if (options.pollingIntervalSeconds !== undefined && !(options.pollingIntervalSeconds >= 0.5)) {
    problems.push('pollingIntervalSeconds must be at least 0.5 (pg-boss minimum)');
  }
  if (
    options.maintenanceIntervalSeconds !== undefined &&
    !(Number.isInteger(options.maintenanceIntervalSeconds) && options.maintenanceIntervalSeconds >= 1)
  ) {
    problems.push('maintenanceIntervalSeconds must be an integer ≥ 1');
  }
  if (
    options.concurrency !== undefined &&
    !(Number.isInteger(options.concurrency) && options.concurrency >= 1)
  ) {
    problems.push('concurrency must be an integer ≥ 1');
  }
  if (problems.length > 0)
    throw new SchedulerError('scheduler_invalid_options', `pgboss engine: ${problems.join('; ')}`);
  const { boss } = overrides;
  const bossFactory = boss
    ? () => Promise.resolve(boss)
    : async () =>
        (await import('./pg-boss-adapter.js')).createPgBoss({
          connectionString: options.connectionString,
          schema: options.schema ?? 'pgboss',
          maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
        });
  return new PgBossScheduler(bossFactory, deps, {
    pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
    concurrency: options.concurrency ?? 1,
  });
}
