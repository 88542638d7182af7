import { CORE_SIGNAL_IDS, type SignalId, type SignalRecord } from '../shared/index.js';
import type { EvidenceStore } from './ports.js';

/**
 * One signal as printed by `evidence sync|show|history --json` and the API (docs/evidence.md): the stored
 * record without the organization, which the view names once around it (the service contract uses this type).
 */
export type SignalView = Omit<SignalRecord, 'orgId'>;

/** `{"org", "signals": [...the five...], "extended": [...]}` — extended signals are shown separately. */
export interface EvidenceView {
  org: string;
  signals: SignalView[];
  extended: SignalView[];
}

const ORDER = new Map<string, number>(CORE_SIGNAL_IDS.map((id, i) => [id, i]));

export function toSignalView(r: SignalRecord): SignalView {
  // Field by field, in the order the CLI and the API have always printed them; the store's own row id and
  // anything else a record object carries stay out.
  return {
    id: r.id,
    status: r.status,
    metrics: r.metrics,
    controls: r.controls,
    truncated: r.truncated,
    notes: r.notes,
    runId: r.runId,
    integrationId: r.integrationId,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    extended: r.extended,
  };
}

export function toEvidenceView(org: string, records: readonly SignalRecord[]): EvidenceView {
  const views = records.map(toSignalView);
  const core = views
    .filter((v) => !v.extended)
    .sort((a, b) => (ORDER.get(a.id) ?? 99) - (ORDER.get(b.id) ?? 99));
  const extended = views.filter((v) => v.extended).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { org, signals: core, extended };
}

/** `evidence show`: the latest record per signal. */
export async function latestEvidence(store: EvidenceStore, org: string): Promise<EvidenceView> {
  return toEvidenceView(org, await store.latest(org));
}

/** History of one signal (or all) in a range, oldest first. */
export async function evidenceHistory(
  store: EvidenceStore,
  org: string,
  range: { from: Date; to: Date; signalId?: SignalId },
): Promise<SignalView[]> {
  const rows = await store.history(org, range);
  return rows
    .map(toSignalView)
    .sort((a, b) => (a.finishedAt < b.finishedAt ? -1 : a.finishedAt > b.finishedAt ? 1 : 0));
}
