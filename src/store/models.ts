import type { Secret } from './vault/secret.js';

/** What repositories hand out: plain values, dates as `Date`, JSON parsed, booleans real, no ciphertext. */
export interface Organization {
  id: string;
  slug: string;
  name: string;
  createdAt: Date;
}

import type { CredentialState, IntegrationKind, SignalRecord } from '../shared/index.js';
export type { CredentialState, IntegrationKind } from '../shared/index.js';

/** An integration's metadata. The keys stay encrypted; ask `integrations.credentials()` at the moment of use. */
export interface Integration {
  id: string;
  orgId: string;
  kind: IntegrationKind;
  apiHost: string;
  mkey: string | null;
  label: string;
  /** The vault key id the secrets are currently encrypted under. */
  keyId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface IntegrationCredentials {
  integrationId: string;
  orgId: string;
  apiHost: string;
  ikey: Secret;
  skey: Secret;
}

export interface CredentialHealth {
  orgId: string;
  integrationId: string;
  state: CredentialState;
  /** Until when scheduled runs skip this credential (auth_failed: 24 h per the specification's back-off). */
  until: Date | null;
  lastErrorKind: string | null;
  lastErrorMessage: string | null;
  lastSuccessAt: Date | null;
  updatedAt: Date;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'interrupted' | 'skipped';

export interface JobRun {
  id: string;
  orgId: string;
  integrationId: string | null;
  kind: string;
  status: JobStatus;
  scheduledFor: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  counts: Record<string, number> | null;
  errorKind: string | null;
  errorMessage: string | null;
  attempt: number;
  createdAt: Date;
  /** The queue job this run executes (pg-boss), when there is one. */
  jobId: string | null;
}

export interface Cursor<T = unknown> {
  orgId: string;
  integrationId: string;
  name: string;
  value: T;
  updatedAt: Date;
}

/** A stored signal: the one signal record (src/shared/signals.ts) with the id of the row that holds it. */
export interface StoredSignalRecord extends SignalRecord {
  recordId: string;
}

export type Role = 'owner' | 'admin' | 'auditor';
export const roles: readonly Role[] = ['owner', 'admin', 'auditor'];

export interface Operator {
  id: string;
  username: string;
  passwordHash: string;
  superadmin: boolean;
  disabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export interface Membership {
  operatorId: string;
  orgId: string;
  role: Role;
  createdAt: Date;
}

export interface Session {
  idHash: string;
  operatorId: string;
  csrfHash: string;
  expiresAt: Date;
  createdAt: Date;
  ip: string | null;
}

export interface ApiToken {
  id: string;
  tokenHash: string;
  orgId: string;
  role: Role;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  /** The operator who created it; null for tokens made before creators were recorded. */
  createdBy: string | null;
}

export interface LoginThrottle {
  key: string;
  failures: number;
  firstFailureAt: Date;
  lockedUntil: Date | null;
  /** Attempts refused during the current lock (one audit row stands for all of them). */
  throttled: number;
}

export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  orgId: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
}
