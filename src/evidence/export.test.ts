import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CORE_SIGNAL_IDS,
  EXTENDED_SIGNAL_IDS,
  type SignalRecord,
  type SignalResult,
} from '../shared/index.js';
import {
  CONTROL_MAP,
  csvCell,
  escapeHtml,
  exportEvidence,
  mfaEnrollmentSignal,
  adminInventorySignal,
  renderControlsMarkdown,
  type ExportRecord,
  type ExportSection,
} from './index.js';
import { createMemoryEvidenceStore } from './memory-store.test-helpers.js';

const T = Date.parse('2026-11-20T00:00:00Z');

function rec(r: SignalResult, at: number): SignalRecord {
  return {
    ...r,
    orgId: 'acme',
    integrationId: 'int1',
    runId: null,
    startedAt: new Date(at).toISOString(),
    finishedAt: new Date(at + 1500).toISOString(),
  };
}

async function seeded() {
  const store = createMemoryEvidenceStore();
  const evil = '<script>alert(1)</script>';
  const users = [
    { username: '=HYPERLINK("http://x")', realname: evil, status: 'bypass', is_enrolled: true },
    { username: 'ok', status: 'active', is_enrolled: true },
  ];
  await store.saveRecord(rec(mfaEnrollmentSignal(users, { now: T }), T));
  await store.saveRecord(rec(mfaEnrollmentSignal([users[1] ?? {}], { now: T }), T + 4 * 3_600_000));
  await store.saveRecord(
    rec(
      adminInventorySignal(
        [{ name: `Owner "O'Brien" ${evil}`, role: 'Owner', status: 'Active', last_login: null }],
        { now: T },
      ),
      T,
    ),
  );
  return store;
}

const range = {
  org: 'acme',
  from: new Date(T - 86_400_000),
  to: new Date(T + 86_400_000),
  now: new Date(T + 86_400_000),
};

describe('export', () => {
  it('csv: escaped, formula-injection safe, one row per record (golden)', async () => {
    const f = await exportEvidence(await seeded(), { ...range, format: 'csv' });
    expect(f.contentType).toMatch(/text\/csv/);
    expect(f.filename).toBe('duowatch-evidence-acme-2026-11-19-2026-11-21.csv');
    const lines = f.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'finished_at,started_at,org,integration,signal,extended,status,truncated,control_names,soc2,iso27001,nist80053,notes,metrics_json',
    );
    expect(lines).toHaveLength(4);
    expect(
      lines[1]?.startsWith(
        '2026-11-20T00:00:01.500Z,2026-11-20T00:00:00.000Z,acme,int1,mfa_enrollment,false,fail,false,',
      ),
    ).toBe(true);
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(csvCell(null)).toBe('');
    // The tenant's username inside the JSON cell is quoted, never at a cell start.
    expect(f.body).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it('html: self-contained, everything escaped, Owners and bypass members, status over time', async () => {
    const f = await exportEvidence(await seeded(), { ...range, format: 'html' });
    const html = f.body;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toContain('<script');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).toContain('Owners (latest run)');
    expect(html).toContain('Owner &#34;O&#39;Brien&#34;');
    expect(html).toContain('Bypass members (latest run)');
    expect(html).toContain('Status over time (2 run(s))');
    expect(html).toContain('CC6.1');
    // Per control: NIST IA-2(1) is evidenced by mfa_enrollment, whose latest run passed.
    expect(html).toMatch(
      /<td>NIST SP 800-53 r5<\/td><td>IA-2\(1\)<\/td><td><span class="pass">PASS<\/span> mfa_enrollment<\/td>/,
    );
    expect(escapeHtml(`<a href="x">'&\``)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#96;');
  });

  it('html bypass members come from the latest run in the range', async () => {
    const store = createMemoryEvidenceStore();
    await store.saveRecord(
      rec(mfaEnrollmentSignal([{ username: 'bypassed-bob', status: 'bypass' }], { now: T }), T),
    );
    const html = (await exportEvidence(store, { ...range, format: 'html' })).body;
    expect(html).toContain('<li>bypassed-bob</li>');
  });

  it('refuses an inverted or invalid range', async () => {
    const store = createMemoryEvidenceStore();
    await expect(
      exportEvidence(store, { ...range, from: range.to, to: range.from, format: 'json' }),
    ).rejects.toMatchObject({ code: 'evidence_bad_range' });
    await expect(
      exportEvidence(store, { ...range, from: new Date('nope'), format: 'csv' }),
    ).rejects.toMatchObject({ code: 'evidence_bad_range' });
  });

  it('json: records in the range with normalised timestamps (golden-ish)', async () => {
    const f = await exportEvidence(await seeded(), { ...range, format: 'json' });
    const parsed = JSON.parse(f.body.replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"<ts>"')) as {
      org: string;
      records: ExportRecord[];
    };
    expect(parsed.org).toBe('acme');
    expect(parsed.records.map((r) => [r.signalId, r.status, r.startedAt])).toEqual([
      ['mfa_enrollment', 'fail', '<ts>'],
      ['admin_inventory', 'pass', '<ts>'],
      ['mfa_enrollment', 'pass', '<ts>'],
    ]);
    // The public record format (docs/evidence.md): these names, in this order, and no run id.
    expect(Object.keys(parsed.records[0] ?? {})).toEqual([
      'org',
      'integration',
      'signalId',
      'status',
      'metrics',
      'controls',
      'truncated',
      'notes',
      'extended',
      'runKind',
      'startedAt',
      'finishedAt',
      'durationMs',
    ]);
    expect(parsed.records[0]).toMatchObject({
      org: 'acme',
      integration: 'int1',
      extended: false,
      runKind: 'identity_sync',
      durationMs: 1500,
    });
  });
});

describe('export sections from other capabilities', () => {
  const section: ExportSection = {
    id: 'fail_open_decision',
    title: 'Fail-open <decisions>',
    description: 'Logins let in without MFA.',
    columns: ['at', 'username', 'reason'],
    timeColumn: 'at',
    rows: [{ at: '2026-11-20T10:00:00.000Z', username: '=cmd|calc', reason: '<b>password only</b>' }],
  };
  const empty: ExportSection = {
    id: 'fail_mode_policy',
    title: 'Policy',
    description: 'd',
    columns: ['a'],
    rows: [],
  };

  it('json carries each section with its rows; csv appends its rows under the section id; html escapes them', async () => {
    const store = await seeded();
    const json = JSON.parse(
      (await exportEvidence(store, { ...range, format: 'json', sections: [section, empty] })).body,
    ) as {
      sections: Array<{ id: string; rows: unknown[]; truncated: boolean }>;
    };
    expect(json.sections.map((x) => [x.id, x.rows.length, x.truncated])).toEqual([
      ['fail_open_decision', 1, false],
      ['fail_mode_policy', 0, false],
    ]);
    const csv = (await exportEvidence(store, { ...range, format: 'csv', sections: [section] })).body
      .trimEnd()
      .split('\r\n');
    expect(csv).toHaveLength(5);
    expect(csv[4]?.startsWith('2026-11-20T10:00:00.000Z,,acme,,fail_open_decision,false,info,false,')).toBe(
      true,
    );
    expect(csv[4]).toContain('Fail-open <decisions>');
    expect(csv.join('\n')).not.toMatch(/(^|,)=cmd/m);
    const html = (await exportEvidence(store, { ...range, format: 'html', sections: [section, empty] })).body;
    expect(html).toContain('<h2>Fail-open &#60;decisions&#62;</h2>');
    expect(html).toContain('<td>&#60;b&#62;password only&#60;/b&#62;</td>');
    expect(html).toContain('None in this period.');
    expect(html).not.toContain('<b>password only');
  });
});

describe('controls', () => {
  it('every signal maps to seed names and all three frameworks', () => {
    for (const id of [...CORE_SIGNAL_IDS, ...EXTENDED_SIGNAL_IDS]) {
      const m = CONTROL_MAP[id];
      expect(m.names.length).toBeGreaterThan(0);
      expect(m.soc2.every((c) => /^CC\d\.\d$/.test(c))).toBe(true);
      expect(m.iso27001.every((c) => /^[5-8]\.\d{1,2}$/.test(c))).toBe(true);
      expect(m.nist80053.every((c) => /^[A-Z]{2}-\d+(\(\d+\))?$/.test(c))).toBe(true);
    }
  });
  it('docs/controls.md holds exactly the table generated from CONTROL_MAP', () => {
    const doc = readFileSync(new URL('../../docs/controls.md', import.meta.url), 'utf8');
    const between = /<!-- controls:begin -->\n([\s\S]*?)\n<!-- controls:end -->/.exec(doc);
    expect(between?.[1]).toBe(renderControlsMarkdown());
  });
});
