import {
  evidenceHistory,
  exportEvidence,
  isAuthLogSignal,
  latestEvidence,
  type EvidenceStore,
  type ExportSection,
  type ExportSectionProvider,
} from '../evidence/index.js';
import { CORE_SIGNAL_IDS, EXTENDED_SIGNAL_IDS, type SignalId } from '../shared/index.js';
import type { DuowatchServices, EvidenceView, SignalView } from './contract.js';
import { ServiceError } from './errors.js';
import type { EvidenceJobs, RunKindResult } from './evidence-jobs.js';
import type { ServiceContext } from './service-context.js';

/** Why the auth-log signal is not there yet while its poll runs (docs/duo-wire.md §6, docs/evidence.md). */
export const AUTH_LOG_BUDGET_NOTE =
  "waiting for Duo's authentication-log budget: Duo allows about one request a minute per tenant, and each " +
  '1,000 events of the last 24 hours need one request, so a busy first poll takes a minute per extra page';

const SIGNALS = new Set<string>([...CORE_SIGNAL_IDS, ...EXTENDED_SIGNAL_IDS]);

/** Evidence for one organization: sync now (or queue it), the latest, history, export; audited. */
export function createEvidenceService(
  ctx: ServiceContext,
  deps: {
    jobs: EvidenceJobs;
    evidenceStore: EvidenceStore;
    /** "Sync now" hands the run to the scheduler; without one it runs in the background here. */
    queue?: ((kind: 'identity_sync', payload: { orgId: string }) => Promise<string | null>) | undefined;
    /** Tables other capabilities add to the export (health: fail-mode policy and fail-open decisions). */
    exportSections?: readonly ExportSectionProvider[] | undefined;
  },
): DuowatchServices['evidence'] {
  const { store, clock, org, audit } = ctx;
  const { evidenceStore } = deps;
  const runEvidenceJob: EvidenceJobs['runEvidenceJob'] = (kind, orgId, opts) =>
    deps.jobs.runEvidenceJob(kind, orgId, opts);

  async function latestView(orgId: string, slug: string): Promise<EvidenceView> {
    const v = await latestEvidence(evidenceStore, orgId);
    return { org: slug, signals: v.signals, extended: v.extended };
  }

  /** `show`: the latest records, and the auth-log signal as pending while its first poll is still running. */
  async function latestWithPending(orgId: string, slug: string): Promise<EvidenceView> {
    const view = await latestView(orgId, slug);
    if (view.signals.some((s) => s.id === 'auth_log_aggregate')) return view;
    const [running] = await store.jobRuns.list(orgId, { kind: 'auth_log_poll', status: 'running', limit: 1 });
    if (running === undefined) return view;
    return {
      ...view,
      pending: [
        {
          signal: 'auth_log_aggregate',
          reason: AUTH_LOG_BUDGET_NOTE,
          since: (running.startedAt ?? running.createdAt).toISOString(),
        },
      ],
    };
  }

  return {
    async sync(orgId, opts, actor) {
      const o = await org(orgId);
      if (opts.signal !== undefined && !SIGNALS.has(opts.signal))
        throw new ServiceError(
          'invalid_input',
          `unknown signal ${opts.signal}; one of ${[...SIGNALS].join(', ')}`,
        );
      if ((await store.integrations.list(o.id)).every((i) => i.kind !== 'admin'))
        throw new ServiceError(
          'invalid_input',
          `organization ${o.slug} has no Admin API integration to sync`,
        );
      await audit(actor, o.id, 'evidence.sync', opts.signal ?? null);
      const startedAt = new Date(clock.now());
      const only = opts.signal as SignalId | undefined;
      const authLogOnly = only !== undefined && isAuthLogSignal(only);
      const results: RunKindResult[] = [];
      if (!authLogOnly)
        results.push(
          ...(await runEvidenceJob('identity_sync', o.id, {
            manual: true,
            ...(only === undefined ? {} : { only }),
          })),
        );
      if (only === undefined || authLogOnly)
        results.push(...(await runEvidenceJob('auth_log_poll', o.id, { manual: true })));
      // Only what this run computed: a failed signal must not show last week's record as if it were fresh.
      const view = await latestView(o.id, o.slug);
      const fresh = (v: SignalView[]) =>
        v.filter(
          (x) =>
            Date.parse(x.finishedAt) >= startedAt.getTime() - 1000 && (only === undefined || x.id === only),
        );
      const errors = results.flatMap((r) =>
        r.result.error === null
          ? []
          : [
              {
                integrationId: r.result.integration,
                source: r.result.error.source,
                kind: r.result.error.kind,
                code: r.result.error.code,
                message: r.result.error.message,
              },
            ],
      );
      return { org: view.org, signals: fresh(view.signals), extended: fresh(view.extended ?? []), errors };
    },
    async queueSync(orgId, actor) {
      const o = await org(orgId);
      await audit(actor, o.id, 'evidence.sync_queued', null);
      if (deps.queue !== undefined) {
        const runId = await deps.queue('identity_sync', { orgId: o.id });
        return { queued: runId !== null, runId };
      }
      // No scheduler (CLI use): run in the background; failures land in the run records.
      void runEvidenceJob('identity_sync', o.id, { manual: true }).catch(() => undefined);
      return { queued: true, runId: null };
    },
    async latest(orgId) {
      const o = await org(orgId);
      return latestWithPending(o.id, o.slug);
    },
    async history(orgId, signal, range) {
      const o = await org(orgId);
      if (!SIGNALS.has(signal)) throw new ServiceError('invalid_input', `unknown signal ${signal}`);
      const rows = await evidenceHistory(evidenceStore, o.id, { ...range, signalId: signal as SignalId });
      return rows;
    },
    async export(orgId, opts) {
      const o = await org(orgId);
      if (!(opts.from < opts.to)) throw new ServiceError('invalid_input', '--from must be before --to');
      // Records are keyed by the organization's id; the report names it by its slug.
      const scoped = {
        ...evidenceStore,
        history: (_org: string, range: { from: Date; to: Date }) => evidenceStore.history(o.id, range),
      };
      const sections: ExportSection[] = [];
      for (const provider of deps.exportSections ?? [])
        sections.push(...(await provider.sections({ id: o.id, slug: o.slug }, opts)));
      return exportEvidence(scoped, {
        org: o.slug,
        from: opts.from,
        to: opts.to,
        format: opts.format,
        now: new Date(clock.now()),
        sections,
      });
    },
  };
}
