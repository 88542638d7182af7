import type { Selectable } from 'kysely';
import type { JobRun, JobStatus } from '../models.js';
import type { JobRunsTable } from '../tables.js';
import type { RepositoryContext } from './context.js';

export interface NewJobRun {
  integrationId?: string | null;
  kind: string;
  status?: JobStatus;
  scheduledFor?: Date | null;
  attempt?: number;
  /** The run's own id (default: a new UUIDv7). */
  id?: string;
  /** The queue job this run executes (pg-boss job id), so a retry can find the run a dead process left open. */
  jobId?: string | null;
}

export interface JobRunFinish {
  status: Extract<JobStatus, 'succeeded' | 'failed' | 'interrupted' | 'skipped'>;
  finishedAt?: Date;
  counts?: Record<string, number> | null;
  errorKind?: string | null;
  errorMessage?: string | null;
}

export interface JobRunQuery {
  kind?: string;
  status?: JobStatus;
  integrationId?: string;
  limit?: number;
  /** Only runs created strictly before this time (paging backwards). */
  before?: Date;
}

export interface JobRunRepository {
  create(orgId: string, input: NewJobRun): Promise<JobRun>;
  start(orgId: string, runId: string, at?: Date): Promise<JobRun | undefined>;
  finish(orgId: string, runId: string, result: JobRunFinish): Promise<JobRun | undefined>;
  get(orgId: string, runId: string): Promise<JobRun | undefined>;
  /** Newest first. */
  list(orgId: string, query?: JobRunQuery): Promise<JobRun[]>;
  /**
   * Marks the still-open (queued/running) runs of queue job `jobId` as `interrupted` with error kind
   * `process_lost` (their process died; the queue is retrying the job). System-level: queue job ids are
   * global, so this is the one method not scoped by organization. Returns how many runs it closed.
   */
  closeAbandoned(jobId: string, at?: Date): Promise<number>;
}

export function jobRunRepository(ctx: RepositoryContext): JobRunRepository {
  const { db, codec } = ctx;
  const map = (row: Selectable<JobRunsTable>): JobRun => ({
    id: row.id,
    orgId: row.org_id,
    integrationId: row.integration_id,
    kind: row.kind,
    status: row.status as JobStatus,
    scheduledFor: codec.parseTimeOrNull(row.scheduled_for),
    startedAt: codec.parseTimeOrNull(row.started_at),
    finishedAt: codec.parseTimeOrNull(row.finished_at),
    durationMs: row.duration_ms === null ? null : codec.parseInt(row.duration_ms),
    counts: (codec.parseJson(row.counts) as Record<string, number> | null) ?? null,
    errorKind: row.error_kind,
    errorMessage: row.error_message,
    attempt: codec.parseInt(row.attempt),
    createdAt: codec.parseTime(row.created_at),
    jobId: row.job_id,
  });
  const get = async (orgId: string, runId: string) => {
    const row = await db
      .selectFrom('job_runs')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', runId)
      .executeTakeFirst();
    return row === undefined ? undefined : map(row);
  };
  return {
    async create(orgId, input) {
      const values = {
        id: input.id ?? ctx.newId(),
        org_id: orgId,
        integration_id: input.integrationId ?? null,
        kind: input.kind,
        status: input.status ?? 'queued',
        scheduled_for: input.scheduledFor ? codec.time(input.scheduledFor) : null,
        started_at: null,
        finished_at: null,
        duration_ms: null,
        counts: codec.json(null),
        error_kind: null,
        error_message: null,
        attempt: input.attempt ?? 1,
        created_at: codec.time(ctx.clock()),
        job_id: input.jobId ?? null,
      };
      await db.insertInto('job_runs').values(values).execute();
      return map({ ...values, counts: null });
    },
    async start(orgId, runId, at = ctx.clock()) {
      await db
        .updateTable('job_runs')
        .set({ status: 'running', started_at: codec.time(at) })
        .where('org_id', '=', orgId)
        .where('id', '=', runId)
        .execute();
      return get(orgId, runId);
    },
    async finish(orgId, runId, result) {
      const current = await get(orgId, runId);
      if (current === undefined) return undefined;
      const finishedAt = result.finishedAt ?? ctx.clock();
      const duration =
        current.startedAt === null ? null : Math.max(0, finishedAt.getTime() - current.startedAt.getTime());
      await db
        .updateTable('job_runs')
        .set({
          status: result.status,
          finished_at: codec.time(finishedAt),
          duration_ms: duration,
          counts: codec.json(result.counts ?? null),
          error_kind: result.errorKind ?? null,
          error_message: result.errorMessage?.slice(0, 2000) ?? null,
        })
        .where('org_id', '=', orgId)
        .where('id', '=', runId)
        .execute();
      return get(orgId, runId);
    },
    get,
    async closeAbandoned(jobId, at = ctx.clock()) {
      const result = await db
        .updateTable('job_runs')
        .set({
          status: 'interrupted',
          finished_at: codec.time(at),
          error_kind: 'process_lost',
          error_message: 'the process running this job stopped before it finished',
        })
        .where('job_id', '=', jobId)
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async list(orgId, query = {}) {
      let q = db.selectFrom('job_runs').selectAll().where('org_id', '=', orgId);
      if (query.kind !== undefined) q = q.where('kind', '=', query.kind);
      if (query.status !== undefined) q = q.where('status', '=', query.status);
      if (query.integrationId !== undefined) q = q.where('integration_id', '=', query.integrationId);
      if (query.before !== undefined) q = q.where('created_at', '<', codec.time(query.before));
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.min(query.limit ?? 100, 1000))
        .execute();
      return rows.map(map);
    },
  };
}
