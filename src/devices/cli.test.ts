import { writeFileSync } from 'node:fs';
import { runCli, startCliEmulator, type CliEmulator } from '../cli/cli-emulator.test-helpers.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantCredentials } from '../emulator/index.js';

// The scripted interface as a script drives it: the real CLI entry, the emulator over TLS, JSON on stdout.
let creds: TenantCredentials;
let world: CliEmulator;
let env: Record<string, string>;
let integrationId = '';

const ids = (n: number, from = 0): string[] =>
  Array.from(
    { length: n },
    (_, i) => `${(from + i).toString(16).padStart(8, '0')}-7921-4d8a-ae8c-1b605ad58903`,
  );

function csv(name: string, list: readonly string[]): string {
  const path = join(world.dir, name);
  writeFileSync(path, `\uFEFFdevice_id\r\n${list.join('\r\n')}\r\n`);
  return path;
}

beforeAll(async () => {
  world = await startCliEmulator({
    prefix: 'duowatch-devices-cli-',
    emulator: { seed: 'devices-cli', users: 2, rateLimit: false },
    env: { DUOWATCH_EMULATOR: 'off' },
  });
  ({ creds, env } = world);
});

afterAll(async () => world.close());

const run = (args: string[], stdin = '') => runCli(args, { env, stdin });

const sync = (file: string, ...extra: string[]) =>
  run(['devices', 'sync', '--org', 'acme', '--integration', integrationId, '--file', file, ...extra]);

describe('duowatch devices (scripted use)', () => {
  it('adds a Device API integration with the secret on stdin', async () => {
    expect((await run(['orgs', 'add', 'acme', '--name', 'Acme'])).code).toBe(0);
    const r = await run(
      [
        'integrations',
        'add',
        '--org',
        'acme',
        '--kind',
        'device',
        '--host',
        creds.hostname,
        '--ikey',
        creds.device.ikey,
        '--mkey',
        creds.device.mkey,
        '--label',
        'windows-fleet',
        '--json',
      ],
      creds.device.skey,
    );
    expect(r.code, r.err).toBe(0);
    const saved = JSON.parse(r.out) as {
      saved: boolean;
      integration: { id: string; kind: string; mkey: string };
    };
    expect(saved).toMatchObject({ saved: true, integration: { kind: 'device', mkey: creds.device.mkey } });
    expect(r.out).not.toContain(creds.device.skey);
    integrationId = saved.integration.id;
  });

  it('syncs with --json printing exactly the scripted shape, exit 0', async () => {
    const r = await sync(csv('first.csv', ids(1001)), '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      plan: { active: 0, added: 1001, removed: 0, unchanged: 0 },
      uploaded: 1001,
      activated: true,
      device_count: 1001,
      outcome: 'synced',
    });
  });

  it('a dry run plans and exits 0 without touching the cache', async () => {
    const r = await sync(csv('more.csv', ids(1100)), '--dry-run', '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      plan: { active: 1001, added: 99, removed: 0, unchanged: 1001 },
      uploaded: 0,
      activated: false,
      device_count: 1001,
      outcome: 'planned',
    });
  });

  it('the shrink guard refuses a partial export with exit 3 and says how many', async () => {
    const r = await sync(csv('partial.csv', ids(300)), '--json');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out)).toMatchObject({
      outcome: 'shrink_refused',
      activated: false,
      plan: { removed: 701 },
    });
    expect(r.err).toMatch(/remove 701 of 1001 trusted devices/);
    const forced = await sync(join(world.dir, 'partial.csv'), '--force', '--json');
    expect(forced.code, forced.err).toBe(0);
    expect(JSON.parse(forced.out)).toMatchObject({ outcome: 'synced', device_count: 300 });
  });

  it('refuses an invalid file with exit 1, naming the line, and reads stdin', async () => {
    const bad = join(world.dir, 'bad.csv');
    writeFileSync(bad, `device_id\n${ids(1)[0] ?? ''}\nnot-a-guid\n`);
    const r = await sync(bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/line 3: not a device UUID|line 3: not a Windows MachineGUID/);
    const piped = await run(
      ['devices', 'plan', '--org', 'acme', '--integration', 'windows-fleet', '--file', '-', '--json'],
      `device_id\n${ids(300).join('\n')}\n`,
    );
    expect(piped.code, piped.err).toBe(0);
    expect(JSON.parse(piped.out)).toMatchObject({
      outcome: 'planned',
      plan: { unchanged: 300, added: 0, removed: 0 },
    });
  });

  it('status shows the active cache and the last sync', async () => {
    const r = await run(['devices', 'status', '--org', 'acme', '--integration', integrationId, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ active: { device_count: 300 }, pending: [], stale: false });
  });
});
