/**
 * The crash test's benchmark variant (`npm run bench -- crash`; docs/logs.md, "Tests"):
 * test/services/logs-crash.test.ts with 50 SIGKILLs instead of 20, run through vitest in a child process (it
 * needs rsyslogd). Reports what the test measured: kills (and how many landed mid-drain), events, duplicates
 * in the file and in rsyslog, wall time.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export default function bench(): Promise<BenchRow[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'npx',
      ['vitest', 'run', '-c', 'vitest.services.config.ts', 'test/services/logs-crash.test.ts'],
      {
        cwd: ROOT,
        env: { ...process.env, DUOWATCH_CRASH_KILLS: '50', DUOWATCH_REQUIRE_SERVICES: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m =
        /crash test: (\d+) SIGKILLs \((\d+) mid-drain\).*?(\d+) events in (\d+) s; file duplicates (\d+); rsyslog received (\d+) messages, (\d+) duplicates, (\d+) missing/.exec(
          out,
        );
      if (code !== 0 || m === null)
        return reject(new Error(`crash test failed (exit ${String(code)}):\n${out.slice(-3000)}`));
      const [, kills, mid, events, seconds, fileDup, , sysDup, missing] = m.map(Number);
      const note = `${String(kills)} SIGKILLs (${String(mid)} mid-drain), ${String(events)} events, ${String(seconds)} s`;
      resolve([
        {
          name: 'crash (50 kills): duplicates in the file sink',
          value: fileDup ?? -1,
          unit: 'events',
          note,
          target: { op: '<', value: 1 },
        },
        { name: 'crash (50 kills): duplicates seen by rsyslog', value: sysDup ?? -1, unit: 'events', note },
        {
          name: 'crash (50 kills): events missing in rsyslog',
          value: missing ?? -1,
          unit: 'events',
          note,
          target: { op: '<', value: 1 },
        },
      ]);
    });
  });
}
