import type { RunRecorder } from '../scheduler/index.js';
import type { Store } from '../store/index.js';

/**
 * The one way a run is recorded in the store's job_runs table: the scheduler records every scheduled and
 * "Sync now" run through it, and a run a person starts from the CLI or API (`evidence sync`) goes through
 * the same two calls. Job kinds are stored exactly as registered (one spelling: `identity_sync`).
 */
export function storeRunRecorder(store: Store): RunRecorder {
  // job_runs rows are scoped by organization; the scheduler only hands back the run id.
  const orgOf = new Map<string, string>();
  return {
    async start(run) {
      if (run.orgId === undefined)
        throw new Error(`job ${run.kind} has no organization to record its run under`);
      const created = await store.jobRuns.create(run.orgId, {
        integrationId: run.integrationId ?? null,
        kind: run.kind,
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
