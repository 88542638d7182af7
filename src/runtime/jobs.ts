import type { Config } from '../config/index.js';
import { runOutcome, type EvidenceJobKind, type EvidenceJobs } from '../services/index.js';
import type { JobTarget, RunOutcome, Scheduler } from '../scheduler/index.js';
import type { EvidenceRunResult } from '../evidence/index.js';
import type { Store } from '../store/index.js';

export { storeRunRecorder } from '../services/index.js';

/** Every (organization, Admin integration) pair: the scheduler fans each slot out per credential. */
export async function adminTargets(store: Store, orgId?: string): Promise<JobTarget[]> {
  const out: JobTarget[] = [];
  for (const org of await store.organizations.list()) {
    if (orgId !== undefined && org.id !== orgId) continue;
    for (const i of await store.integrations.list(org.id))
      if (i.kind === 'admin') out.push({ orgId: org.id, integrationId: i.id });
  }
  return out;
}

/** The evidence jobs, each under the one spelling its run records and the API show. */
const EVIDENCE_JOBS: ReadonlyArray<{ kind: EvidenceJobKind; cron: (c: Config) => string }> = [
  { kind: 'identity_sync', cron: (c) => c.schedules.identity },
  { kind: 'auth_log_poll', cron: (c) => c.schedules.authLog },
];

/**
 * The compliance specification's schedules: identity sync at `0 *\/4 * * *` and the auth-log poll at `30 * * * *`
 * (UTC, configurable), each slot one job per Admin integration. "Sync now" queues an identity sync only.
 */
export function registerEvidenceJobs(
  scheduler: Scheduler,
  deps: { store: Store; jobs: EvidenceJobs; config: Config },
): void {
  for (const k of EVIDENCE_JOBS) {
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
        const result = await deps.jobs.runEvidenceForIntegration(k.kind, orgId, integrationId, {
          signal: ctx.signal,
          manual: ctx.trigger === 'run-now',
        });
        return schedulerOutcome(result);
      },
    });
  }
}

/**
 * "Sync now" on the scheduler: one identity-sync job per Admin integration of the organization, each
 * recorded once by the scheduler's recorder. Returns the first job's id, or null when there is none.
 */
export async function queueIdentitySync(
  scheduler: Scheduler,
  store: Store,
  orgId: string,
): Promise<string | null> {
  let first: string | null = null;
  for (const t of await adminTargets(store, orgId)) {
    const { jobId } = await scheduler.runNow('identity_sync', t);
    first ??= jobId;
  }
  return first;
}

function schedulerOutcome(result: EvidenceRunResult): RunOutcome {
  const o = runOutcome(result);
  if (o.status === 'succeeded') return o;
  if (o.status === 'skipped') return { status: 'skipped', reason: o.errorMessage, counts: o.counts };
  return { status: 'failed', errorKind: o.errorKind, errorMessage: o.errorMessage, counts: o.counts };
}
