import type { SignalId, SignalRecord } from '../shared/index.js';
import type { CredentialHealth as StoredCredentialHealth } from '../store/index.js';
import type { AuthLogCursor } from './auth-log-window.js';
import type {
  AdminLike,
  AuthEventLike,
  BypassCodeLike,
  PolicyLike,
  SettingsLike,
  UserLike,
} from './types.js';

/**
 * The narrow ports the evidence capability depends on (docs/conventions.md §4). The lead adapts the real Duo client
 * and store to them; tests use in-memory fakes.
 */

/** One page from a paging iterator. `truncated` on the last page says a cap stopped it with data left. */
export interface Page<T> {
  items: readonly T[];
  truncated?: boolean;
}

export interface PageCaps {
  maxPages: number;
  pageSize: number;
  signal?: AbortSignal;
}

export interface AuthLogQuery extends PageCaps {
  mintimeMs: number;
  maxtimeMs: number;
  /** Always `ts:asc`: resuming after a cap needs the last event read to be the newest one. */
  sort: 'ts:asc';
}

/** What identity sync and the auth-log poll read from Duo. Errors are thrown as they come (DuoApiError). */
export interface EvidenceDuoReader {
  users(caps: PageCaps): AsyncIterable<Page<UserLike>>;
  admins(caps: PageCaps): AsyncIterable<Page<AdminLike>>;
  policies(caps: PageCaps): AsyncIterable<Page<PolicyLike>>;
  settings(opts: { signal?: AbortSignal }): Promise<SettingsLike>;
  /** `/admin/v1/bypass_codes`; optional: without it the bypass-code signal is not produced. */
  bypassCodes?(caps: PageCaps): AsyncIterable<Page<BypassCodeLike>>;
  /**
   * `/admin/v1/info/summary`; optional. Its counts cross-check the listings: fewer users or admins listed
   * than Duo reports means the listing is incomplete, and the signal cannot be Pass.
   */
  summary?(opts: {
    signal?: AbortSignal;
  }): Promise<{ user_count?: number | null | undefined; admin_count?: number | null | undefined }>;
  /** `/admin/v2/logs/authentication`, paging on Duo's `next_offset` in memory only. */
  authLogs(query: AuthLogQuery): AsyncIterable<Page<AuthEventLike>>;
}

/** The error fields we classify on; the real DuoApiError fits. */
export interface DuoErrorLike {
  kind?: string;
  httpStatus?: number | undefined;
  duoCode?: number | undefined;
  message?: string;
}

/**
 * A credential's health: the one model the store keeps and the integrations capability's back-off rule reads
 * (docs/integrations.md). A transient failure keeps the state and its `until`, and records the error.
 */
export type CredentialHealth = Omit<StoredCredentialHealth, 'orgId' | 'integrationId'>;
export type CredentialState = CredentialHealth['state'];

export interface CursorKey {
  org: string;
  integration: string;
  stream: 'auth_log';
}

/**
 * Where signal records are kept: the one `SignalRecord` (src/shared/signals.ts) goes in and comes back as it
 * is. Other capabilities write records too, so what comes back may carry ids beyond `SignalId`.
 */
export interface EvidenceStore {
  saveRecord(record: SignalRecord): Promise<void>;
  /** The newest record of each signal for the org. */
  latest(org: string): Promise<SignalRecord[]>;
  /** Records with finishedAt in [from, to], oldest first; all signals when `signalId` is absent. */
  history(org: string, range: { from: Date; to: Date; signalId?: SignalId }): Promise<SignalRecord[]>;
  getCursor(key: CursorKey): Promise<unknown>;
  setCursor(key: CursorKey, value: AuthLogCursor): Promise<void>;
  getCredentialHealth(org: string, integration: string): Promise<CredentialHealth | null>;
  setCredentialHealth(org: string, integration: string, health: CredentialHealth): Promise<void>;
}

export interface Clock {
  now(): number;
}

/**
 * A table another capability adds to the compliance export (health: the fail-mode policy and every fail-open
 * decision). Evidence renders it in each format without knowing where it came from.
 */
export interface ExportSection {
  /** Stable id: the JSON `sections[].id` and the CSV `signal` column of its rows. */
  readonly id: string;
  readonly title: string;
  /** One or two sentences for the auditor: what the table proves. */
  readonly description: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** For the CSV: which column holds the row's time (`finished_at`), if any. */
  readonly timeColumn?: string;
  /** More rows existed than the section holds. */
  readonly truncated?: boolean;
}

/** What the export asks of a capability that contributes sections (wired by the composition root). */
export interface ExportSectionProvider {
  sections(
    org: { id: string; slug: string },
    range: { from: Date; to: Date },
  ): Promise<readonly ExportSection[]>;
}
