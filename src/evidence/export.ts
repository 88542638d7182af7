import type { SignalRecord } from '../shared/index.js';
import { EvidenceError } from './errors.js';
import { recordsToCsv } from './export-csv.js';
import { recordsToHtml } from './export-html.js';
import type { EvidenceStore, ExportSection } from './ports.js';
import { isAuthLogSignal } from './types.js';

export type ExportFormat = 'json' | 'csv' | 'html';

export interface ExportFile {
  contentType: string;
  filename: string;
  body: string;
}

/**
 * A record as the JSON export prints it (docs/evidence.md): the stored record under the export's public
 * names (`signalId`, `org`, `integration`), without the run id, and with the run kind and duration, which
 * follow from the id and the two times.
 */
export type ExportRecord = Omit<SignalRecord, 'id' | 'orgId' | 'integrationId' | 'runId'> & {
  org: string;
  integration: string | null;
  signalId: string;
  runKind: 'identity_sync' | 'auth_log_poll';
  durationMs: number;
};

export function toExportRecord(r: SignalRecord): ExportRecord {
  // Built field by field, in the order the export has always printed them.
  return {
    org: r.orgId,
    integration: r.integrationId,
    signalId: r.id,
    status: r.status,
    metrics: r.metrics,
    controls: r.controls,
    truncated: r.truncated,
    notes: r.notes,
    extended: r.extended,
    runKind: isAuthLogSignal(r.id) ? 'auth_log_poll' : 'identity_sync',
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: Date.parse(r.finishedAt) - Date.parse(r.startedAt),
  };
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** `duowatch evidence export --org … --from … --to … --format json|csv|html`. */
export async function exportEvidence(
  store: EvidenceStore,
  opts: {
    org: string;
    from: Date;
    to: Date;
    format: ExportFormat;
    now?: Date;
    /** Tables other capabilities add (health's fail-mode policy and fail-open decisions). */
    sections?: readonly ExportSection[];
  },
): Promise<ExportFile> {
  if (!(opts.from.getTime() <= opts.to.getTime())) {
    throw new EvidenceError('evidence_bad_range', '--from must be a valid date no later than --to.');
  }
  const records = await store.history(opts.org, { from: opts.from, to: opts.to });
  const safeOrg = opts.org.replace(/[^A-Za-z0-9_.-]/g, '_');
  const filename = `duowatch-evidence-${safeOrg}-${day(opts.from)}-${day(opts.to)}.${opts.format}`;
  const generatedAt = opts.now ?? new Date();
  const sections = opts.sections ?? [];
  switch (opts.format) {
    case 'json':
      return {
        contentType: 'application/json',
        filename,
        body:
          JSON.stringify(
            {
              org: opts.org,
              from: opts.from.toISOString(),
              to: opts.to.toISOString(),
              generatedAt: generatedAt.toISOString(),
              records: records.map(toExportRecord),
              sections: sections.map((x) => ({
                id: x.id,
                title: x.title,
                description: x.description,
                columns: x.columns,
                rows: x.rows,
                truncated: x.truncated === true,
              })),
            },
            null,
            2,
          ) + '\n',
      };
    case 'csv':
      return {
        contentType: 'text/csv; charset=utf-8',
        filename,
        body: recordsToCsv(records, opts.org, sections),
      };
    case 'html':
      return {
        contentType: 'text/html; charset=utf-8',
        filename,
        body: recordsToHtml(records, { org: opts.org, from: opts.from, to: opts.to, generatedAt }, sections),
      };
  }
}
