import {
  EXTENDED_SIGNAL_IDS,
  type AuthLogCursor,
  type ControlRef,
  type CursorKey,
  type EvidenceRecord,
  type EvidenceStore,
  type SignalId,
} from '../evidence/index.js';
import type { EvidenceRecord as StoredRecord, Store } from '../store/index.js';

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
      return (await store.credentialHealth.get(org, integration)) ?? null;
    },
    async setCredentialHealth(org, integration, health) {
      await store.credentialHealth.put(org, integration, health);
    },
  };
}
