import { CORE_SIGNAL_IDS, EXTENDED_SIGNAL_IDS, type SignalId, type SignalRecord } from '../shared/index.js';
import type { ExportSection } from './ports.js';

export function escapeHtml(value: unknown): string {
  const s =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return s.replace(/[&<>"'`]/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/** Scalar metrics (and one level of scalar objects) as `key: value` lines; lists become their length. */
export function summarizeMetrics(metrics: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(metrics)) {
    if (Array.isArray(v)) out.push(`${k}: ${String(v.length)} item(s)`);
    else if (v !== null && typeof v === 'object') {
      const inner = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x === null || typeof x !== 'object')
        .map(([ik, x]) => `${ik}=${String(x)}`);
      out.push(`${k}: ${inner.join(', ')}`);
    } else out.push(`${k}: ${String(v)}`);
  }
  return out;
}

const CSS = `body{font:13px/1.4 system-ui,sans-serif;color:#111;margin:24px}h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eee}.pass{color:#075e07;font-weight:600}.warning{color:#8a5a00;font-weight:600}.fail{color:#a00;font-weight:600}
.strip span{display:inline-block;width:10px;height:14px;margin-right:1px}.strip .pass{background:#2a8a2a}.strip .warning{background:#d99a00}.strip .fail{background:#c00}
ul{margin:2px 0;padding-left:18px}section{page-break-inside:avoid}@media print{body{margin:0}h2{page-break-after:avoid}}`;

function statusCell(status: string): string {
  return `<span class="${escapeHtml(status)}">${escapeHtml(status.toUpperCase())}</span>`;
}

function list(items: readonly unknown[]): string {
  if (items.length === 0) return '<p>None.</p>';
  return `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
}

function signalSection(id: string, rows: readonly SignalRecord[]): string {
  const latest = rows[rows.length - 1];
  if (latest === undefined) return '';
  const c = latest.controls;
  const parts = [
    `<section><h2>${escapeHtml(id)} — ${statusCell(latest.status)}</h2>`,
    `<table><tr><th>Controls</th><td>${escapeHtml(c.names.join('; '))}</td></tr>`,
    `<tr><th>SOC 2</th><td>${escapeHtml(c.soc2.join(', '))}</td></tr>`,
    `<tr><th>ISO/IEC 27001:2022</th><td>${escapeHtml(c.iso27001.join(', '))}</td></tr>`,
    `<tr><th>NIST SP 800-53 r5</th><td>${escapeHtml(c.nist80053.join(', '))}</td></tr></table>`,
    `<p>Status over time (${String(rows.length)} run(s)): <span class="strip">${rows
      .map(
        (r) =>
          `<span class="${escapeHtml(r.status)}" title="${escapeHtml(`${r.finishedAt} ${r.status}`)}"></span>`,
      )
      .join('')}</span></p>`,
  ];
  if (id === 'admin_inventory') {
    const owners = latest.metrics['ownerNames'];
    parts.push(`<h3>Owners (latest run)</h3>${list(Array.isArray(owners) ? owners : [])}`);
  }
  if (id === 'mfa_enrollment') {
    const members = latest.metrics['bypassMembers'];
    const names = Array.isArray(members)
      ? members.map((m) => {
          const o = (m ?? {}) as { username?: unknown; realname?: unknown };
          return typeof o.realname === 'string' && o.realname !== ''
            ? `${String(o.username)} (${o.realname})`
            : String(o.username);
        })
      : [];
    parts.push(`<h3>Bypass members (latest run)</h3>${list(names)}`);
  }
  parts.push(
    '<h3>Evidence rows</h3><table><tr><th>Finished (UTC)</th><th>Status</th><th>Complete</th><th>Metrics</th><th>Notes</th></tr>',
  );
  for (const r of rows) {
    parts.push(
      `<tr><td>${escapeHtml(r.finishedAt)}</td><td>${statusCell(r.status)}</td><td>${r.truncated ? 'No (capped)' : 'Yes'}</td>` +
        `<td>${list(summarizeMetrics(r.metrics))}</td><td>${r.notes.length === 0 ? '' : list(r.notes)}</td></tr>`,
    );
  }
  parts.push('</table></section>');
  return parts.join('\n');
}

/** Per control id (each framework): the signals that evidence it, with their latest status. */
function controlIndex(bySignal: ReadonlyMap<string, SignalRecord[]>): string {
  const rows = new Map<string, { framework: string; id: string; signals: string[] }>();
  for (const [id, recs] of bySignal) {
    const last = recs[recs.length - 1];
    if (last === undefined) continue;
    const c = last.controls;
    const frameworks: [string, readonly string[]][] = [
      ['SOC 2', c.soc2],
      ['ISO/IEC 27001:2022', c.iso27001],
      ['NIST SP 800-53 r5', c.nist80053],
    ];
    for (const [framework, ids] of frameworks) {
      for (const cid of ids) {
        const key = `${framework}\u0000${cid}`;
        const row = rows.get(key) ?? { framework, id: cid, signals: [] };
        row.signals.push(`${statusCell(last.status)} ${escapeHtml(id)}`);
        rows.set(key, row);
      }
    }
  }
  const sorted = [...rows.values()].sort((a, b) =>
    a.framework === b.framework
      ? a.id.localeCompare(b.id, 'en', { numeric: true })
      : a.framework.localeCompare(b.framework),
  );
  return [
    '<h2>Controls (latest status of each evidencing signal)</h2>',
    '<table><tr><th>Framework</th><th>Control</th><th>Evidence</th></tr>',
    ...sorted.map(
      (r) =>
        `<tr><td>${escapeHtml(r.framework)}</td><td>${escapeHtml(r.id)}</td><td>${r.signals.join('<br>')}</td></tr>`,
    ),
    '</table>',
  ].join('\n');
}

/**
 * A printable, self-contained auditor report: inline CSS, no script, no external asset; every value from
 * the tenant is HTML-escaped. Per signal: its controls, status over time, the rows; Owners and bypass members.
 */
/** A section another capability added: its description and its rows as a table, every value escaped. */
function exportSection(section: ExportSection): string {
  const cell = (v: unknown): string =>
    escapeHtml(v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  return [
    `<h2>${escapeHtml(section.title)}</h2>`,
    `<p>${escapeHtml(section.description)}</p>`,
    section.rows.length === 0
      ? '<p>None in this period.</p>'
      : [
          `<table><tr>${section.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`,
          ...section.rows.map(
            (r) => `<tr>${section.columns.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`,
          ),
          '</table>',
        ].join('\n'),
    section.truncated === true ? '<p>More rows exist than this report holds.</p>' : '',
  ].join('\n');
}

export function recordsToHtml(
  records: readonly SignalRecord[],
  meta: { org: string; from: Date; to: Date; generatedAt: Date },
  sections: readonly ExportSection[] = [],
): string {
  const bySignal = new Map<string, SignalRecord[]>();
  const sorted = [...records].sort((a, b) =>
    a.finishedAt < b.finishedAt ? -1 : a.finishedAt > b.finishedAt ? 1 : 0,
  );
  for (const r of sorted) {
    const rows = bySignal.get(r.id) ?? [];
    rows.push(r);
    bySignal.set(r.id, rows);
  }
  const summaryOf = (ids: readonly SignalId[]): string[] =>
    ids
      .filter((id) => bySignal.has(id))
      .map((id) => {
        const rows = bySignal.get(id) ?? [];
        const last = rows[rows.length - 1];
        return `<tr><td>${escapeHtml(id)}</td><td>${last === undefined ? '' : statusCell(last.status)}</td><td>${String(rows.length)}</td><td>${escapeHtml(last?.finishedAt ?? '')}</td></tr>`;
      });
  const title = `Duo MFA control evidence — ${meta.org}`;
  return [
    '<!DOCTYPE html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<style>${CSS}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>Period: ${escapeHtml(meta.from.toISOString())} to ${escapeHtml(meta.to.toISOString())}. Generated ${escapeHtml(meta.generatedAt.toISOString())} by duowatch. ${String(records.length)} evidence record(s).</p>`,
    '<h2>Summary (latest status per signal)</h2>',
    '<table><tr><th>Signal (compliance seed)</th><th>Latest status</th><th>Runs</th><th>Last run (UTC)</th></tr>',
    ...summaryOf(CORE_SIGNAL_IDS),
    '</table>',
    '<table><tr><th>Extended signal</th><th>Latest status</th><th>Runs</th><th>Last run (UTC)</th></tr>',
    ...summaryOf(EXTENDED_SIGNAL_IDS),
    '</table>',
    controlIndex(bySignal),
    ...[...CORE_SIGNAL_IDS, ...EXTENDED_SIGNAL_IDS].map((id) => signalSection(id, bySignal.get(id) ?? [])),
    ...sections.map(exportSection),
    '</body></html>',
    '',
  ].join('\n');
}
