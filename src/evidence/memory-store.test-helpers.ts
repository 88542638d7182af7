import type { SignalRecord } from '../shared/index.js';
import type { AuthLogCursor } from './auth-log-window.js';
import type { CredentialHealth, CursorKey, EvidenceStore } from './ports.js';

/**
 * An in-memory EvidenceStore. Every value it receives is serialised to JSON on the way in (as a database
 * would), and `dump()` returns everything it holds as one string, so tests can prove what was — and was
 * not — persisted.
 */
export interface MemoryEvidenceStore extends EvidenceStore {
  dump(): string;
}

export function createMemoryEvidenceStore(): MemoryEvidenceStore {
  const records: string[] = [];
  const cursors = new Map<string, string>();
  const health = new Map<string, CredentialHealth>();
  const parseRecords = (): SignalRecord[] => records.map((r) => JSON.parse(r) as SignalRecord);
  return {
    saveRecord(record: SignalRecord): Promise<void> {
      records.push(JSON.stringify(record));
      return Promise.resolve();
    },
    latest(org: string): Promise<SignalRecord[]> {
      const byId = new Map<string, SignalRecord>();
      for (const r of parseRecords()) {
        if (r.orgId !== org) continue;
        const prev = byId.get(r.id);
        if (prev === undefined || prev.finishedAt <= r.finishedAt) byId.set(r.id, r);
      }
      return Promise.resolve([...byId.values()]);
    },
    history(org, range): Promise<SignalRecord[]> {
      const from = range.from.toISOString();
      const to = range.to.toISOString();
      return Promise.resolve(
        parseRecords()
          .filter((r) => r.orgId === org && r.finishedAt >= from && r.finishedAt <= to)
          .filter((r) => range.signalId === undefined || r.id === range.signalId)
          .sort((a, b) => (a.finishedAt < b.finishedAt ? -1 : a.finishedAt > b.finishedAt ? 1 : 0)),
      );
    },
    getCursor(key: CursorKey): Promise<unknown> {
      const v = cursors.get(JSON.stringify(key));
      return Promise.resolve(v === undefined ? null : (JSON.parse(v) as unknown));
    },
    setCursor(key: CursorKey, value: AuthLogCursor): Promise<void> {
      cursors.set(JSON.stringify(key), JSON.stringify(value));
      return Promise.resolve();
    },
    getCredentialHealth(org: string, integration: string): Promise<CredentialHealth | null> {
      const v = health.get(JSON.stringify([org, integration]));
      return Promise.resolve(v === undefined ? null : structuredClone(v));
    },
    setCredentialHealth(org: string, integration: string, h: CredentialHealth): Promise<void> {
      health.set(JSON.stringify([org, integration]), structuredClone(h));
      return Promise.resolve();
    },
    dump(): string {
      return JSON.stringify({ records, cursors: [...cursors], health: [...health] });
    },
  };
}
