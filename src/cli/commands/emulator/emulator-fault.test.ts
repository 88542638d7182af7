import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_CONTROL_FILE, openRuntime } from '../../../runtime/index.js';
import { runCli } from '../../cli-emulator.test-helpers.js';

// `duowatch emulator fault …` against the demo tenant that `serve` starts: the runtime opened with the demo,
// as `serve` opens it, and the CLI run in-process with the same data directory.
const dir = mkdtempSync(join(tmpdir(), 'duowatch-demo-fault-'));
const env = { DUOWATCH_DATA_DIR: join(dir, 'data'), DUOWATCH_LOG_LEVEL: 'silent' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('duowatch emulator fault', () => {
  it('takes the demo tenant down, breaks telephony with simulated logins, lists and clears; refuses without a demo', async () => {
    const runtime = await openRuntime({ env, cwd: dir, demo: true });
    const demo = runtime.demo;
    try {
      if (demo === null) throw new Error('the demo did not start');
      const host = demo.credentials.hostname;
      const controlFile = join(dir, 'data', 'emulator', DEMO_CONTROL_FILE);
      expect(statSync(controlFile).mode & 0o077).toBe(0);

      const down = await runCli(['emulator', 'fault', 'down'], { env });
      expect(down.code).toBe(0);
      expect(down.out).toMatch(/answers 503/);
      expect(demo.emulator.control.faults()).toEqual([
        expect.objectContaining({ id: 'demo-down', kind: 'error', status: 503, host }),
      ]);

      const tel = await runCli(['emulator', 'fault', 'telephony', '--calls', '3', '--json'], { env });
      expect(tel.code).toBe(0);
      const answer = JSON.parse(tel.out) as { answers: Array<{ started?: number }> };
      expect(answer.answers.slice(1).map((a) => a.started)).toEqual([3, 3, 3]);
      // The SMS attempts fail at once (the calls time out later): the auth log already shows them.
      const now = demo.emulator.world.clock.now();
      const log = demo.emulator.world
        .tenant(host)
        .authLog({ mintime: now - 60_000, maxtime: now + 1000, limit: 100, sort: 'ts:asc' });
      expect(log.events.filter((e) => e.factor === 'sms_refresh' && e.result === 'error')).toHaveLength(3);

      const list = await runCli(['emulator', 'fault', 'list'], { env });
      expect(list.out).toMatch(/demo-down\terror/);
      expect(list.out).toMatch(/demo-telephony\ttelephony/);

      const bad = await runCli(['emulator', 'fault', 'DROP TABLE'], { env });
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/unknown fault/);

      expect((await runCli(['emulator', 'fault', 'clear'], { env })).code).toBe(0);
      expect(demo.emulator.control.faults()).toEqual([]);
      // The control token is in the owner-only file, never printed.
      expect(down.out + tel.out + list.out).not.toContain(demo.emulator.controlToken);
    } finally {
      await runtime.close();
    }
    const after = await runCli(['emulator', 'fault', 'down'], { env });
    expect(after.code).toBe(1);
    expect(after.err).toMatch(/no demo emulator is running/);
  });
});
