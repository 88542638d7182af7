import type { Config } from '../config/index.js';
import { runOutcome, type EvidenceJobKind, type EvidenceJobs } from '../services/index.js';
import type { JobTarget, RunOutcome, RunRecorder, Scheduler } from '../scheduler/index.js';
import type { EvidenceRunResult } from '../evidence/index.js';
import type { Store } from '../store/index.js';

/** The scheduler's run records, kept in the store's job_runs table. */
export function storeRunRecorder(store: Store): RunRecorder {
  // job_runs rows are scoped by organization; the scheduler only hands back the run id.
  const orgOf = new Map<string, string>();
  return {
    async start(run) {
      if (run.orgId === undefined)
        throw new Error(`job ${run.kind} has no organization to record its run under`);
      const created = await store.jobRuns.create(run.orgId, {
        integrationId: run.integrationId ?? null,
        kind: run.kind.replace(/-/g, '_'),
        scheduledFor: run.scheduledFor,
        attempt: run.attempt,
        ...(run.jobId === undefined ? {} : { jobId: run.jobId }),
      });
      await store.jobRuns.start(run.orgId, created.id);
      orgOf.set(created.id, run.orgId);
      return created.id;
    },
    async finish(runId, result) {
      const orgId = orgOf.get(runId);
      orgOf.delete(runId);
      if (orgId === undefined) return;
      await store.jobRuns.finish(orgId, runId, {
        status: result.status,
        counts: result.counts ?? null,
        errorKind: result.errorKind ?? null,
        errorMessage: result.errorMessage ?? null,
      });
    },
    // pg-boss retried a job whose process died: close the run that process left open.
    async closeAbandoned(jobId) {
      await store.jobRuns.closeAbandoned(jobId);
    },
  };
}

/** Every (organization, Admin integration) pair: the scheduler fans each slot out per credential. */
export async function adminTargets(store: Store): Promise<JobTarget[]> {
  const out: JobTarget[] = [];
  for (const org of await store.organizations.list())
    for (const i of await store.integrations.list(org.id))
      if (i.kind === 'admin') out.push({ orgId: org.id, integrationId: i.id });
  return out;
}

const KINDS: ReadonlyArray<{ kind: string; job: EvidenceJobKind; cron: (c: Config) => string }> = [
  { kind: 'identity-sync', job: 'identity_sync', cron: (c) => c.schedules.identity },
  { kind: 'auth-log-poll', job: 'auth_log_poll', cron: (c) => c.schedules.authLog },
];

/**
 * The compliance specification's schedules: identity sync at `0 *\/4 * * *` and the auth-log poll at `30 * * * *`
 * (UTC, configurable), each slot one job per Admin integration. "Sync now" queues an identity sync only.
 */
export function registerEvidenceJobs(
  scheduler: Scheduler,
  deps: { store: Store; jobs: EvidenceJobs; config: Config },
): void {
  for (const k of KINDS) {
    scheduler.register({
      kind: k.kind,
      schedule: k.cron(deps.config),
      jitterMs: deps.config.schedules.jitterSeconds * 1000,
      targets: () => adminTargets(deps.store),
      // A poll drains at most 25 pages; a sync at most 100 pages per listing, within Duo's budget.
      expireInSeconds: 1800,
      handler: async (ctx): Promise<RunOutcome> => {
        const { orgId, integrationId } = ctx.payload;
        if (orgId === undefined || integrationId === undefined)
          return { status: 'skipped', reason: 'no organization and integration named' };
        const result = await deps.jobs.runEvidenceForIntegration(k.job, orgId, integrationId, {
          signal: ctx.signal,
          manual: ctx.trigger === 'run-now',
        });
        return schedulerOutcome(result);
      },
    });
  }
}

function schedulerOutcome(result: EvidenceRunResult): RunOutcome {
  const o = runOutcome(result);
  if (o.status === 'succeeded') return o;
  if (o.status === 'skipped') return { status: 'skipped', reason: o.errorMessage, counts: o.counts };
  return { status: 'failed', errorKind: o.errorKind, errorMessage: o.errorMessage, counts: o.counts };
}
