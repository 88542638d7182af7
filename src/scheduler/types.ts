/**
 * The scheduler's public types. One `Scheduler` interface, two engines (`local` for SQLite mode, `pgboss`
 * for PostgreSQL mode); see docs/scheduler.md for the guarantees each engine gives.
 */

/** What a job is about. Scheduled ticks may have no target; "Sync now" names the org and integration. */
export interface JobPayload {
  readonly orgId?: string;
  readonly integrationId?: string;
  /** Anything else the handler needs; must survive a JSON round trip (pg-boss stores it as jsonb). */
  readonly data?: Readonly<Record<string, unknown>>;
}

export type RunStatus = 'succeeded' | 'failed' | 'interrupted' | 'skipped';

export type RunCounts = Readonly<Record<string, number>>;

/** What a handler returns. Throwing is also allowed: it is recorded `failed` with the error's kind. */
export type RunOutcome =
  | { readonly status: 'succeeded'; readonly counts?: RunCounts }
  | { readonly status: 'skipped'; readonly reason: string; readonly counts?: RunCounts }
  | {
      readonly status: 'failed';
      readonly errorKind: string;
      readonly errorMessage?: string;
      readonly counts?: RunCounts;
    };

export interface JobContext {
  readonly runId: string;
  /** The nominal cron slot (before jitter), or the request time for run-now jobs. */
  readonly scheduledFor: Date;
  /** Aborted on shutdown and when the job's expiry passes; handlers pass it to every long operation. */
  readonly signal: AbortSignal;
  /** 1 for the first execution; higher when a job is retried after its process died or it expired. */
  readonly attempt: number;
  readonly payload: JobPayload;
  /** `schedule` for cron slots, `run-now` for on-demand jobs. */
  readonly trigger: 'schedule' | 'run-now';
}

export type JobHandler = (ctx: JobContext) => Promise<RunOutcome>;

export interface JobTarget {
  readonly orgId: string;
  readonly integrationId: string;
}

export interface JobDefinition {
  /** Stable name, e.g. `identity-sync`; also the pg-boss queue name. Letters, digits, `-`, `_`, `.`. */
  readonly kind: string;
  /** Five-field (or six-field, with seconds) cron pattern evaluated in UTC. Omit for run-now-only jobs. */
  readonly schedule?: string;
  /** Each slot starts after a uniformly random delay in [0, jitterMs] to spread load. */
  readonly jitterMs?: number;
  /**
   * Fan-out: when given, each slot becomes one job per target (so the back-off gate and the run record are
   * per credential, as the specification's "Auth failure backoff" requires). Without it a slot is one job with
   * `payload` (default `{}`).
   */
  readonly targets?: (scheduledFor: Date) => Promise<readonly JobTarget[]>;
  readonly payload?: JobPayload;
  /**
   * The handler's deadline: its signal aborts then and the run is recorded `interrupted` (errorKind
   * `expired`). pgboss engine: also how long a job may stay active before pg-boss fails it over to another
   * process, so it bounds how late a job whose process died is retried; keep it near the job's real worst
   * case. Default: none in the local engine; 900 (pg-boss's default, 15 minutes) in the pgboss engine.
   */
  readonly expireInSeconds?: number;
  /** pgboss engine: how many times a job is retried after its process died or it expired. Default 2. */
  readonly retryLimit?: number;
  /** Also retry when the handler throws (default false: failures wait for the next slot, as the specification says). */
  readonly retryOnError?: boolean;
  readonly handler: JobHandler;
}

/** What the back-off gate is asked about, before a run starts. */
export interface GateQuery {
  readonly kind: string;
  readonly payload: JobPayload;
  readonly scheduledFor: Date;
  readonly trigger: 'schedule' | 'run-now';
}

export interface GateDecision {
  readonly skip: boolean;
  readonly reason?: string;
  readonly until?: Date;
}

/** E.g. "credential auth_failed until T" (seed: skip for 24 hours). Consulted before every run. */
export type BackoffGate = (query: GateQuery) => GateDecision | Promise<GateDecision>;

export interface RunStart {
  readonly kind: string;
  readonly orgId?: string;
  readonly integrationId?: string;
  readonly scheduledFor: Date;
  readonly attempt: number;
  /** The queue job this run executes (pgboss engine), so a retry can close the run its dead process left. */
  readonly jobId?: string;
}

export interface RunFinish {
  readonly status: RunStatus;
  readonly counts?: RunCounts;
  readonly errorKind?: string;
  readonly errorMessage?: string;
}

/** Narrow port onto the job_runs table (the storage issue's repository is adapted to it). */
export interface RunRecorder {
  start(run: RunStart): Promise<string>;
  finish(runId: string, result: RunFinish): Promise<void>;
  /**
   * Optional: called before attempt > 1 of a job starts; closes runs of that job that are still open
   * because their process died (recorded `interrupted`, errorKind `process_lost`).
   */
  closeAbandoned?(jobId: string): Promise<void>;
}

export interface Clock {
  now(): number;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** pino-compatible subset (object first, message second). */
export interface SchedulerLogger {
  debug(fields: object, msg?: string): void;
  info(fields: object, msg?: string): void;
  warn(fields: object, msg?: string): void;
  error(fields: object, msg?: string): void;
}

export interface SchedulerDeps {
  readonly recorder: RunRecorder;
  readonly clock?: Clock;
  readonly timers?: Timers;
  /** Returns a number in [0, 1); used for jitter. */
  readonly random?: () => number;
  readonly logger?: SchedulerLogger;
  readonly backoffGate?: BackoffGate;
}

export interface PgBossEngineOptions {
  readonly engine: 'pgboss';
  readonly connectionString: string;
  /** PostgreSQL schema pg-boss keeps its tables in. Default `pgboss`. */
  readonly schema?: string;
  /** How often idle workers poll for jobs (pg-boss minimum 0.5). Default 2. */
  readonly pollingIntervalSeconds?: number;
  /** How often expired jobs are failed over (pg-boss maintenance). Default 60. */
  readonly maintenanceIntervalSeconds?: number;
  /** Jobs per kind this process runs at once. Default 1. */
  readonly concurrency?: number;
}

export type EngineOptions = { readonly engine: 'local' } | PgBossEngineOptions;

export interface StopOptions {
  /** How long running handlers get to settle after their signal is aborted. Default 10000. */
  readonly timeoutMs?: number;
}

export interface RunNowResult {
  readonly jobId: string;
}

export interface Scheduler {
  readonly engine: 'local' | 'pgboss';
  register(job: JobDefinition): void;
  start(): Promise<void>;
  /** Queues exactly one job of `kind` (e.g. "Sync now" queues one identity sync for one integration). */
  runNow(kind: string, payload?: JobPayload): Promise<RunNowResult>;
  stop(opts?: StopOptions): Promise<void>;
}
