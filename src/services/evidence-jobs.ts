import {
  evidencePortsFromDuoClient,
  runAuthLogPoll,
  runFinish,
  runIdentitySync,
  type EvidenceJobKind,
  type EvidenceJobOptions,
  type EvidenceDuoReader,
  type EvidenceJobRunner,
  type EvidenceRunResult,
  type EvidenceStore,
} from '../evidence/index.js';
import type { DuoClients } from '../integrations/index.js';
import type { RunRecorder } from '../scheduler/index.js';
import type { JobRun } from '../store/index.js';
import { ServiceError } from './errors.js';
import type { ServiceContext } from './service-context.js';

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

/** The evidence runs' bodies over the store and the Duo clients; the scheduler and "sync now" share them. */
export function createEvidenceJobs(
  ctx: ServiceContext,
  deps: {
    clients: DuoClients;
    evidenceStore: EvidenceStore;
    recorder: RunRecorder;
    authFailedBackoffMs?: number | undefined;
  },
): EvidenceJobs {
  const { store, clock } = ctx;
  const { clients, evidenceStore, recorder } = deps;
  let collectedAuthLog: CollectedAuthLog | null = null;

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
      ...(deps.authFailedBackoffMs === undefined ? {} : { authFailedBackoffMs: deps.authFailedBackoffMs }),
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

  return {
    runEvidenceForIntegration,
    runEvidenceJob,
    useCollectedAuthLog(source) {
      collectedAuthLog = source;
    },
  };
}
