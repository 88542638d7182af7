import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli-emulator.test-helpers.js';
import { createEmulator, type Emulator, type TenantCredentials } from '../../src/emulator/index.js';
import { createTestDatabase, reachable, type TestDatabase } from './store-pg-database.js';

// Two `duowatch devices sync` OS processes on one integration at once, on one SQLite file and on one
// PostgreSQL database: one syncs (exit 0), the other is refused with the lock explained (exit 1). The
// emulator's Device API answers slowly (a latency fault) so the first sync holds its lease while the second
// process starts. The PostgreSQL case fails, never skips, under DUOWATCH_REQUIRE_SERVICES=1.
const ROOT = join(import.meta.dirname, '..', '..');
const url = process.env['DATABASE_URL'] ?? '';
const required = process.env['DUOWATCH_REQUIRE_SERVICES'] === '1';
const pgAvailable = url !== '' && (await reachable(url));

let emulator: Emulator;
let listening: Awaited<ReturnType<Emulator['listen']>>;
let creds: TenantCredentials;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duowatch-devices-lock-'));
  emulator = await createEmulator({ seed: 'devices-lock', users: 2, rateLimit: false });
  listening = await emulator.listen({ tlsDir: join(dir, 'tls') });
  const first = emulator.credentials()[0];
  if (first === undefined) throw new Error('no tenant');
  creds = first;
});

afterAll(async () => {
  await listening.close();
  rmSync(dir, { recursive: true, force: true });
});

function envFor(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DUOWATCH_DATA_DIR: join(dir, name),
    DUOWATCH_DUO_RESOLVE: `${creds.hostname}=${listening.address}:${String(listening.port)}`,
    DUOWATCH_DUO_CA_FILE: listening.caFile,
    DUOWATCH_ALLOW_PRIVATE_ADDRESSES: 'true',
    DUOWATCH_EMULATOR: 'off',
    DUOWATCH_LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** This process's environment without duowatch's own settings (`.ci/run` exports DATABASE_URL for every suite). */
function inherited(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && k !== 'DATABASE_URL' && !k.startsWith('DUOWATCH_')) out[k] = v;
  return out;
}

/** The CLI as its own OS process; resolves with its exit code and output. */
function cliProcess(
  args: string[],
  env: Record<string, string>,
  options: { held?: boolean } = {},
): {
  done: Promise<{ code: number | null; out: string; err: string }>;
  /** Held processes only: resolves once the CLI's modules are loaded; `go()` then starts the command. */
  ready: Promise<void>;
  go(): void;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test', 'services', 'cli-process.child.ts'), ...args],
    {
      cwd: ROOT,
      env: { ...inherited(), ...env },
      stdio: ['ignore', 'pipe', 'pipe', ...(options.held === true ? (['ipc'] as const) : [])],
    },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, err }));
  });
  const ready = new Promise<void>((resolve, reject) => {
    if (options.held !== true) return resolve();
    child.once('message', () => resolve());
    void done.then((r) => reject(new Error(`the held CLI ended before it was ready: ${r.err}`)));
  });
  return { done, ready, go: () => child.send?.('go') };
}

async function waitFor(what: string, fn: () => boolean, ms = 100_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function contention(env: Record<string, string>): Promise<void> {
  expect((await runCli(['orgs', 'add', 'acme', '--name', 'Acme'], { env })).code).toBe(0);
  const added = await runCli(
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
      '--json',
    ],
    { env, stdin: creds.device.skey },
  );
  expect(added.code, added.err).toBe(0);
  const integrationId = (JSON.parse(added.out) as { integration: { id: string } }).integration.id;
  const file = join(dir, `fleet-${integrationId}.csv`);
  const ids = Array.from(
    { length: 20 },
    (_, i) => `${i.toString(16).padStart(8, '0')}-7921-4d8a-ae8c-1b605ad58903`,
  );
  writeFileSync(file, `device_id\n${ids.join('\n')}\n`);
  const args = ['devices', 'sync', '--org', 'acme', '--integration', integrationId, '--file', file, '--json'];

  // Every Device API request of this management system now takes 1.5 s more: the first sync holds its lease
  // for several seconds (plan, pending cache, upload, count, activate, confirm).
  const slow = emulator.control.addFault({ kind: 'latency', latencyMs: 1500, path: '/device/v1/*' });
  emulator.control.clearRequests();
  try {
    // The second process loads its modules before the first starts (seconds on a loaded machine, longer
    // than the first sync's lease), and runs the command only once the first holds the lease.
    const contender = cliProcess(args, env, { held: true });
    await contender.ready;
    const first = cliProcess(args, env);
    let firstEnded: string | null = null;
    void first.done.then((r) => (firstEnded = `exit ${String(r.code)}: ${r.out} ${r.err}`));
    // The first process holds the lease once it talks to the Device API.
    await waitFor('the first sync reaching the Device API', () => {
      if (firstEnded !== null)
        throw new Error(`the first sync ended before reaching the Device API (${firstEnded})`);
      return emulator.control.requests({ limit: 1000 }).some((r) => r.path.startsWith('/device/v1/'));
    });
    contender.go();
    const second = await contender.done;
    const one = await first.done;
    expect(one.code, one.err).toBe(0);
    expect(JSON.parse(one.out)).toMatchObject({
      outcome: 'synced',
      uploaded: 20,
      activated: true,
      device_count: 20,
    });
    expect(second.code, second.out + second.err).toBe(1);
    expect(second.err).toMatch(
      /another sync of this integration is running \(pid \d+ \w+, lease until .+\[sync_locked\]/,
    );
    expect(JSON.parse(second.out)).toMatchObject({ outcome: 'failed', uploaded: 0, activated: false });
  } finally {
    emulator.control.removeFault(slow.id);
  }
  // Once the first is done the lease is free again: a new sync runs.
  const again = await runCli(args, { env });
  expect(again.code, again.err).toBe(0);
}

describe('devices sync: two CLI processes on one integration', () => {
  it('on one SQLite file: one syncs, the other is refused with the lock explained, exit 1', async () => {
    await contention(envFor('sqlite'));
  });

  if (!pgAvailable && required) {
    it('on one PostgreSQL database (DUOWATCH_REQUIRE_SERVICES=1)', () => {
      throw new Error(url === '' ? 'DATABASE_URL is not set' : 'PostgreSQL at DATABASE_URL is not reachable');
    });
  } else if (!pgAvailable) {
    it.skip('on one PostgreSQL database (skipped: DATABASE_URL unset or unreachable)', () => undefined);
  } else {
    it('on one PostgreSQL database: one syncs, the other is refused with the lock explained, exit 1', async () => {
      const database: TestDatabase = await createTestDatabase(url);
      try {
        await contention(envFor('pg', { DATABASE_URL: database.url }));
      } finally {
        await database.drop();
      }
    });
  }
});
