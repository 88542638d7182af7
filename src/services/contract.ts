/**
 * The service layer the REST API and the CLI both stand on (docs/architecture.md: "cli and server are two faces
 * over the same services"). Every call names its organization; tenancy is a parameter, never a global.
 * `Actor` is who asks, for the audit log; authorization (roles) is checked by the caller's face.
 */
import type { SignalView } from '../evidence/index.js';
import type { SignalStatus } from '../shared/index.js';
/** The signal view: a selection of the one signal record (src/shared/signals.ts), as the API prints it. */
export type { SignalView } from '../evidence/index.js';
export type { SignalStatus } from '../shared/index.js';
import type { IntegrationsService } from '../integrations/index.js';
export type {
  Actor,
  CredentialState,
  IntegrationKind,
  IntegrationView,
  NewIntegration,
  SaveResult,
  TestCheck,
  TestReport,
} from '../integrations/index.js';
import type { Actor } from '../integrations/index.js';

export interface OrgView {
  id: string;
  slug: string;
  name: string;
  createdAt: string;
  /** Worst status over the latest record of each signal; null before the first sync. */
  worstStatus: SignalStatus | null;
}

export interface EvidenceView {
  org: string;
  /** The five signals of the compliance specification. */
  signals: SignalView[];
  /** The extended signals (beyond the specification), shown separately. */
  extended?: SignalView[];
  /**
   * `show` only: signals not computed yet whose run is still going, with why (the first auth-log poll waits
   * for Duo's auth-log budget, about one request a minute, once per extra page of 1,000 events).
   */
  pending?: PendingSignal[];
  /** `sync` only: what failed in this run (the signals above are only those computed now). */
  errors?: Array<{
    integrationId: string;
    source: string;
    kind: string | null;
    code: number | null;
    message: string;
  }>;
}

export interface PendingSignal {
  signal: string;
  /** One sentence for the dashboard and the CLI. */
  reason: string;
  /** When the run computing it started. */
  since: string;
}

export interface RunView {
  id: string;
  orgId: string | null;
  integrationId: string | null;
  kind: string;
  status: string;
  scheduledFor: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  counts: Record<string, number>;
  errorKind: string | null;
  errorMessage: string | null;
  /** The error explained in plain words for the dashboard. */
  explanation: string | null;
}

export interface ExportFile {
  contentType: string;
  filename: string;
  body: string;
}

export interface DuowatchServices {
  orgs: {
    list(): Promise<OrgView[]>;
    get(idOrSlug: string): Promise<OrgView | null>;
    create(input: { slug: string; name?: string }, actor: Actor): Promise<OrgView>;
    remove(orgId: string, actor: Actor): Promise<void>;
  };
  integrations: IntegrationsService;
  evidence: {
    /** Runs an identity sync now (or one signal) and returns the fresh records. */
    sync(orgId: string, opts: { signal?: string }, actor: Actor): Promise<EvidenceView>;
    /** Queues an identity sync on the scheduler ("Sync now"); returns the queued run id. */
    queueSync(orgId: string, actor: Actor): Promise<{ queued: boolean; runId: string | null }>;
    latest(orgId: string): Promise<EvidenceView>;
    history(orgId: string, signal: string, range: { from: Date; to: Date }): Promise<SignalView[]>;
    export(
      orgId: string,
      opts: { from: Date; to: Date; format: 'json' | 'csv' | 'html' },
    ): Promise<ExportFile>;
  };
  runs: {
    list(orgId: string, opts: { limit?: number }): Promise<RunView[]>;
  };
}
