import { runCli, startCliEmulator, type CliEmulator } from '../../../cli/cli-emulator.test-helpers.js';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, type TenantCredentials } from '../../../emulator/index.js';

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
