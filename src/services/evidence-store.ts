import type { AuthLogCursor, CursorKey, EvidenceStore } from '../evidence/index.js';
import type { Store } from '../store/index.js';

/**
 * The evidence port over the real store. Signal records pass through as they are: the store keeps the one
 * `SignalRecord` type (src/shared/signals.ts), so nothing is converted here; cursors and credential health
 * only change how they are keyed.
 */
export function evidenceStoreFor(store: Store): EvidenceStore {
  return {
    async saveRecord(record) {
      await store.evidence.insert(record);
    },
    latest: (org) => store.evidence.latest(org),
    history: (org, range) =>
      store.evidence.range(org, {
        from: range.from,
        to: range.to,
        ...(range.signalId === undefined ? {} : { signalIds: [range.signalId] }),
      }),
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
