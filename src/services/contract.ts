/**
 * The service layer the REST API and the CLI both stand on (docs/architecture.md: "cli and server are two faces
 * over the same services"). Every call names its organization; tenancy is a parameter, never a global.
 * `Actor` is who asks, for the audit log; authorization (roles) is checked by the caller's face.
 */
export type IntegrationKind = 'admin' | 'auth' | 'device' | 'accounts';
export type SignalStatus = 'pass' | 'warning' | 'fail';
export type CredentialState = 'ok' | 'auth_failed' | 'rate_limited' | 'clock_skew';

export interface Actor {
  /** `operator:<id>`, `token:<id>`, `system` or `cli`. */
  id: string;
  ip?: string;
}

export interface OrgView {
  id: string;
  slug: string;
  name: string;
  createdAt: string;
  /** Worst status over the latest record of each signal; null before the first sync. */
  worstStatus: SignalStatus | null;
}

export interface IntegrationView {
  id: string;
  orgId: string;
  kind: IntegrationKind;
  apiHost: string;
  label: string;
  mkey: string | null;
  /** The integration key shown partly (`DI…XYZ`): enough to recognise, never the whole secret pair. */
  ikeyHint: string;
  health: {
    state: CredentialState;
    until: string | null;
    lastErrorKind: string | null;
    lastErrorMessage: string | null;
    lastSuccessAt: string | null;
  };
  createdAt: string;
  updatedAt: string;
}

export interface TestCheck {
  id: string;
  label: string;
  status: 'pass' | 'warn' | 'fail';
  /** Duo's numeric error code when Duo answered with one. */
  code?: number;
  message: string;
  /** One sentence on how to fix it in the Duo Admin Panel. */
  fix?: string;
}

export interface TestReport {
  ok: boolean;
  checks: TestCheck[];
  clockSkewMs: number | null;
  serverTime: string | null;
  latencyMs: number | null;
}

export interface NewIntegration {
  kind: IntegrationKind;
  apiHost: string;
  ikey: string;
  /** Plain text only for the moment of the call; stored encrypted, never echoed. */
  skey: string;
  label?: string;
  mkey?: string;
}

export interface SaveResult {
  saved: boolean;
  integration: IntegrationView | null;
  report: TestReport;
}

export interface SignalView {
  id: string;
  status: SignalStatus;
  metrics: Record<string, unknown>;
  controls: unknown;
  truncated: boolean;
  notes: string[];
  runId: string | null;
  integrationId: string | null;
  startedAt: string;
  finishedAt: string;
  extended?: boolean;
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
  integrations: {
    list(orgId: string): Promise<IntegrationView[]>;
    /** Test before Save: saves only when the report passes, unless `force`. */
    add(orgId: string, input: NewIntegration, opts: { force?: boolean }, actor: Actor): Promise<SaveResult>;
    test(orgId: string, integrationId: string): Promise<TestReport>;
    /** Tests a candidate without saving anything. */
    testCandidate(input: NewIntegration): Promise<TestReport>;
    rotate(
      orgId: string,
      integrationId: string,
      input: { ikey?: string; skey: string },
      opts: { force?: boolean },
      actor: Actor,
    ): Promise<SaveResult>;
    /**
     * Changes the label, API hostname or mkey. A new hostname or mkey is tested with the stored keys first
     * (Test before Save); a label alone is saved as is.
     */
    update(
      orgId: string,
      integrationId: string,
      input: { label?: string; apiHost?: string; mkey?: string | null },
      opts: { force?: boolean },
      actor: Actor,
    ): Promise<SaveResult>;
    remove(orgId: string, integrationId: string, actor: Actor): Promise<void>;
  };
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
