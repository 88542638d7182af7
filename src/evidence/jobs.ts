import type { SignalId } from '../shared/index.js';
import type { Config } from '../config/index.js';
import type { JobDefinition, JobTarget, RunFinish, RunOutcome, Scheduler } from '../scheduler/index.js';
import type { Store } from '../store/index.js';
import type { EvidenceRunResult } from './run-result.js';

/** The evidence jobs' one spelling: the scheduler's queue name, the run record and the API. */
export type EvidenceJobKind = 'identity_sync' | 'auth_log_poll';

export interface EvidenceJobOptions {
  signal?: AbortSignal;
  /** A person asked (CLI, "Sync now"): the back-off is not applied. */
  manual?: boolean;
  only?: SignalId;
}

/** The run bodies the services offer (src/services builds them over the store and Duo clients). */
export interface EvidenceJobRunner {
  /** The scheduled job's body: one integration, no run record (the scheduler records it). */
  runEvidenceForIntegration(
    kind: EvidenceJobKind,
    orgId: string,
    integrationId: string,
    opts: EvidenceJobOptions,
  ): Promise<EvidenceRunResult>;
}

/** How an evidence run is recorded: its status, counts and the error kind a person can act on. */
export function runOutcome(result: EvidenceRunResult):
  | { status: 'succeeded'; counts: Record<string, number> }
  | {
      status: 'failed' | 'skipped';
      counts: Record<string, number>;
      errorKind: string;
      errorMessage: string;
    } {
  const counts = { signals: result.signals.length, extended: result.extended.length };
  if (result.outcome === 'skipped')
    return {
      status: 'skipped',
      counts,
      errorKind: 'backoff',
      errorMessage: 'credential is backed off after an authentication failure',
    };
  if (result.outcome === 'failed')
    return {
      status: 'failed',
      counts,
      errorKind: result.error?.kind ?? result.error?.class ?? 'error',
      errorMessage: result.error?.message ?? 'the run failed',
    };
  return { status: 'succeeded', counts };
}

/** A run's outcome as the scheduler's recorder stores it (the scheduler and "sync now" alike). */
export function runFinish(result: EvidenceRunResult): RunFinish {
  const o = runOutcome(result);
  if (o.status === 'succeeded') return { status: 'succeeded', counts: o.counts };
  return { status: o.status, counts: o.counts, errorKind: o.errorKind, errorMessage: o.errorMessage };
}

function schedulerOutcome(result: EvidenceRunResult): RunOutcome {
  const o = runOutcome(result);
  if (o.status === 'succeeded') return o;
  if (o.status === 'skipped') return { status: 'skipped', reason: o.errorMessage, counts: o.counts };
  return { status: 'failed', errorKind: o.errorKind, errorMessage: o.errorMessage, counts: o.counts };
}

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

const SCHEDULES: ReadonlyArray<{ kind: EvidenceJobKind; cron: (c: Config) => string }> = [
  { kind: 'identity_sync', cron: (c) => c.schedules.identity },
  { kind: 'auth_log_poll', cron: (c) => c.schedules.authLog },
];

/**
 * The compliance specification's schedules: identity sync at `0 *\/4 * * *` and the auth-log poll at `30 * * * *`
 * (UTC, configurable), each slot one job per Admin integration. "Sync now" queues an identity sync only.
 */
export function evidenceJobs(deps: {
  store: Store;
  jobs: EvidenceJobRunner;
  config: Config;
}): JobDefinition[] {
  return SCHEDULES.map((k) => ({
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
  }));
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

/** A first run of both jobs for every Admin integration, so the dashboard has evidence within seconds. */
export async function runFirstCollection(scheduler: Scheduler, store: Store): Promise<void> {
  for (const t of await adminTargets(store)) {
    await scheduler.runNow('identity_sync', t);
    await scheduler.runNow('auth_log_poll', t);
  }
}
