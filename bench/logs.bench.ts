/**
 * Log collection end to end (docs/logs.md, "Numbers"): the emulator runs in a child process over real TLS, the
 * collector (real Duo client, SQLite checkpoints, real sinks) in this one.
 *
 * 1. Throughput with the emulator's rate limits off and unlimited client budgets: auth, telephony and activity
 *    are read once from the emulator over TLS with the reply bodies recorded (bench/logs-replay.ts); the raw
 *    baseline parses those same bodies, stringifies every event and appends it (one write and one fsync per
 *    page); the collector then runs on the same bodies replayed from memory to the real client, to the file
 *    sink (ECS) and to a syslog TCP sink (ECS body, loopback receiver), so the ratio compares the pipeline with
 *    raw on the same pages and does not measure the emulator. The emulator's serving rate and one end-to-end run
 *    from the emulator are reported beside it.
 * 2. Catch-up under the emulator's Duo-like limits (2 log requests a minute per endpoint): auth-log events
 *    delivered in LOGS_BENCH_CATCHUP_S seconds (default 120) from a 30-day backlog, against what those limits
 *    allow in that time (2 pages/min × 1000 events).
 * 3. Peak RSS of a 1,000,000-event backfill (BENCH_SCALE scales it), in its own child process (logs-rss.child.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDuoClient, DuoDispatcher, LimiterRegistry, systemClock } from '../src/duo/index.js';
import { initialCheckpoint } from '../src/logs/checkpoint.js';
import { readPages } from '../src/logs/read-pages.js';
import { createFileSink, createSyslogSink, type LogSink } from '../src/logs/sinks/index.js';
import { STREAM_SPECS, type LogStream } from '../src/logs/streams.js';
import { collectRun, emulatorTransport, startEmulator, type EmulatorInfo } from './logs-support.js';
import { recordingDispatcher, replayDispatcher } from './logs-replay.js';
import type { BenchRow } from './run.js';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const STREAMS: LogStream[] = ['auth', 'telephony', 'activity'];
const DAY = 86_400_000;
const UNLIMITED = { log: 0, auth_log: 0 };

/**
 * Every page of the window, read by the collector's own page reader through the real client over TLS, with the
 * reply bodies recorded: the raw baseline's input and the replayed pipeline runs' replies.
 */
async function fetchPages(
  info: EmulatorInfo,
  firstFrom: number,
  now: number,
): Promise<{ bodies: Map<string, Buffer>; events: number; seconds: number; cpuSeconds: number }> {
  const bodies = new Map<string, Buffer>();
  const client = createDuoClient({
    ikey: info.ikey,
    skey: info.skey,
    host: info.host,
    dispatcher: recordingDispatcher(new DuoDispatcher(emulatorTransport(info)), bodies),
    limiter: new LimiterRegistry({ clock: systemClock, ratesPerMinute: UNLIMITED }),
  });
  let events = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    STREAMS.map(async (s) => {
      for await (const page of readPages(
        STREAM_SPECS[s],
        (r) => client.request(r),
        initialCheckpoint(firstFrom),
        { now },
      ))
        events += page.events.length;
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return {
    bodies,
    events,
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/**
 * The baseline: the same recorded reply bodies decoded and parsed, every event stringified and appended, one
 * write and one fsync per page.
 */
async function rawWrite(
  bodies: Iterable<Buffer>,
  path: string,
): Promise<{ events: number; seconds: number; cpuSeconds: number }> {
  const h = await open(path, 'a');
  let events = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const bytes of bodies) {
    const envelope = JSON.parse(bytes.toString('utf8')) as { response: Record<string, unknown> };
    const list = (envelope.response['authlogs'] ?? envelope.response['items']) as unknown[];
    let out = '';
    for (const e of list) {
      out += JSON.stringify(e) + '\n';
      events += 1;
    }
    await h.write(out);
    await h.sync();
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await h.close();
  return { events, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function syslogTcpSink(port: number): LogSink {
  return createSyslogSink({
    name: 'bench',
    transport: 'tcp',
    host: '127.0.0.1',
    port,
    framing: 'octet-counting',
    maxMessageBytes: 64 * 1024,
    message: { facility: 'local0', appName: 'duowatch', hostname: 'bench', body: 'json', format: 'ecs' },
    tls: { ca: null, cert: null, key: null, passphrase: null, servername: null, insecureSkipVerify: false },
    timeoutMs: 30_000,
  });
}

async function throughput(dir: string): Promise<BenchRow[]> {
  const frozen = Date.now() - 3_600_000;
  const days = 14;
  const users = Math.max(200, Math.round(2000 * SCALE));
  const emu = await startEmulator({ users, frozen, limits: 'off' });
  try {
    const firstFrom = frozen - days * DAY;
    // The collector reads up to wall-clock now − 2 min; the frozen tenant has nothing newer than `frozen`.
    const fetched = await fetchPages(emu.info, firstFrom, Date.now());
    const raw = await rawWrite(fetched.bodies.values(), join(dir, 'raw.ndjson'));
    const rawRow = {
      name: 'raw parse + stringify + write + fsync per page',
      value: Math.round(raw.events / raw.seconds),
    };
    const rawCpu = {
      name: 'raw parse-and-write per CPU second',
      value: Math.round(raw.events / raw.cpuSeconds),
    };
    const rows: BenchRow[] = [
      {
        ...rawRow,
        unit: 'events/s',
        higherIsBetter: true,
        note: `${String(raw.events)} events, ${String(fetched.bodies.size)} recorded reply bodies; ${(
          (raw.cpuSeconds * 1e6) /
          raw.events
        ).toFixed(1)} µs CPU/event`,
      },
      {
        name: 'emulator serving pages to the client (fetch + parse only, 3 streams at once)',
        value: Math.round(fetched.events / fetched.seconds),
        unit: 'events/s',
        higherIsBetter: true,
        note: `emulator child, TLS, ${String(users)} users, rate limits off; client ${(
          (fetched.cpuSeconds * 1e6) /
          fetched.events
        ).toFixed(1)} µs CPU/event`,
      },
    ];
    // The pipeline on the same pages, replayed from memory: what the collector itself sustains.
    const replayed = await collectRun({
      info: emu.info,
      dir: join(dir, 'replay-file'),
      sinks: [
        createFileSink({ path: join(dir, 'replay-file', 'out.ndjson'), format: 'ecs', maxBytes: 1 << 30 }),
      ],
      streams: STREAMS,
      firstFrom,
      rates: UNLIMITED,
      dispatcher: replayDispatcher(fetched.bodies),
    });
    rows.push(
      {
        name: 'collector → file sink (ECS), the same pages replayed from memory',
        value: Math.round(replayed.events / replayed.seconds),
        unit: 'events/s',
        higherIsBetter: true,
        baseline: rawRow,
        target: { op: '>', value: Math.round(rawRow.value * 0.3) },
        note: `${String(replayed.events)} events in ${replayed.seconds.toFixed(1)} s, ${(
          (replayed.cpuSeconds * 1e6) /
          replayed.events
        ).toFixed(
          1,
        )} µs CPU/event (client, envelope, ids, ECS, write, fsync, SQLite commit per page); ${outcomes(replayed.reports)}`,
      },
      {
        name: 'collector → file sink (ECS), replayed, per CPU second',
        value: Math.round(replayed.events / replayed.cpuSeconds),
        unit: 'events/cpu-s',
        higherIsBetter: true,
        baseline: rawCpu,
        target: { op: '>', value: Math.round(rawCpu.value * 0.3) },
      },
    );
    let received = 0;
    const server = createServer((sock) => sock.on('data', (d: Buffer) => (received += d.length)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const syslog = await collectRun({
      info: emu.info,
      dir: join(dir, 'replay-syslog'),
      sinks: [syslogTcpSink(port)],
      streams: STREAMS,
      firstFrom,
      rates: UNLIMITED,
      dispatcher: replayDispatcher(fetched.bodies),
    });
    server.close();
    rows.push({
      name: 'collector → syslog TCP (RFC 5424, ECS JSON body), replayed',
      value: Math.round(syslog.events / syslog.seconds),
      unit: 'events/s',
      higherIsBetter: true,
      baseline: rawRow,
      target: { op: '>', value: Math.round(rawRow.value * 0.3) },
      note: `${String(syslog.events)} events, ${String(Math.round(received / 1048576))} MiB to a loopback receiver in this process; ${(
        (syslog.cpuSeconds * 1e6) /
        syslog.events
      ).toFixed(1)} µs CPU/event; ${outcomes(syslog.reports)}`,
    });
    // End to end with the emulator serving over TLS: bound by the emulator, which shares the two cores.
    const file = await collectRun({
      info: emu.info,
      dir: join(dir, 'file'),
      sinks: [createFileSink({ path: join(dir, 'file', 'out.ndjson'), format: 'ecs', maxBytes: 1 << 30 })],
      streams: STREAMS,
      firstFrom,
      rates: UNLIMITED,
    });
    rows.push({
      name: 'end to end from the emulator over TLS → file sink (ECS)',
      value: Math.round(file.events / file.seconds),
      unit: 'events/s',
      higherIsBetter: true,
      note: `${String(file.events)} events in ${file.seconds.toFixed(1)} s, ${(
        (file.cpuSeconds * 1e6) /
        file.events
      ).toFixed(1)} µs collector CPU/event; ${outcomes(file.reports)}`,
    });
    return rows;
  } finally {
    emu.stop();
  }
}

function outcomes(reports: readonly { outcome: string }[]): string {
  const bad = reports.filter((r) => r.outcome !== 'ok').length;
  return bad === 0 ? 'all streams ok' : `${String(bad)} streams not ok`;
}

async function catchUp(dir: string): Promise<BenchRow[]> {
  const seconds = Number(process.env.LOGS_BENCH_CATCHUP_S ?? '120');
  const frozen = Date.now() - 3_600_000;
  // Enough backlog that every allowed request returns a full page.
  const emu = await startEmulator({ users: 2000, frozen, limits: 'duo' });
  try {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), seconds * 1000);
    const run = await collectRun({
      info: emu.info,
      dir: join(dir, 'catchup'),
      sinks: [createFileSink({ path: join(dir, 'catchup', 'out.ndjson'), format: 'raw', maxBytes: 1 << 30 })],
      // The auth log: the stream with a backlog deep enough that every allowed request returns a full page (the
      // tenant's telephony and activity logs hold fewer events than two minutes of budget would read).
      streams: ['auth'],
      firstFrom: frozen - 30 * DAY,
      // Duo's published log budget, the emulator's default: 2 requests a minute per log endpoint.
      rates: { log: 2, auth_log: 2 },
      signal: ac.signal,
    });
    clearTimeout(timer);
    const allowed = {
      name: 'events the limits allow (2 pages/min × 1000)',
      value: Math.round((2 * 1000 * seconds) / 60),
    };
    return [
      {
        name: `catch-up of the auth log under Duo-like limits, ${String(seconds)} s`,
        value: run.events,
        unit: 'events',
        higherIsBetter: true,
        baseline: allowed,
        target: { op: '>', value: Math.round(allowed.value * 0.95) },
        note: 'emulator limits on (2 log requests/min per endpoint), client budget 2/min per log endpoint',
      },
    ];
  } finally {
    emu.stop();
  }
}

function rss(): Promise<BenchRow[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./logs-rss.child.ts', import.meta.url))],
      { stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`logs-rss child exited with ${String(code)}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '[]') as BenchRow[]);
    });
  });
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'duowatch-bench-logs-'));
  const only = (process.env.LOGS_BENCH_ONLY ?? 'throughput,catchup,rss').split(',');
  try {
    const rows: BenchRow[] = [];
    if (only.includes('throughput')) rows.push(...(await throughput(dir)));
    if (only.includes('catchup')) rows.push(...(await catchUp(dir)));
    if (only.includes('rss')) rows.push(...(await rss()));
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
