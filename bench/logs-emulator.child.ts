/**
 * The emulator for bench/logs.bench.ts (and its RSS child), in its own process so the collector's CPU and
 * memory are its own. Emulated time is frozen at LOGS_BENCH_FROZEN (ms) with limits off, so the tenant's logs
 * do not change during a run; with limits on it starts there and moves with the wall clock; signatures are
 * checked against the wall clock. LOGS_BENCH_LIMITS=duo keeps Duo's rate limits
 * (2 log requests a minute per endpoint), anything else turns them off. Prints one JSON line; exits when stdin
 * closes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClock, createEmulator } from '../src/emulator/index.js';

const frozen = Number(process.env.LOGS_BENCH_FROZEN);
const dir = mkdtempSync(join(tmpdir(), 'duowatch-logs-bench-emu-'));
const emulator = await createEmulator({
  seed: 'logs-bench',
  users: Number(process.env.LOGS_BENCH_USERS ?? '2000'),
  rateLimit: process.env.LOGS_BENCH_LIMITS === 'duo' ? {} : false,
  signAgainstWallClock: true,
  // Rate limits count in emulator time, so a limited run needs a moving clock (an hour behind the wall clock);
  // an unlimited one freezes it, so the tenant's logs do not change during the run.
  clock:
    process.env.LOGS_BENCH_LIMITS === 'duo'
      ? createClock({ offsetMs: frozen - Date.now() })
      : createClock({ realNow: () => frozen }),
});
const listening = await emulator.listen({ tlsDir: dir });
const t = emulator.credentials()[0];
if (t === undefined) throw new Error('no tenant');
process.stdout.write(
  JSON.stringify({
    host: t.hostname,
    address: listening.address,
    port: listening.port,
    caFile: listening.caFile,
    ikey: t.admin.ikey,
    skey: t.admin.skey,
  }) + '\n',
);
process.stdin.resume();
process.stdin.on('end', () => {
  void listening.close().then(() => process.exit(0));
});
