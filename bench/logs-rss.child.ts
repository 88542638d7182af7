/**
 * Peak RSS of a 1,000,000-event backfill (BENCH_SCALE scales it) for bench/logs.bench.ts, in its own process:
 * the emulator in another child, this process holding only the collector (client, SQLite, file sink). RSS is
 * sampled every 50 ms. Prints one JSON line of bench rows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSink } from '../src/logs/sinks/index.js';
import { collectRun, startEmulator } from './logs-support.js';
import type { BenchRow } from './run.js';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const TARGET_EVENTS = Math.round(1_000_000 * SCALE);
const DAY = 86_400_000;
// Auth log only: ~3.4 events a day per generated user, so this many users × days give the target.
const USERS = 10_000;
const DAYS = Math.max(1, Math.ceil(TARGET_EVENTS / (USERS * 3.4)));

const dir = await mkdtemp(join(tmpdir(), 'duowatch-bench-logs-rss-'));
const frozen = Date.now() - 3_600_000;
const emu = await startEmulator({ users: USERS, frozen, limits: 'off' });
let peak = process.memoryUsage().rss;
const before = peak;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
try {
  const run = await collectRun({
    info: emu.info,
    dir: join(dir, 'data'),
    sinks: [createFileSink({ path: join(dir, 'out.ndjson'), format: 'ecs', maxBytes: 256 * 1024 * 1024 })],
    streams: ['auth'],
    firstFrom: frozen - DAYS * DAY,
    rates: { log: 0, auth_log: 0 },
  });
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const rows: BenchRow[] = [
    {
      name: `peak RSS during a ${String(run.events)}-event backfill (auth, ECS file sink)`,
      value: Math.round(peak / 1048576),
      unit: 'MiB',
      higherIsBetter: false,
      target: { op: '<', value: 300 },
      note: `collector process only (emulator in another); ${String(Math.round(before / 1048576))} MiB at start; ${(run.events / run.seconds).toFixed(0)} events/s; ${String(DAYS)} days × ${String(USERS)} users`,
    },
  ];
  process.stdout.write('\n' + JSON.stringify(rows) + '\n');
} finally {
  clearInterval(timer);
  emu.stop();
  await rm(dir, { recursive: true, force: true });
}
