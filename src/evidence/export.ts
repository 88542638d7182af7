import { EvidenceError } from './errors.js';
import { recordsToCsv } from './export-csv.js';
import { recordsToHtml } from './export-html.js';
import type { EvidenceStore } from './ports.js';

export type ExportFormat = 'json' | 'csv' | 'html';

export interface ExportFile {
  contentType: string;
  filename: string;
  body: string;
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** `duowatch evidence export --org … --from … --to … --format json|csv|html`. */
export async function exportEvidence(
  store: EvidenceStore,
  opts: { org: string; from: Date; to: Date; format: ExportFormat; now?: Date },
): Promise<ExportFile> {
  if (!(opts.from.getTime() <= opts.to.getTime())) {
    throw new EvidenceError('evidence_bad_range', '--from must be a valid date no later than --to.');
  }
  const records = await store.history(opts.org, { from: opts.from, to: opts.to });
  const safeOrg = opts.org.replace(/[^A-Za-z0-9_.-]/g, '_');
  const filename = `duowatch-evidence-${safeOrg}-${day(opts.from)}-${day(opts.to)}.${opts.format}`;
  const generatedAt = opts.now ?? new Date();
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
              records,
            },
            null,
            2,
          ) + '\n',
      };
    case 'csv':
      return { contentType: 'text/csv; charset=utf-8', filename, body: recordsToCsv(records) };
    case 'html':
      return {
        contentType: 'text/html; charset=utf-8',
        filename,
        body: recordsToHtml(records, { org: opts.org, from: opts.from, to: opts.to, generatedAt }),
      };
  }
}
