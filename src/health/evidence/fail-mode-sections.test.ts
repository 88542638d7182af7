import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { raiserOf, type NewAlert } from '../../app/index.js';
import { openRuntime } from '../../runtime/index.js';
import { createFailModeAdvisor } from '../failmode/advisor.js';
import { healthRepository } from '../store/health-repository.js';

// The export as `duowatch evidence export` builds it (the runtime's services, no `serve`): decisions recorded
// by the real fail-mode advisor on SQLite come out in JSON, CSV and HTML, next to the policy in force.
const dir = mkdtempSync(join(tmpdir(), 'duowatch-failmode-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const configFile = join(dir, 'duowatch.yaml');
writeFileSync(
  configFile,
  [
    'health:',
    '  enabled: false',
    '  failMode:',
    '    applications:',
    '      - { name: vpn, mode: open_for_roles, roles: [student], owner: netops }',
    '      - { name: wiki, mode: open, owner: it }',
    '      - { name: wiki, org: acme, mode: closed, owner: acme-it }',
    '      - { name: payroll, org: globex, mode: open }',
    '',
  ].join('\n'),
);

describe('fail mode in the compliance evidence export', () => {
  it('lists the policy in force for the organization and every fail-open decision of the period, none as MFA', async () => {
    const rt = await openRuntime({
      env: { DUOWATCH_LOG_LEVEL: 'silent' },
      cwd: dir,
      dataDir: join(dir, 'data'),
      configFile,
    });
    try {
      const acme = await rt.store.organizations.create({ slug: 'acme', name: 'Acme' });
      const other = await rt.store.organizations.create({ slug: 'globex', name: 'Globex' });
      const alerts: NewAlert[] = [];
      let t = Date.parse('2026-11-20T10:00:00Z');
      const advisor = createFailModeAdvisor({
        store: rt.store,
        repo: healthRepository(rt.store),
        applications: () => rt.config.health.failMode.applications,
        alerts: raiserOf((a) => Promise.resolve(void alerts.push(a))),
        now: () => (t += 60_000),
      });
      const ask = (orgId: string, application: string, role: string, username: string) =>
        advisor.decide({ orgId, application, role, username, cause: 'timeout' });
      expect((await ask(acme.id, 'vpn', 'student', 'ann')).allow).toBe(true);
      expect((await ask(acme.id, 'vpn', 'viewer', 'bob')).allow).toBe(false);
      expect((await ask(acme.id, 'vpn', 'admin', 'root')).allow).toBe(false);
      expect((await ask(acme.id, 'wiki', 'viewer', 'cat')).allow).toBe(false);
      expect((await ask(other.id, 'wiki', 'viewer', 'dan')).allow).toBe(true);
      expect((await ask(acme.id, 'vpn', 'student', 'eve')).allow).toBe(true);

      const range = { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z') };
      const json = JSON.parse(
        (await rt.services.evidence.export('acme', { ...range, format: 'json' })).body,
      ) as {
        sections: Array<{ id: string; rows: Array<Record<string, string>> }>;
      };
      const policy = json.sections.find((s) => s.id === 'fail_mode_policy');
      const decisions = json.sections.find((s) => s.id === 'fail_open_decision');
      // Acme's own wiki entry replaces the global one; globex's payroll is not acme's.
      expect(policy?.rows).toEqual([
        {
          application: 'vpn',
          scope: 'all organizations',
          mode: 'open_for_roles',
          roles: 'student',
          owner: 'netops',
        },
        { application: 'wiki', scope: 'acme', mode: 'closed', roles: '', owner: 'acme-it' },
      ]);
      // Only acme's fail-open logins, oldest first; the refusals are not in this table.
      expect(
        decisions?.rows.map((r) => [r['username'], r['application'], r['role'], r['authentication']]),
      ).toEqual([
        ['ann', 'vpn', 'student', 'password only (no MFA)'],
        ['eve', 'vpn', 'student', 'password only (no MFA)'],
      ]);
      expect(decisions?.rows[0]?.['at']).toBe('2026-11-20T10:01:00.000Z');
      expect(String(decisions?.rows[0]?.['reason'])).toMatch(/password only/);

      const csv = (await rt.services.evidence.export('acme', { ...range, format: 'csv' })).body;
      expect(csv.split('\r\n').filter((l) => l.includes(',fail_open_decision,'))).toHaveLength(2);
      expect(csv.split('\r\n').filter((l) => l.includes(',fail_mode_policy,'))).toHaveLength(2);
      const html = (await rt.services.evidence.export('acme', { ...range, format: 'html' })).body;
      expect(html).toContain('Fail-open decisions (logins allowed without MFA)');
      expect(html).toContain('<td>ann</td>');
      expect(html).not.toContain('<td>dan</td>');

      // Outside the period: the policy stays, no decision.
      const later = JSON.parse(
        (
          await rt.services.evidence.export('acme', {
            from: new Date('2026-11-22T00:00:00Z'),
            to: new Date('2026-11-23T00:00:00Z'),
            format: 'json',
          })
        ).body,
      ) as { sections: Array<{ id: string; rows: unknown[] }> };
      expect(later.sections.map((s) => [s.id, s.rows.length])).toEqual([
        ['fail_mode_policy', 2],
        ['fail_open_decision', 0],
      ]);
    } finally {
      await rt.close();
    }
  });
});
