import {
  EXTENDED_SIGNAL_IDS,
  type AuthLogCursor,
  type ControlRef,
  type CredentialHealth,
  type CursorKey,
  type EvidenceRecord,
  type EvidenceStore,
  type SignalId,
} from '../evidence/index.js';
import type {
  EvidenceRecord as StoredRecord,
  CredentialHealth as StoredHealth,
  Store,
} from '../store/index.js';

const AUTH_LOG_SIGNALS = new Set<string>([
  'auth_log_aggregate',
  'phishing_resistant_share',
  'sms_voice_share',
]);
const EXTENDED = new Set<string>(EXTENDED_SIGNAL_IDS);

/** The evidence port over the real store. Derivable fields (extended, run kind, duration) are not stored twice. */
export function evidenceStoreFor(store: Store, runIdFor?: (org: string) => string | null): EvidenceStore {
  const fromStored = (r: StoredRecord): EvidenceRecord => ({
    org: r.orgId,
    integration: r.integrationId,
    signalId: r.signalId as SignalId,
    status: r.status,
    metrics: r.metrics,
    controls: (r.controls[0] ?? { names: [], soc2: [], iso27001: [], nist80053: [] }) as ControlRef,
    truncated: r.truncated,
    notes: r.notes,
    extended: EXTENDED.has(r.signalId),
    runKind: AUTH_LOG_SIGNALS.has(r.signalId) ? 'auth_log_poll' : 'identity_sync',
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt.toISOString(),
    durationMs: r.finishedAt.getTime() - r.startedAt.getTime(),
  });

  return {
    async saveRecord(record) {
      await store.evidence.insert(record.org, {
        integrationId: record.integration,
        signalId: record.signalId,
        status: record.status,
        metrics: record.metrics,
        // The store keeps a list of control references; a signal carries one mapping object.
        controls: [record.controls],
        truncated: record.truncated,
        notes: record.notes,
        runId: runIdFor?.(record.org) ?? null,
        startedAt: new Date(record.startedAt),
        finishedAt: new Date(record.finishedAt),
      });
    },
    async latest(org) {
      return (await store.evidence.latest(org)).map(fromStored);
    },
    async history(org, range) {
      const rows = await store.evidence.range(org, {
        from: range.from,
        to: range.to,
        ...(range.signalId === undefined ? {} : { signalIds: [range.signalId] }),
      });
      return rows.map(fromStored);
    },
    async getCursor(key: CursorKey) {
      return (await store.cursors.get(key.org, key.integration, key.stream))?.value ?? null;
    },
    async setCursor(key: CursorKey, value: AuthLogCursor) {
      await store.cursors.set(key.org, key.integration, key.stream, value);
    },
    async getCredentialHealth(org, integration) {
      const h = await store.credentialHealth.get(org, integration);
      return h === undefined ? null : toEvidenceHealth(h);
    },
    async setCredentialHealth(org, integration, health) {
      if (health.state === 'ok') {
        await store.credentialHealth.recordSuccess(
          org,
          integration,
          new Date(health.lastSuccessAt ?? health.updatedAt),
        );
        return;
      }
      if (health.state === 'error') {
        // A transient failure (network, 5xx, timeout) says nothing about the credential: keep its state,
        // but record what happened so the dashboard can explain the failed run.
        await store.credentialHealth.recordTransientError(org, integration, {
          errorKind: health.lastErrorKind ?? 'error',
          errorMessage: health.lastErrorMessage ?? '',
          at: new Date(health.updatedAt),
        });
        return;
      }
      // Clock skew is an auth failure for back-off (the specification), but shown as its own state.
      const state =
        health.state === 'auth_failed' && health.lastErrorKind === 'clock_skew' ? 'clock_skew' : health.state;
      await store.credentialHealth.recordFailure(org, integration, {
        state,
        until: health.retryAt === null ? null : new Date(health.retryAt),
        errorKind: health.lastErrorKind ?? health.state,
        errorMessage: health.lastErrorMessage ?? '',
        at: new Date(health.updatedAt),
      });
    },
  };
}

function toEvidenceHealth(h: StoredHealth): CredentialHealth {
  return {
    state: h.state === 'clock_skew' ? 'auth_failed' : h.state,
    retryAt: h.until === null ? null : h.until.getTime(),
    lastErrorKind: h.lastErrorKind,
    lastErrorCode: null,
    lastErrorMessage: h.lastErrorMessage,
    lastSuccessAt: h.lastSuccessAt === null ? null : h.lastSuccessAt.getTime(),
    updatedAt: h.updatedAt.getTime(),
  };
}
