import { runCli, startCliEmulator, type CliEmulator } from '../../../cli/cli-emulator.test-helpers.js';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { capabilityMigrations } from '../../../app/index.js';
import { type Emulator, type TenantCredentials } from '../../../emulator/index.js';
import { openStore } from '../../../store/index.js';
import type { MaintenanceRow } from '../../monitor/maintenance-schedule.js';
import { maintenanceRepository } from '../../store/maintenance-repository.js';

// `duowatch health probe --org X --json` as a script runs it: a data directory, the emulator over TLS
// reached through the DUOWATCH_DUO_* variables, JSON on stdout in exactly the documented shape.
let emulator: Emulator;
let creds: TenantCredentials;
let world: CliEmulator;
let env: Record<string, string>;

const run = (args: string[], stdin = '', extraEnv: Record<string, string> = {}) =>
  runCli(args, { env: { ...env, ...extraEnv }, stdin });

interface Scripted {
  integration: string;
  kind: string;
  ping: { ok: boolean; ms: number };
  signed: { ok: boolean; code: number | null; ms: number };
  phases_ms: Record<'dns' | 'connect' | 'tls' | 'ttfb' | 'total', number | null>;
  clock_skew_s: number | null;
  healthy: boolean;
  reason: string;
}

async function probe(
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; rows: Scripted[]; err: string }> {
  const r = await run(['health', 'probe', '--org', 'acme', '--json'], '', extraEnv);
  return { code: r.code, rows: JSON.parse(r.out) as Scripted[], err: r.err };
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  world = await startCliEmulator({
    prefix: 'duowatch-health-cli-',
    emulator: { seed: 'health-cli', users: 10, rateLimit: false },
  });
  ({ emulator, creds, env } = world);
  expect((await run(['orgs', 'add', 'acme', '--json'])).code).toBe(0);
  for (const kind of ['admin', 'auth'] as const) {
    const r = await run(
      [
        'integrations',
        'add',
        '--org',
        'acme',
        '--kind',
        kind,
        '--host',
        creds.hostname,
        '--ikey',
        creds[kind].ikey,
        '--json',
      ],
      creds[kind].skey,
    );
    expect(r.code, r.err).toBe(0);
    ids[kind] = (JSON.parse(r.out) as { integration: { id: string } }).integration.id;
  }
});

afterEach(() => {
  emulator.control.clearFaults();
  emulator.control.setOffset(0);
});

afterAll(async () => world.close());

describe('duowatch health probe --org X --json', () => {
  it('prints one object per integration in exactly the scripted shape, healthy, exit 0', async () => {
    const { code, rows } = await probe();
    expect(code).toBe(0);
    expect(rows.map((r) => r.kind).sort()).toEqual(['admin', 'auth']);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual([
        'integration',
        'kind',
        'ping',
        'signed',
        'phases_ms',
        'clock_skew_s',
        'healthy',
        'reason',
      ]);
      expect(r.integration).toBe(ids[r.kind]);
      expect(r).toMatchObject({
        ping: { ok: true },
        signed: { ok: true, code: null },
        healthy: true,
        reason: 'ok',
      });
      expect(r.phases_ms.dns).toBe(0);
      expect(r.phases_ms.tls).toBeGreaterThan(0);
      expect(r.phases_ms.total).toBeGreaterThanOrEqual(r.phases_ms.ttfb ?? Infinity);
      expect(Math.abs(r.clock_skew_s ?? 99)).toBeLessThan(2);
    }
  });

  it("a wrong key: ping ok, signed failing with Duo's code, healthy false, exit 3", async () => {
    const rotated = emulator.control.rotateSecret(creds.hostname, creds.auth.ikey);
    try {
      const { code, rows } = await probe();
      expect(code).toBe(3);
      const auth = rows.find((r) => r.kind === 'auth');
      expect(auth).toMatchObject({ ping: { ok: true }, signed: { ok: false, code: 40103 }, healthy: false });
      expect(auth?.reason).toMatch(/^ping answers but the signed GET \/auth\/v2\/check failed/);
      expect(rows.find((r) => r.kind === 'admin')?.healthy).toBe(true);
      expect(JSON.stringify(rows)).not.toContain(rotated.skey);
    } finally {
      // Put the original secret back so later cases see good keys.
      emulator.world.tenant(creds.hostname).application(creds.auth.ikey)!.skey = creds.auth.skey;
    }
  });

  it('a 5xx from Duo, and a hang that runs into the probe timeout', async () => {
    emulator.control.addFault({ kind: 'error', path: '/admin/v1/settings', status: 503 });
    let r = await probe();
    expect(r.code).toBe(3);
    expect(r.rows.find((x) => x.kind === 'admin')).toMatchObject({
      ping: { ok: true },
      signed: { ok: false, code: 50001 },
      healthy: false,
    });
    emulator.control.clearFaults();
    emulator.control.addFault({ kind: 'hang', path: '/auth/v2/*' });
    const cfg = join(world.dir, 'fast.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(cfg, 'health:\n  timeoutSeconds: 0.5\n');
    r = await probe({ DUOWATCH_CONFIG: cfg });
    const auth = r.rows.find((x) => x.kind === 'auth');
    expect(auth).toMatchObject({ ping: { ok: false }, signed: { ok: false, code: null }, healthy: false });
    expect(auth?.reason).toMatch(/^unreachable: timeout/);
    expect(auth?.signed.ms).toBeGreaterThanOrEqual(450);
    expect(auth?.phases_ms.ttfb).toBeNull();
  });

  it("clock skew: reported in seconds, and beyond Duo's window the signed check fails", async () => {
    emulator.control.setOffset(40_000);
    let r = await probe();
    for (const row of r.rows) {
      expect(row.clock_skew_s).toBeGreaterThan(38);
      expect(row.healthy).toBe(true);
      expect(row.reason).toMatch(/clock differs/);
    }
    emulator.control.setOffset(600_000);
    r = await probe();
    for (const row of r.rows) {
      expect(row.healthy).toBe(false);
      expect(row.signed.ok).toBe(false);
      expect(row.clock_skew_s).toBeGreaterThan(598);
    }
  });

  it('TLS failure: without the emulator CA nothing is trusted, and the phases stop after connect', async () => {
    const r = await probe({ DUOWATCH_DUO_CA_FILE: '' });
    expect(r.code).toBe(3);
    for (const row of r.rows) {
      expect(row).toMatchObject({ ping: { ok: false }, signed: { ok: false, code: null }, healthy: false });
      expect(row.reason).toMatch(/TLS verification failed/);
      expect(row.phases_ms.connect).toBeGreaterThan(0);
      expect(row.phases_ms.tls).toBeNull();
    }
  });

  it('an unknown organization is a clear error', async () => {
    const r = await run(['health', 'probe', '--org', 'nope', '--json']);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/organization "nope" not found \[health.not_found\]/);
  });
});

describe('duowatch health status', () => {
  it('lists every integration with its state (UNKNOWN before any scheduled probe) and uptime fields', async () => {
    const r = await run(['health', 'status', '--org', 'acme', '--json']);
    expect(r.code, r.err).toBe(0);
    const rows = JSON.parse(r.out) as Array<{
      integration: string;
      state: string;
      uptime: Record<string, unknown>;
      slo: unknown;
    }>;
    expect(rows.map((x) => x.integration).sort()).toEqual([ids['admin'], ids['auth']].sort());
    for (const row of rows) {
      expect(row.state).toBe('UNKNOWN');
      expect(row.uptime).toEqual({ '24h': null, '7d': null, '30d': null });
      expect(row.slo).toEqual({ target: 99.9, met_30d: null });
    }
    const text = await run(['health', 'status']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/acme .* UNKNOWN/);
  });
});

describe('duowatch health maintenance list|add|delete', () => {
  const iso = (fromNowMs: number) => new Date(Date.now() + fromNowMs).toISOString();
  const HOUR = 3_600_000;

  it('schedules, lists next to the config windows, and deletes; audited as the CLI; the monitor sees it', async () => {
    // A config window for acme, so the list shows both kinds as the Health page does.
    const cfg = join(world.dir, 'maintenance.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      cfg,
      `health:\n  maintenance:\n    - { org: acme, start: "${iso(-HOUR)}", end: "${iso(HOUR)}", reason: "IdP upgrade" }\n`,
    );
    const withCfg = { DUOWATCH_CONFIG: cfg };
    const start = iso(HOUR);
    const end = iso(2 * HOUR);
    const added = await run(
      [
        'health',
        'maintenance',
        'add',
        '--org',
        'acme',
        '--integration',
        ids['admin']!,
        '--start',
        start,
        '--end',
        end,
        '--reason',
        'firewall change',
        '--json',
      ],
      '',
      withCfg,
    );
    expect(added.code, added.err).toBe(0);
    const w = JSON.parse(added.out) as MaintenanceRow;
    expect(w).toEqual({
      id: expect.any(Number) as number,
      source: 'api',
      integration: ids['admin'],
      start,
      end,
      reason: 'firewall change',
      active: false,
      created_by: 'cli',
    });
    // One for every integration, open now, with the default reason; the text output names it.
    const open = await run(
      ['health', 'maintenance', 'add', '--org', 'acme', '--start', iso(-60_000), '--end', iso(HOUR)],
      '',
      withCfg,
    );
    expect(open.code, open.err).toBe(0);
    expect(open.out).toMatch(/^scheduled maintenance window \d+ in acme\n/);
    expect(open.out).toMatch(/every integration\s+ACTIVE maintenance \(by cli\)/);

    const list = await run(['health', 'maintenance', 'list', '--org', 'acme', '--json'], '', withCfg);
    expect(list.code, list.err).toBe(0);
    const rows = JSON.parse(list.out) as MaintenanceRow[];
    expect(rows.map((r) => [r.source, r.reason, r.active, r.integration])).toEqual([
      ['config', 'IdP upgrade', true, null],
      ['api', 'maintenance', true, null],
      ['api', 'firewall change', false, ids['admin']],
    ]);
    expect(rows[0]?.id).toBeNull();
    const text = await run(['health', 'maintenance', 'list', '--org', 'acme'], '', withCfg);
    expect(text.out).toMatch(/^config .*IdP upgrade\n/);
    expect(text.out.trim().split('\n')).toHaveLength(3);

    // The monitor's lookup (what silences alerts and counts probes apart) finds the stored windows.
    const store = await openStore({
      dataDir: env['DUOWATCH_DATA_DIR']!,
      env: {},
      migrations: capabilityMigrations,
    });
    try {
      const acme = await store.organizations.findBySlug('acme');
      const windows = maintenanceRepository(store);
      expect((await windows.at(acme!.id, ids['auth']!, Date.now()))?.reason).toBe('maintenance');
      expect((await windows.at(acme!.id, ids['admin']!, Date.parse(start) + 1))?.id).toBe(w.id);
    } finally {
      await store.close();
    }

    // Another organization cannot delete it.
    expect((await run(['orgs', 'add', 'globex', '--json'])).code).toBe(0);
    const foreign = await run(['health', 'maintenance', 'delete', String(w.id), '--org', 'globex']);
    expect(foreign.code).toBe(4);
    expect(foreign.err).toMatch(/maintenance window \d+ of globex not found \[health.not_found\]/);

    const del = await run(['health', 'maintenance', 'delete', String(w.id), '--org', 'acme', '--json']);
    expect(del.code, del.err).toBe(0);
    expect(JSON.parse(del.out)).toMatchObject({ id: w.id, reason: 'firewall change', source: 'api' });
    const again = await run(['health', 'maintenance', 'delete', String(w.id), '--org', 'acme']);
    expect(again.code).toBe(4);
    const after = JSON.parse(
      (await run(['health', 'maintenance', 'list', '--org', 'acme', '--json'], '', withCfg)).out,
    ) as MaintenanceRow[];
    expect(after.map((r) => r.reason)).toEqual(['IdP upgrade', 'maintenance']);

    const audit = await openStore({
      dataDir: env['DUOWATCH_DATA_DIR']!,
      env: {},
      migrations: capabilityMigrations,
    });
    try {
      const entries = (await audit.auditLog.listAll()).filter((a) =>
        a.action.startsWith('health.maintenance'),
      );
      const line = (a: (typeof entries)[number]) =>
        `${a.action} by ${a.actor}: ${String(a.target)} ${String(a.details?.['reason'])} ${String(a.details?.['outcome'])}`;
      expect(entries.map(line).sort()).toEqual(
        [
          `health.maintenance_add by cli: ${String(w.id)} firewall change success`,
          `health.maintenance_delete by cli: ${String(w.id)} firewall change success`,
          `health.maintenance_add by cli: ${String(rows[1]?.id)} maintenance success`,
        ].sort(),
      );
    } finally {
      await audit.close();
    }
  });

  it('refuses bad windows and arguments with a clear code, and stores nothing', async () => {
    const before = (await run(['health', 'maintenance', 'list', '--org', 'acme', '--json'])).out;
    const add = (args: string[]) => run(['health', 'maintenance', 'add', '--org', 'acme', ...args]);
    for (const [args, code, message] of [
      [['--start', iso(2 * HOUR), '--end', iso(HOUR)], 'health.bad_window', /end must be after start/],
      [['--start', iso(-2 * HOUR), '--end', iso(-HOUR)], 'health.bad_window', /already ended/],
      [['--start', iso(HOUR), '--end', iso(32 * 24 * HOUR)], 'health.bad_window', /at most 31 days/],
      [
        ['--integration', 'not-ours', '--start', iso(HOUR), '--end', iso(2 * HOUR)],
        'health.bad_window',
        /no integration not-ours/,
      ],
      [['--start', 'tomorrow', '--end', iso(HOUR)], 'health.invalid', /--start must be an ISO time/],
      [['--start', iso(HOUR), '--end', '2026-12-01T02:00:00'], 'health.invalid', /--end must be an ISO time/],
      [['--start', iso(HOUR), '--end', iso(2 * HOUR), '--reason', ''], 'health.invalid', /--reason/],
    ] as const) {
      const r = await add([...args]);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err).toContain(`[${code}]`);
      expect(r.err).toMatch(message);
    }
    const del = await run(['health', 'maintenance', 'delete', 'x1', '--org', 'acme']);
    expect(del.code).toBe(2);
    expect(del.err).toMatch(/positive whole number .*\[health.invalid\]/);
    const unknown = await run(['health', 'maintenance', 'list', '--org', 'nope']);
    expect(unknown.code).toBe(4);
    expect((await run(['health', 'maintenance', 'list', '--org', 'acme', '--json'])).out).toBe(before);
  });

  it('--help names the three commands and the fields', async () => {
    const group = await run(['health', 'maintenance', '--help']);
    expect(group.code).toBe(0);
    for (const sub of ['list', 'add', 'delete']) expect(group.out).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
    const add = await run(['health', 'maintenance', 'add', '--help']);
    for (const flag of ['--org', '--start', '--end', '--integration', '--reason', '--json'])
      expect(add.out).toContain(flag);
  });
});
