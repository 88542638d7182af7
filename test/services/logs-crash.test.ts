import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import {
  createClock,
  createEmulator,
  type Emulator,
  type TenantCredentials,
} from '../../src/emulator/index.js';

// A backfill killed with SIGKILL at random points, then run to the end: the file sink must hold every event
// exactly once (the collector's commit with the file's position, the file sink's restore on start). It needs
// no system service, but takes a minute or two of child processes, so it runs with the services suites
// (vitest.services.config.ts, .ci/run) rather than in `npm test`.
const KILLS = 20;
const ROOT = join(import.meta.dirname, '..', '..');
// Frozen emulated time an hour behind the wall clock: what the tenant holds does not change during the test.
const FROZEN = Date.now() - 3_600_000;
const SINCE = new Date(FROZEN - 20 * 86_400_000).toISOString();

let emulator: Emulator;
let listening: Awaited<ReturnType<Emulator['listen']>>;
let creds: TenantCredentials;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duowatch-logs-crash-'));
  emulator = await createEmulator({
    seed: 'logs-crash',
    users: 400,
    rateLimit: false,
    signAgainstWallClock: true,
    clock: createClock({ realNow: () => FROZEN }),
  });
  listening = await emulator.listen({ tlsDir: join(dir, 'tls') });
  const first = emulator.credentials()[0];
  if (first === undefined) throw new Error('no tenant');
  creds = first;
  env = {
    DUOWATCH_DATA_DIR: join(dir, 'data'),
    DUOWATCH_DUO_RESOLVE: `${creds.hostname}=${listening.address}:${String(listening.port)}`,
    DUOWATCH_DUO_CA_FILE: listening.caFile,
    DUOWATCH_ALLOW_PRIVATE_ADDRESSES: 'true',
    DUOWATCH_DUO_LOG_BUDGET: '0',
    DUOWATCH_LOG_LEVEL: 'silent',
  };
});

afterAll(async () => {
  await listening.close();
  rmSync(dir, { recursive: true, force: true });
});

async function inProcess(args: string[], extra: Record<string, string> = {}): Promise<number> {
  const stdin = new PassThrough();
  stdin.end('');
  return main(args, {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdin,
    env: { ...env, ...extra },
  });
}

/** The parent's environment less anything that would point the child at another database or config. */
function outsideEnv(): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && !k.startsWith('DUOWATCH_')),
  );
}

/** Runs the CLI in a child; kills it with SIGKILL after `killAfterMs` (when given). Resolves with how it ended. */
function child(
  args: string[],
  killAfterMs?: number,
): Promise<{ code: number | null; killed: boolean; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'services', 'logs-crash.child.ts'), ...args],
      {
        cwd: ROOT,
        // The same SQLite data directory as the in-process runs: never the PostgreSQL that .ci/run exports.
        env: { ...outsideEnv(), ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    let killed = false;
    const timer =
      killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = p.kill('SIGKILL');
          }, killAfterMs);
    p.on('error', reject);
    p.on('exit', (code) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({ code, killed, err });
    });
  });
}

function emulatorCount(stream: string, lo: number, hi: number): number {
  const t = emulator.world.tenant(creds.hostname);
  const q = { mintime: lo, maxtime: hi, limit: 1, sort: 'ts:asc' as const };
  if (stream === 'auth') return t.authLog(q).total;
  if (stream === 'telephony') return t.telephonyLog(q).total;
  if (stream === 'activity') return t.activityLog(q).total;
  throw new Error(stream);
}

describe('crash: SIGKILL during a backfill', () => {
  it(`loses nothing and duplicates nothing in the file sink after ${String(KILLS)} kills`, async () => {
    expect(await inProcess(['orgs', 'add', 'acme', '--name', 'Acme'])).toBe(0);
    expect(
      await inProcess(
        [
          'integrations',
          'add',
          '--org',
          'acme',
          '--host',
          creds.hostname,
          '--ikey',
          creds.admin.ikey,
          '--force',
        ],
        { DUOWATCH_SKEY: creds.admin.skey },
      ),
    ).toBe(0);
    const file = join(dir, 'out', 'duo.ndjson');
    const args = [
      'logs',
      'backfill',
      '--org',
      'acme',
      '--since',
      SINCE,
      '--streams',
      'auth,telephony,activity',
      '--sink',
      `file:${file}`,
      '--no-progress',
    ];
    let kills = 0;
    let finishedEarly = 0;
    for (let i = 0; i < KILLS; i++) {
      // Start-up takes a second or two here; kill anywhere from before the first page to mid-drain.
      const r = await child(args, 800 + Math.floor(Math.random() * 3500));
      if (r.killed) kills += 1;
      else {
        finishedEarly += 1;
        expect(r.code, r.err).toBe(0);
      }
    }
    const last = await child(args);
    expect(last.code, last.err).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const events = lines.map((l) => JSON.parse(l) as { duowatch: { id: string; stream: string } });
    const ids = events.map((e) => e.duowatch.id);
    const duplicates = ids.length - new Set(ids).size;
    const lo = Date.parse(SINCE);
    const hi = FROZEN - 120_000;
    const expected = ['auth', 'telephony', 'activity'].map((s) => emulatorCount(s, lo, hi));
    const got = ['auth', 'telephony', 'activity'].map(
      (s) => events.filter((e) => e.duowatch.stream === s).length,
    );
    // For the report: how many runs were really killed mid-way, and the size of the backfill.
    process.stderr.write(
      `crash test: ${String(kills)} SIGKILLs, ${String(finishedEarly)} runs finished first, ${String(ids.length)} events, ${String(duplicates)} duplicates\n`,
    );
    expect(duplicates).toBe(0);
    expect(got).toEqual(expected);
    expect(kills).toBeGreaterThanOrEqual(KILLS / 2);
  }, 600_000);
});
