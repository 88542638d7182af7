import type { JobRun } from '../store/index.js';
import type { DuowatchServices, RunView } from './contract.js';
import { explainRun } from './run-explanations.js';
import type { ServiceContext } from './service-context.js';

/** Run records as the API and the CLI show them, newest first, with what a person can do about a failure. */
export function createRunsService(ctx: ServiceContext): DuowatchServices['runs'] {
  const { store, org } = ctx;

  function runView(r: JobRun): RunView {
    return {
      id: r.id,
      orgId: r.orgId,
      integrationId: r.integrationId,
      kind: r.kind,
      status: r.status,
      scheduledFor: r.scheduledFor?.toISOString() ?? null,
      startedAt: r.startedAt?.toISOString() ?? null,
      finishedAt: r.finishedAt?.toISOString() ?? null,
      durationMs: r.durationMs,
      counts: r.counts ?? {},
      errorKind: r.errorKind,
      errorMessage: r.errorMessage,
      explanation: explainRun(r.status, r.errorKind),
    };
  }

  return {
    async list(orgId, opts) {
      const o = await org(orgId);
      return (await store.jobRuns.list(o.id, { limit: opts.limit ?? 50 })).map(runView);
    },
  };
}
