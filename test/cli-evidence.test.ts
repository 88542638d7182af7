import { readFileSync } from 'node:fs';
import { runCli, startCliEmulator, type CliEmulator } from '../src/cli/cli-emulator.test-helpers.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantCredentials } from '../src/emulator/index.js';

// The evidence CLI (docs/evidence.md) as a user runs it: a data directory, the emulator over TLS reached through the
// DUOWATCH_DUO_* variables, the secret key on stdin, JSON on stdout.
let creds: TenantCredentials;
let world: CliEmulator;
let env: Record<string, string>;

beforeAll(async () => {
  world = await startCliEmulator({
    prefix: 'duowatch-cli-',
    emulator: { seed: 'cli-test', users: 40, rateLimit: false },
  });
  ({ creds, env } = world);
});

afterAll(async () => world.close());

const run = (args: string[], stdin = '', extraEnv: Record<string, string> = {}) =>
  runCli(args, { env: { ...env, ...extraEnv }, stdin });

describe('duowatch orgs / integrations / evidence', () => {
  it('adds an organization', async () => {
    const r = await run(['orgs', 'add', 'acme', '--name', 'Acme Corp', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ slug: 'acme', name: 'Acme Corp' });
    expect((await run(['orgs', 'add', 'Not A Slug'])).code).not.toBe(0);
  });

  it('refuses a wrong secret key after testing it, saving nothing', async () => {
    const r = await run(
      [
        'integrations',
        'add',
        '--org',
        'acme',
        '--kind',
        'admin',
        '--host',
        creds.hostname,
        '--ikey',
        creds.admin.ikey,
      ],
      'y'.repeat(40),
    );
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/FAIL .*\[40103\]/);
    const list = await run(['integrations', 'list', '--org', 'acme', '--json']);
    expect(JSON.parse(list.out)).toEqual([]);
  });

  it('requires the secret on stdin or DUOWATCH_SKEY, never argv', async () => {
    const r = await run([
      'integrations',
      'add',
      '--org',
      'acme',
      '--host',
      creds.hostname,
      '--ikey',
      creds.admin.ikey,
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/stdin or in DUOWATCH_SKEY/);
  });

  it('saves with Test before Save, syncs and prints the documented shape', async () => {
    const add = await run(
      [
        'integrations',
        'add',
        '--org',
        'acme',
        '--host',
        creds.hostname,
        '--ikey',
        creds.admin.ikey,
        '--json',
      ],
      '',
      { DUOWATCH_SKEY: creds.admin.skey },
    );
    expect(add.code).toBe(0);
    expect(add.out).not.toContain(creds.admin.skey);
    expect(JSON.parse(add.out)).toMatchObject({ saved: true, report: { ok: true } });

    const sync = await run(['evidence', 'sync', '--org', 'acme', '--json']);
    expect(sync.code).toBe(0);
    const view = JSON.parse(sync.out) as { org: string; signals: Array<Record<string, unknown>> };
    expect(view.org).toBe('acme');
    expect(view.signals.map((s) => s['id'])).toEqual([
      'mfa_enrollment',
      'global_policy',
      'admin_inventory',
      'account_settings',
      'auth_log_aggregate',
    ]);
    for (const s of view.signals) {
      expect(['pass', 'warning', 'fail']).toContain(s['status']);
      expect(s).toHaveProperty('metrics');
      expect(s).toHaveProperty('controls');
      expect(typeof s['truncated']).toBe('boolean');
    }
    const one = await run(['evidence', 'sync', '--org', 'acme', '--signal', 'admin_inventory', '--json']);
    expect((JSON.parse(one.out) as { signals: Array<{ id: string }> }).signals.map((s) => s.id)).toEqual([
      'admin_inventory',
    ]);

    const show = await run(['evidence', 'show', '--org', 'acme', '--json']);
    expect((JSON.parse(show.out) as { signals: unknown[] }).signals).toHaveLength(5);
  });

  it('exports a printable HTML report to a file', async () => {
    const file = join(world.dir, 'report.html');
    const r = await run([
      'evidence',
      'export',
      '--org',
      'acme',
      '--from',
      new Date(Date.now() - 86_400_000).toISOString(),
      '--to',
      new Date(Date.now() + 60_000).toISOString(),
      '--format',
      'html',
      '--out',
      file,
    ]);
    expect(r.code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('mfa_enrollment');
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect((await run(['evidence', 'export', '--org', 'acme', '--from', 'soon', '--to', 'later'])).code).toBe(
      2,
    );
  });

  it('reports an unknown organization clearly', async () => {
    const r = await run(['evidence', 'show', '--org', 'nope']);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/organization nope not found/);
  });
});

describe('duowatch integrations add: Test before Save for every kind', () => {
  const add = (kind: string, ikey: string, extra: string[] = []) =>
    run([
      'integrations',
      'add',
      '--org',
      'kinds',
      '--kind',
      kind,
      '--host',
      creds.hostname,
      '--ikey',
      ikey,
      ...extra,
      '--json',
    ]);

  it('saves a Device API integration after a Device API call proves its keys and mkey', async () => {
    expect((await run(['orgs', 'add', 'kinds'])).code).toBe(0);
    const wrongMkey = await run(
      [
        'integrations',
        'add',
        '--org',
        'kinds',
        '--kind',
        'device',
        '--host',
        creds.hostname,
        '--ikey',
        creds.device.ikey,
        '--mkey',
        'DM' + 'X'.repeat(18),
      ],
      creds.device.skey,
    );
    expect(wrongMkey.code).toBe(3);
    expect(wrongMkey.out).toMatch(/FAIL Keys and signature accepted/);
    const noMkey = await run(
      [
        'integrations',
        'add',
        '--org',
        'kinds',
        '--kind',
        'device',
        '--host',
        creds.hostname,
        '--ikey',
        creds.device.ikey,
      ],
      creds.device.skey,
    );
    expect(noMkey.code).toBe(2);
    expect(noMkey.err).toMatch(/needs its mkey/);
    const ok = await run(
      [
        'integrations',
        'add',
        '--org',
        'kinds',
        '--kind',
        'device',
        '--host',
        creds.hostname,
        '--ikey',
        creds.device.ikey,
        '--mkey',
        creds.device.mkey,
        '--json',
      ],
      creds.device.skey,
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({
      saved: true,
      integration: { kind: 'device', mkey: creds.device.mkey },
      report: {
        ok: true,
        checks: [
          { id: 'clock', status: 'pass' },
          { id: 'signature', status: 'pass' },
        ],
      },
    });
    expect(ok.out).not.toContain(creds.device.skey);
  });

  it('saves an Auth API integration after a signed /auth/v2/check, and refuses a wrong secret', async () => {
    const bad = await run(
      [
        'integrations',
        'add',
        '--org',
        'kinds',
        '--kind',
        'auth',
        '--host',
        creds.hostname,
        '--ikey',
        creds.auth.ikey,
      ],
      'z'.repeat(40),
    );
    expect(bad.code).toBe(3);
    expect(bad.out).toMatch(/FAIL .*\[40103\]/);
    const r = await run(
      [
        'integrations',
        'add',
        '--org',
        'kinds',
        '--kind',
        'auth',
        '--host',
        creds.hostname,
        '--ikey',
        creds.auth.ikey,
        '--json',
      ],
      creds.auth.skey,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      saved: true,
      integration: { kind: 'auth' },
      report: { ok: true },
    });
    // Admin keys are not Auth API keys: Duo answers 40301 and nothing is saved.
    const admin = await add('auth', creds.admin.ikey);
    expect(admin.code).not.toBe(0);
    const list = JSON.parse((await run(['integrations', 'list', '--org', 'kinds', '--json'])).out) as Array<{
      kind: string;
    }>;
    expect(list.map((i) => i.kind).sort()).toEqual(['auth', 'device']);
  });
});
