import type { IntegrationKind } from '../shared/index.js';
import type { CredentialHealth } from '../store/index.js';

/** Who asks, for the audit log: `operator:<id>`, `token:<id>`, `system`, `cli` or `config`. */
export interface Actor {
  id: string;
  ip?: string;
}

/** The one credential-health model's states: stored, gated on and shown (docs/integrations.md). */
export type { CredentialState } from '../shared/index.js';

/** A stored value as the API prints it: times as ISO 8601 strings. */
type Shown<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

export interface IntegrationView {
  id: string;
  orgId: string;
  kind: IntegrationKind;
  apiHost: string;
  label: string;
  mkey: string | null;
  /** The integration key shown partly (`DI…XYZ`): enough to recognise, never the whole secret pair. */
  ikeyHint: string;
  /** The stored credential health (the one model), without its keys and its own update time. */
  health: Shown<Omit<CredentialHealth, 'orgId' | 'integrationId' | 'updatedAt'>>;
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

/** Test before Save's answer for every kind (Admin: one check per grant; the others: clock and keys). */
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

export interface IntegrationsService {
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
}
