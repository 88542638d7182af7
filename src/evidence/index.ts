/**
 * Compliance evidence: the five signals of the compliance specification, the extended signals, control mapping,
 * the auth-log window/cursor/dedup, orchestration with credential back-off, Test Connection, history and
 * export. Depends only on the narrow ports in ports.ts (docs/conventions.md §4). The signal record and the
 * signal ids it speaks of are defined below the store, in src/shared (docs/architecture.md).
 */
export type {
  AdminLike,
  AuthEventLike,
  BypassCodeLike,
  Listing,
  PolicyLike,
  SettingsLike,
  SignalOptions,
  UserLike,
} from './types.js';
export { AUTH_LOG_SIGNAL_IDS, isAuthLogSignal } from './types.js';
export type {
  AuthLogQuery,
  Clock,
  CredentialHealth,
  CredentialState,
  CursorKey,
  DuoErrorLike,
  EvidenceDuoReader,
  EvidenceStore,
  ExportSection,
  ExportSectionProvider,
  Page,
  PageCaps,
} from './ports.js';
export { CONTROL_MAP, controlsFor, renderControlsMarkdown, type ControlMapping } from './controls.js';
export { worstStatus } from './signal-common.js';
export { isEnrolled, mfaEnrollmentSignal } from './signal-mfa-enrollment.js';
export { globalPolicySignal, readAuthPolicyMode, type AuthPolicyMode } from './signal-global-policy.js';
export { accountSettingsSignal, adminInventorySignal } from './signal-admins-settings.js';
export { AuthLogAccumulator, authLogAggregateSignal, type AuthLogAggregate } from './auth-log-aggregate.js';
export {
  adminPasswordPolicySignal,
  adminsNeverLoggedInSignal,
  bypassCodesSignal,
  lockedOutUsersSignal,
  phishingResistantSignal,
  smsVoiceSignal,
  usersInactiveSignal,
  PHISHING_RESISTANT_FACTORS,
  SMS_VOICE_FACTORS,
} from './extended-signals.js';
export {
  AUTH_LOG_CAP,
  FIRST_LOOKBACK_MS,
  LIST_CAP,
  OVERLAP_MS,
  STALE_AFTER_MS,
  VISIBILITY_LAG_MS,
  parseAuthLogCursor,
  planAuthLogWindow,
  type AuthLogCursor,
  type AuthLogWindow,
  type LedgerRow,
} from './auth-log-window.js';
export { AUTH_LOG_POLL_CRON, IDENTITY_SYNC_CRON } from './schedules.js';
export {
  AUTH_FAILED_BACKOFF_MS,
  classifyFailure,
  healthAfterFailure,
  healthAfterSuccess,
  shouldSkip,
  type FailureClass,
} from './credential-health.js';
export { collectPages } from './collect.js';
export { IDENTITY_SIGNAL_SOURCES, runIdentitySync, type IdentitySyncInput } from './identity-sync.js';
export { EvidenceError } from './errors.js';
export { runAuthLogPoll, type AtomicPollCommit, type AuthLogPollInput } from './auth-log-poll.js';
export type { EvidenceRunResult, RunErrorSummary } from './run-result.js';
export {
  evidenceHistory,
  latestEvidence,
  toEvidenceView,
  toSignalView,
  type EvidenceView,
  type SignalView,
} from './evidence-view.js';
export {
  exportEvidence,
  toExportRecord,
  type ExportFile,
  type ExportFormat,
  type ExportRecord,
} from './export.js';
export { csvCell, recordsToCsv } from './export-csv.js';
export { escapeHtml, recordsToHtml } from './export-html.js';
export { evidencePortsFromDuoClient, type CappedIterator, type DuoClientSlice } from './duo-adapter.js';
export {
  adminTargets,
  evidenceJobs,
  queueIdentitySync,
  runFinish,
  runOutcome,
  type EvidenceJobKind,
  type EvidenceJobOptions,
  type EvidenceJobRunner,
} from './jobs.js';
export { evidenceCapability } from './capability.js';
