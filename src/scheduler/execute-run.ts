import { DuowatchError, stripControl } from '../shared/index.js';
import type {
  BackoffGate,
  JobDefinition,
  JobPayload,
  RunFinish,
  RunRecorder,
  RunStatus,
  SchedulerLogger,
  Timers,
} from './types.js';

/** Why a run's signal was aborted; `reason` of the AbortSignal is one of these. */
export class RunAbort extends Error {
  constructor(readonly why: 'shutdown' | 'expired') {
    super(why === 'shutdown' ? 'scheduler is shutting down' : 'job exceeded its expiry');
    this.name = 'RunAbort';
  }
}

/** A run in flight: stop() aborts it, waits for it, and closes its record if the handler never settles. */
export interface ActiveRun {
  readonly controller: AbortController;
  readonly settled: Promise<void>;
  /** Records the final status once; later calls are ignored and return false. */
  finishOnce(result: RunFinish): Promise<boolean>;
}

export interface ExecuteRequest {
  readonly job: JobDefinition;
  readonly payload: JobPayload;
  readonly scheduledFor: Date;
  readonly attempt: number;
  readonly trigger: 'schedule' | 'run-now';
  readonly jobId?: string;
  /** Abort the handler after this many ms (pgboss: the job's expireInSeconds). */
  readonly deadlineMs?: number;
}

export interface ExecuteEnv {
  readonly recorder: RunRecorder;
  readonly backoffGate: BackoffGate | undefined;
  readonly logger: SchedulerLogger;
  readonly timers: Timers;
  readonly active: Set<ActiveRun>;
}

export interface ExecuteResult {
  readonly status: RunStatus;
  /** The queue should treat the job as failed (pg-boss then retries it if its retry limit allows). */
  readonly failJob: boolean;
}

const MAX_MESSAGE = 500;

/** A stable error kind for the run record: our own codes, Node's `code` (ECONNREFUSED…), else `exception`. */
export function errorKindOf(err: unknown): string {
  if (err instanceof DuowatchError) return err.code;
  if (err instanceof RunAbort) return err.why;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0 && code.length < 64) return code;
    if (err.name === 'AbortError') return 'aborted';
  }
  return 'exception';
}

function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return stripControl(text).slice(0, MAX_MESSAGE);
}

function target(payload: JobPayload): { orgId?: string; integrationId?: string } {
  return {
    ...(payload.orgId === undefined ? {} : { orgId: payload.orgId }),
    ...(payload.integrationId === undefined ? {} : { integrationId: payload.integrationId }),
  };
}

/** Records a run that never reached its handler (back-off, overlap, shutdown before start). */
export async function recordSkipped(
  recorder: RunRecorder,
  req: Omit<ExecuteRequest, 'deadlineMs'>,
  status: 'skipped' | 'interrupted' | 'failed',
  errorKind: string,
  errorMessage: string,
): Promise<void> {
  const runId = await recorder.start({
    kind: req.job.kind,
    ...target(req.payload),
    scheduledFor: req.scheduledFor,
    attempt: req.attempt,
    ...(req.jobId === undefined ? {} : { jobId: req.jobId }),
  });
  await recorder.finish(runId, {
    status,
    errorKind,
    errorMessage: stripControl(errorMessage).slice(0, MAX_MESSAGE),
  });
}

/**
 * One execution, shared by both engines: back-off gate → run record → handler with an AbortSignal →
 * final record. Never throws for a handler failure; the result says whether the queue should fail the job.
 */
export async function executeRun(req: ExecuteRequest, env: ExecuteEnv): Promise<ExecuteResult> {
  const { job, payload, scheduledFor, attempt, trigger } = req;

  // A retry after a process death: close the run the dead process left open, whatever happens next.
  if (attempt > 1 && req.jobId !== undefined && env.recorder.closeAbandoned) {
    await env.recorder.closeAbandoned(req.jobId);
  }

  if (env.backoffGate) {
    let decision;
    try {
      decision = await env.backoffGate({ kind: job.kind, payload, scheduledFor, trigger });
    } catch (err) {
      await recordSkipped(env.recorder, req, 'failed', 'backoff_gate_error', messageOf(err));
      return { status: 'failed', failJob: false };
    }
    if (decision.skip) {
      const until = decision.until ? ` until ${decision.until.toISOString()}` : '';
      await recordSkipped(
        env.recorder,
        req,
        'skipped',
        'backoff',
        `${decision.reason ?? 'back-off'}${until}`,
      );
      return { status: 'skipped', failJob: false };
    }
  }

  const runId = await env.recorder.start({
    kind: job.kind,
    ...target(payload),
    scheduledFor,
    attempt,
    ...(req.jobId === undefined ? {} : { jobId: req.jobId }),
  });

  const controller = new AbortController();
  let finished = false;
  let resolveSettled!: () => void;
  const run: ActiveRun = {
    controller,
    settled: new Promise<void>((resolve) => (resolveSettled = resolve)),
    async finishOnce(result) {
      if (finished) return false;
      finished = true;
      await env.recorder.finish(runId, result);
      return true;
    },
  };
  env.active.add(run);
  const deadline =
    req.deadlineMs === undefined
      ? undefined
      : env.timers.setTimeout(() => controller.abort(new RunAbort('expired')), req.deadlineMs);

  let result: RunFinish;
  let failJob = false;
  try {
    const outcome = await job.handler({
      runId,
      scheduledFor,
      signal: controller.signal,
      attempt,
      payload,
      trigger,
    });
    if (outcome.status === 'succeeded') {
      result = { status: 'succeeded', ...(outcome.counts ? { counts: outcome.counts } : {}) };
    } else if (outcome.status === 'skipped') {
      result = {
        status: 'skipped',
        errorKind: 'handler',
        errorMessage: outcome.reason,
        ...(outcome.counts ? { counts: outcome.counts } : {}),
      };
    } else {
      result = {
        status: 'failed',
        errorKind: outcome.errorKind,
        ...(outcome.errorMessage === undefined ? {} : { errorMessage: outcome.errorMessage }),
        ...(outcome.counts ? { counts: outcome.counts } : {}),
      };
    }
  } catch (err) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason instanceof RunAbort) {
      // Interrupted runs go back to the queue: another process (or this one after a restart) retries them.
      result = { status: 'interrupted', errorKind: reason.why, errorMessage: reason.message };
      failJob = true;
    } else {
      result = { status: 'failed', errorKind: errorKindOf(err), errorMessage: messageOf(err) };
      failJob = job.retryOnError === true;
    }
  } finally {
    if (deadline !== undefined) env.timers.clearTimeout(deadline);
  }

  try {
    const recorded = await run.finishOnce(result);
    if (!recorded) result = { status: 'interrupted' };
  } finally {
    env.active.delete(run);
    resolveSettled();
  }
  env.logger.debug({ kind: job.kind, runId, status: result.status, attempt }, 'run finished');
  return { status: result.status, failJob: failJob || result.status === 'interrupted' };
}

/**
 * The payloads of one cron slot: one per target when the job fans out, else the job's own payload. When the
 * targets cannot be listed the slot is recorded as failed (`targets_failed`) and null is returned.
 */
export async function slotPayloads(
  job: JobDefinition,
  scheduledFor: Date,
  recorder: RunRecorder,
): Promise<JobPayload[] | null> {
  try {
    return job.targets
      ? (await job.targets(scheduledFor)).map((t) => ({ ...job.payload, ...t }))
      : [job.payload ?? {}];
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const base = { job, payload: job.payload ?? {}, scheduledFor, attempt: 1, trigger: 'schedule' as const };
    await recordSkipped(recorder, base, 'failed', 'targets_failed', message);
    return null;
  }
}
