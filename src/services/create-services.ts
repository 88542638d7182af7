import {
  CORE_SIGNAL_IDS,
  EXTENDED_SIGNAL_IDS,
  evidencePortsFromDuoClient,
  exportEvidence,
  evidenceHistory,
  latestEvidence,
  runAuthLogPoll,
  runIdentitySync,
  runFinish,
  worstStatus,
  type Clock,
  type EvidenceDuoReader,
  type EvidenceJobKind,
  type EvidenceJobOptions,
  type EvidenceJobRunner,
  type EvidenceRunResult,
  type ExportSection,
  type ExportSectionProvider,
  type SignalId,
  type SignalStatus,
} from '../evidence/index.js';
import {
  createIntegrationsService,
  type DuoClients,
  type IntegrationsCapabilityService,
} from '../integrations/index.js';
import type { JobRun, Store } from '../store/index.js';
import type { Actor, DuowatchServices, EvidenceView, OrgView, RunView, SignalView } from './contract.js';
import { ServiceError } from './errors.js';
import { evidenceStoreFor } from './evidence-store.js';
import { explainRun } from './run-explanations.js';
import { storeRunRecorder } from './run-recorder.js';

export interface ServicesOptions {
  store: Store;
  clients: DuoClients;
  clock?: Clock;
  /** The integrations capability's service; built here when the caller has none. */
  integrations?: IntegrationsCapabilityService;
  /** How long an auth failure backs a credential off (`schedules.authFailedBackoffHours`); default 24 h. */
  authFailedBackoffMs?: number;
  /** "Sync now" hands the run to the scheduler; without one it runs in the background here. */
  queue?: (kind: 'identity_sync', payload: { orgId: string }) => Promise<string | null>;
  /** Tables other capabilities add to the evidence export (health: fail-mode policy and fail-open decisions). */
  exportSections?: readonly ExportSectionProvider[];
}

/** Why the auth-log signal is not there yet while its poll runs (docs/duo-wire.md §6, docs/evidence.md). */
export const AUTH_LOG_BUDGET_NOTE =
  "waiting for Duo's authentication-log budget: Duo allows about one request a minute per tenant, and each " +
  '1,000 events of the last 24 hours need one request, so a busy first poll takes a minute per extra page';

const SIGNALS = new Set<string>([...CORE_SIGNAL_IDS, ...EXTENDED_SIGNAL_IDS]);
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export interface RunKindResult {
  run: JobRun;
  result: EvidenceRunResult;
}

/**
 * The log collector's authentication stream as the auth-log evidence poll's source: when log collection is on
 * for an organization, the evidence poll reads the events the collector already delivered instead of asking
 * Duo a second time (docs/logs.md, "Evidence from the collected stream"). `null`: not covered, poll Duo.
 */
export interface CollectedAuthLog {
  authLogsFor(
    orgId: string,
    integrationId: string,
    window: { mintimeMs: number; maxtimeMs: number },
  ): Promise<EvidenceDuoReader['authLogs'] | null>;
}

export interface EvidenceJobs extends EvidenceJobRunner {
  /** Inside `serve`, the logs capability hands over its collected authentication stream. */
  useCollectedAuthLog?(source: CollectedAuthLog | null): void;
  /** Every Admin integration of one organization, each with its own run record. */
  runEvidenceJob(
    kind: EvidenceJobKind,
    orgId: string,
    opts: EvidenceJobOptions & { scheduledFor?: Date },
  ): Promise<RunKindResult[]>;
}

export function createServices(options: ServicesOptions): DuowatchServices & EvidenceJobs {
  const { store, clients } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const evidenceStore = evidenceStoreFor(store);
  const recorder = storeRunRecorder(store);
  const integrations = options.integrations ?? createIntegrationsService({ store, clients, clock });
  let collectedAuthLog: CollectedAuthLog | null = null;

  async function org(idOrSlug: string) {
    const found = await store.organizations.resolve(idOrSlug);
    if (found === undefined) throw new ServiceError('not_found', `organization ${idOrSlug} not found`);
    return found;
  }

  async function audit(
    actor: Actor,
    orgId: string | null,
    action: string,
    target: string | null,
    details?: Record<string, unknown>,
  ) {
    await store.auditLog.append({
      actor: actor.id,
      orgId,
      action,
      target,
      details: details ?? null,
      ip: actor.ip ?? null,
    });
  }

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

  /** One evidence run for one Admin integration; records nothing itself (the caller owns the run record). */
  async function runEvidenceForIntegration(
    kind: EvidenceJobKind,
    orgId: string,
    integrationId: string,
    opts: EvidenceJobOptions,
  ): Promise<EvidenceRunResult> {
    const client = await clients.forIntegration(store, orgId, integrationId);
    let reader = evidencePortsFromDuoClient(client);
    if (kind === 'auth_log_poll' && collectedAuthLog !== null) {
      // The window is planned by the poll itself; the source answers for the window it is asked about.
      const source = collectedAuthLog;
      const duo = reader;
      reader = {
        ...reader,
        authLogs: (q) =>
          (async function* () {
            const collected = await source.authLogsFor(orgId, integrationId, q);
            yield* collected === null ? duo.authLogs(q) : collected(q);
          })(),
      };
    }
    const input = {
      org: orgId,
      integration: integrationId,
      reader,
      store: evidenceStore,
      clock,
      // A person asking for a run after fixing a key should not wait out the 24 h back-off.
      ignoreBackoff: opts.manual === true,
      ...(options.authFailedBackoffMs === undefined
        ? {}
        : { authFailedBackoffMs: options.authFailedBackoffMs }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    };
    return kind === 'identity_sync'
      ? runIdentitySync({ ...input, ...(opts.only === undefined ? {} : { only: opts.only }) })
      : runAuthLogPoll(input);
  }

  /** Every Admin integration of one organization, each recorded through the scheduler's own recorder. */
  async function runEvidenceJob(
    kind: EvidenceJobKind,
    orgId: string,
    opts: EvidenceJobOptions & { scheduledFor?: Date },
  ): Promise<RunKindResult[]> {
    const out: RunKindResult[] = [];
    for (const i of await store.integrations.list(orgId)) {
      if (i.kind !== 'admin') continue;
      const runId = await recorder.start({
        kind,
        orgId,
        integrationId: i.id,
        scheduledFor: opts.scheduledFor ?? new Date(clock.now()),
        attempt: 1,
      });
      let result: EvidenceRunResult;
      try {
        result = await runEvidenceForIntegration(kind, orgId, i.id, opts);
      } catch (error) {
        const interrupted = opts.signal?.aborted === true;
        await recorder.finish(runId, {
          status: interrupted ? 'interrupted' : 'failed',
          errorKind: interrupted ? 'interrupted' : 'internal',
          errorMessage: error instanceof Error ? error.message.slice(0, 500) : 'unknown error',
        });
        throw error;
      }
      await recorder.finish(runId, runFinish(result));
      const run = await store.jobRuns.get(orgId, runId);
      if (run === undefined) throw new ServiceError('not_found', `run ${runId} vanished`);
      out.push({ run, result });
    }
    return out;
  }

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

  function orgView(
    o: { id: string; slug: string; name: string; createdAt: Date },
    statuses: ReadonlyArray<{ orgId: string; status: SignalStatus }>,
  ): OrgView {
    const own = statuses.filter((x) => x.orgId === o.id).map((x) => x.status);
    return {
      id: o.id,
      slug: o.slug,
      name: o.name,
      createdAt: o.createdAt.toISOString(),
      worstStatus: own.length === 0 ? null : worstStatus(own),
    };
  }

  return {
    runEvidenceJob,
    runEvidenceForIntegration,
    useCollectedAuthLog(source) {
      collectedAuthLog = source;
    },
    orgs: {
      async list() {
        // One query for every organization's latest statuses, not one per organization.
        const statuses = await store.evidence.latestStatuses(CORE_SIGNAL_IDS);
        return (await store.organizations.list()).map((o) => orgView(o, statuses));
      },
      async get(idOrSlug) {
        const o = await store.organizations.resolve(idOrSlug);
        if (o === undefined) return null;
        const latest = await store.evidence.latest(o.id, CORE_SIGNAL_IDS);
        return orgView(
          o,
          latest.map((r) => ({ orgId: o.id, status: r.status })),
        );
      },
      async create(input, actor) {
        if (!SLUG.test(input.slug))
          throw new ServiceError(
            'invalid_input',
            'slug must be 1–63 lowercase letters, digits or hyphens, not starting or ending with a hyphen',
          );
        if ((await store.organizations.findBySlug(input.slug)) !== undefined)
          throw new ServiceError('conflict', `organization ${input.slug} already exists`);
        const o = await store.organizations.create({
          slug: input.slug,
          ...(input.name === undefined ? {} : { name: input.name }),
        });
        await audit(actor, o.id, 'organization.create', o.slug);
        return orgView(o, []);
      },
      async remove(orgId, actor) {
        const o = await org(orgId);
        await store.organizations.delete(o.id);
        await audit(actor, null, 'organization.delete', o.slug);
      },
    },
    integrations,
    evidence: {
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
        const authLogOnly =
          only === 'auth_log_aggregate' || only === 'phishing_resistant_share' || only === 'sms_voice_share';
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
        if (options.queue !== undefined) {
          const runId = await options.queue('identity_sync', { orgId: o.id });
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
        for (const provider of options.exportSections ?? [])
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
    },
    runs: {
      async list(orgId, opts) {
        const o = await org(orgId);
        return (await store.jobRuns.list(o.id, { limit: opts.limit ?? 50 })).map(runView);
      },
    },
  };
}
