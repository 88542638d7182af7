import type { Clock, ExportSectionProvider } from '../evidence/index.js';
import {
  createIntegrationsService,
  type DuoClients,
  type IntegrationsCapabilityService,
} from '../integrations/index.js';
import type { Store } from '../store/index.js';
import type { DuowatchServices } from './contract.js';
import { createEvidenceJobs, type EvidenceJobs } from './evidence-jobs.js';
import { createEvidenceService } from './evidence-service.js';
import { evidenceStoreFor } from './evidence-store.js';
import { createOrgsService } from './orgs-service.js';
import { storeRunRecorder } from './run-recorder.js';
import { createRunsService } from './runs-service.js';
import { serviceContext } from './service-context.js';

export { AUTH_LOG_BUDGET_NOTE } from './evidence-service.js';
export type { CollectedAuthLog, EvidenceJobs, RunKindResult } from './evidence-jobs.js';

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

/**
 * What both faces call, organization-scoped: one file per concern (orgs, integrations, evidence, runs) over
 * one context (store, clock, org lookup, audit), composed here.
 */
export function createServices(options: ServicesOptions): DuowatchServices & EvidenceJobs {
  const { store, clients } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const ctx = serviceContext(store, clock);
  const evidenceStore = evidenceStoreFor(store);
  const jobs = createEvidenceJobs(ctx, {
    clients,
    evidenceStore,
    recorder: storeRunRecorder(store),
    authFailedBackoffMs: options.authFailedBackoffMs,
  });
  return {
    ...jobs,
    orgs: createOrgsService(ctx),
    integrations: options.integrations ?? createIntegrationsService({ store, clients, clock }),
    evidence: createEvidenceService(ctx, {
      jobs,
      evidenceStore,
      queue: options.queue,
      exportSections: options.exportSections,
    }),
    runs: createRunsService(ctx),
  };
}
