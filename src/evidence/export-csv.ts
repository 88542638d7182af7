import type { SignalRecord } from '../shared/index.js';
import type { ExportSection } from './ports.js';

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF; quotes doubled. Cells starting
 * with `=`, `+`, `-`, `@`, tab or CR are prefixed with `'` so a spreadsheet never evaluates them as a
 * formula (OWASP "CSV injection"): a username or policy name comes from the tenant, not from us.
 */
export function csvCell(value: unknown): string {
  let s =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = [
  'finished_at',
  'started_at',
  'org',
  'integration',
  'signal',
  'extended',
  'status',
  'truncated',
  'control_names',
  'soc2',
  'iso27001',
  'nist80053',
  'notes',
  'metrics_json',
] as const;

/**
 * Evidence records, then one row per row of each section in the same columns: `signal` is the section's id,
 * `status` `info`, `finished_at` its time column, `notes` its title, `metrics_json` the row itself — one
 * table a spreadsheet filters by `signal`.
 */
export function recordsToCsv(
  records: readonly SignalRecord[],
  org = '',
  sections: readonly ExportSection[] = [],
): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) {
    lines.push(
      [
        r.finishedAt,
        r.startedAt,
        r.orgId,
        r.integrationId ?? '',
        r.id,
        r.extended ? 'true' : 'false',
        r.status,
        r.truncated ? 'true' : 'false',
        r.controls.names.join('; '),
        r.controls.soc2.join(' '),
        r.controls.iso27001.join(' '),
        r.controls.nist80053.join(' '),
        r.notes.join(' | '),
        JSON.stringify(r.metrics),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  for (const section of sections) {
    for (const row of section.rows) {
      const at = section.timeColumn === undefined ? '' : row[section.timeColumn];
      lines.push(
        [
          at,
          '',
          org,
          '',
          section.id,
          'false',
          'info',
          section.truncated === true ? 'true' : 'false',
          '',
          '',
          '',
          '',
          section.title,
          JSON.stringify(row),
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return lines.join('\r\n') + '\r\n';
}
