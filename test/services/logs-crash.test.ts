import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import {
  createClock,
  createEmulator,
  type Emulator,
  type TenantCredentials,
} from '../../src/emulator/index.js';

// A backfill of ≥ 200k events (auth, telephony, activity) to a file sink and a real rsyslog receiver (syslog
// over TCP, octet counting) at once, the collector SIGKILLed at random points, then run to the end: the file
// must hold every event the emulator has for the window exactly once (the checkpoint is committed with the
// file's position; the file sink cuts what a crash left uncommitted), and rsyslog every event at least once
// (it may see the batch in flight at a kill again). Duplicates seen by rsyslog are reported.
// DUOWATCH_CRASH_KILLS (default 20; the benchmark variant runs 50) sets the number of kills.
const REQUIRE = process.env.DUOWATCH_REQUIRE_SERVICES === '1';
const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p)) ?? null;
if (RSYSLOGD === null && REQUIRE)
  throw new Error(
    'DUOWATCH_REQUIRE_SERVICES=1 but rsyslogd is missing: apt-get install -y rsyslog rsyslog-gnutls',
  );
const skipReason = RSYSLOGD === null ? ' (skipped: rsyslogd not installed)' : '';

const KILLS = Number(process.env.DUOWATCH_CRASH_KILLS ?? '20');
const USERS = 1500;
const DAYS = 40;
const STREAMS = ['auth', 'telephony', 'activity'] as const;
const ROOT = join(import.meta.dirname, '..', '..');
// Frozen emulated time an hour behind the wall clock: what the tenant holds does not change during the test.
const FROZEN = Date.now() - 3_600_000;
const SINCE = FROZEN - DAYS * 86_400_000;

let emulator: Emulator;
let listening: Awaited<ReturnType<Emulator['listen']>>;
let creds: TenantCredentials;
let dir: string;
let env: Record<string, string>;
let rsyslog: ChildProcess | undefined;
let syslogPort = 0;
let rsyslogErr = '';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  if (RSYSLOGD === null) return;
  dir = mkdtempSync(join(tmpdir(), 'duowatch-logs-crash-'));
  emulator = await createEmulator({
    seed: 'logs-crash',
    users: USERS,
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
  // rsyslog writes only the structured data of each message it parsed: the event id is there.
  syslogPort = await freePort();
  writeFileSync(
    join(dir, 'rsyslog.conf'),
    `global(workDirectory="${dir}" maxMessageSize="64k")\n` +
      `module(load="imtcp" maxSessions="200")\n` +
      `template(name="sd" type="string" string="%structured-data%\\n")\n` +
      `ruleset(name="crash") {\n  action(type="omfile" file="${dir}/syslog.log" template="sd")\n}\n` +
      `input(type="imtcp" port="${String(syslogPort)}" address="127.0.0.1" ruleset="crash")\n`,
  );
  const check = spawnSync(RSYSLOGD, ['-N1', '-f', join(dir, 'rsyslog.conf')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`rsyslog refused its config: ${check.stderr}`);
  rsyslog = spawn(RSYSLOGD, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslog.pid')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  rsyslog.stderr?.on('data', (d: Buffer) => (rsyslogErr += d.toString()));
  await until(
    `rsyslog listening on ${String(syslogPort)}`,
    20_000,
    () =>
      new Promise<boolean>((resolve) => {
        const s = connect(syslogPort, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      }),
  );
}, 120_000);

afterAll(async () => {
  if (rsyslog?.pid !== undefined && rsyslog.exitCode === null) {
    rsyslog.kill('SIGTERM');
    await new Promise((r) => rsyslog?.once('exit', r));
  }
  await listening?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
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

/** Runs the collector in a child; kills it with SIGKILL after `killAfterMs` (when given). */
function child(
  args: string[],
  killWhen?: { afterMs: number } | { afterGrowthOf: () => number; plusMs: number },
): Promise<{ code: number | null; killed: boolean; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'services', 'logs-crash-sinks.child.ts'), ...args],
      // The same SQLite data directory as the in-process runs: never the PostgreSQL that .ci/run exports.
      { cwd: ROOT, env: { ...outsideEnv(), ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    let killed = false;
    const kill = (): void => {
      killed = p.kill('SIGKILL');
    };
    let timer: NodeJS.Timeout | undefined;
    if (killWhen !== undefined && 'afterMs' in killWhen) timer = setTimeout(kill, killWhen.afterMs);
    else if (killWhen !== undefined) {
      // Mid-drain: once the file has grown (pages are being delivered), a little later.
      const start = killWhen.afterGrowthOf();
      const poll = (): void => {
        if (killWhen.afterGrowthOf() > start) timer = setTimeout(kill, killWhen.plusMs);
        else timer = setTimeout(poll, 50);
      };
      timer = setTimeout(poll, 50);
    }
    p.on('error', reject);
    p.on('exit', (code) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({ code, killed, err });
    });
  });
}

/** Every match of `pattern`'s first group in a file, counted, read line by line (the file is hundreds of MB). */
async function countIds(path: string, pattern: RegExp): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    const m = pattern.exec(line);
    if (m?.[1] !== undefined) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  }
  return counts;
}

function emulatorIds(): Map<string, string> {
  // The oracle: every event the emulator holds for the window, read in-process, keyed by (stream, ts, id).
  const t = emulator.world.tenant(creds.hostname);
  const out = new Map<string, string>();
  const hi = FROZEN - 120_000;
  for (const stream of STREAMS) {
    const q = { mintime: SINCE, maxtime: hi, limit: 1, sort: 'ts:asc' as const };
    const total =
      stream === 'auth'
        ? t.authLog(q).total
        : stream === 'telephony'
          ? t.telephonyLog(q).total
          : t.activityLog(q).total;
    out.set(stream, String(total));
  }
  return out;
}

describe.skipIf(RSYSLOGD === null)(
  `crash: SIGKILL during a backfill to a file and rsyslog${skipReason}`,
  () => {
    it(`file exactly once, rsyslog at least once, after ${String(KILLS)} kills`, async () => {
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
        '--org',
        'acme',
        '--since',
        String(SINCE),
        '--streams',
        STREAMS.join(','),
        '--file',
        file,
        '--syslog-port',
        String(syslogPort),
      ];
      const started = Date.now();
      let kills = 0;
      let midDrain = 0;
      let finishedEarly = 0;
      const size = (): number => (existsSync(file) ? statSync(file).size : 0);
      // Kills until KILLS have landed (a run that ends first is counted, and the loop is bounded). The delays are
      // short so the backfill outlasts every kill on an idle machine too: there a run drains ~15 MB a second.
      for (let i = 0; kills < KILLS && i < KILLS * 2; i++) {
        // Start-up takes one to three seconds here; kill anywhere from before the first page to mid-drain.
        const before = size();
        // Every other kill at a random time from start (often during start-up), the others mid-drain.
        const r = await child(
          args,
          i % 2 === 0
            ? { afterMs: 100 + Math.floor(Math.random() * 1400) }
            : { afterGrowthOf: size, plusMs: Math.floor(Math.random() * 500) },
        );
        if (r.killed) {
          kills += 1;
          // The file grew past where the run started (it is cut back to its commit on the next start).
          if (size() > before) midDrain += 1;
        } else {
          finishedEarly += 1;
          expect(r.code, r.err).toBe(0);
        }
      }
      const last = await child(args);
      expect(last.code, last.err).toBe(0);

      const inFile = await countIds(file, /"duowatch":\{"id":"([0-9a-f]+)","stream":"([a-z_]+)"/);
      const expected = emulatorIds();
      const byStream = new Map<string, number>();
      const fileLines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      for await (const line of fileLines) {
        const s = /"duowatch":\{"id":"[0-9a-f]+","stream":"([a-z_]+)"/.exec(line)?.[1] ?? '?';
        byStream.set(s, (byStream.get(s) ?? 0) + 1);
      }
      const fileTotal = [...inFile.values()].reduce((a, b) => a + b, 0);
      const fileDuplicates = fileTotal - inFile.size;

      // rsyslog flushes its file asynchronously: wait until every id the file holds has arrived.
      let inSyslog = new Map<string, number>();
      let missing: string[] = [];
      await until(`rsyslog to hold every event (stderr: ${rsyslogErr.slice(-300)})`, 120_000, async () => {
        inSyslog = await countIds(join(dir, 'syslog.log'), /id="([0-9a-f]+)"/);
        missing = [...inFile.keys()].filter((id) => !inSyslog.has(id));
        return missing.length === 0;
      }).catch(() => undefined);
      const syslogTotal = [...inSyslog.values()].reduce((a, b) => a + b, 0);
      const syslogDuplicates = syslogTotal - inSyslog.size;
      process.stderr.write(
        `crash test: ${String(kills)} SIGKILLs (${String(midDrain)} mid-drain), ${String(finishedEarly)} runs finished first, ` +
          `${String(inFile.size)} events in ${String(Math.round((Date.now() - started) / 1000))} s; ` +
          `file duplicates ${String(fileDuplicates)}; rsyslog received ${String(syslogTotal)} messages, ` +
          `${String(syslogDuplicates)} duplicates, ${String(missing.length)} missing\n`,
      );
      expect(fileDuplicates).toBe(0);
      expect(Object.fromEntries(STREAMS.map((s) => [s, String(byStream.get(s) ?? 0)]))).toEqual(
        Object.fromEntries(expected),
      );
      expect(inFile.size).toBeGreaterThanOrEqual(200_000);
      expect(missing).toEqual([]);
      expect([...inSyslog.keys()].filter((id) => !inFile.has(id))).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(KILLS);
      expect(midDrain).toBeGreaterThanOrEqual(KILLS / 2);
    }, 900_000);
  },
);
