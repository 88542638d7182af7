import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  fileIds,
  hookReceiver,
  outboxIds,
  storingChild,
  waitFor,
  writeConfig,
  type HookReceiver,
} from './alerts-outbox-crash.test-helpers.js';

// A process SIGKILLed between storing alert changes and delivering them loses nothing (SQLite): two children run
// the real alerts and logs capabilities, store 4 changes each, and die while their delivery hangs on the webhook
// receiver after the file sink wrote; then `duowatch logs run` (the built CLI) delivers every change — once in the
// exactly-once file, at least once to the receiver.
let dir: string;
let hook: HookReceiver;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duowatch-alert-crash-'));
  hook = await hookReceiver();
  const config = await writeConfig(dir, hook.url);
  env = { DUOWATCH_DATA_DIR: join(dir, 'data'), DUOWATCH_CONFIG: config };
  expect((await cli(['orgs', 'add', 'acme', '--name', 'Acme'], env)).code).toBe(0);
});

afterAll(async () => {
  await hook?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('alert outbox across SIGKILL', () => {
  it('loses nothing and doubles nothing in the file', async () => {
    for (const tag of ['a', 'b']) {
      hook.mode = 'hang';
      const before = hook.requests;
      const child = storingChild(env, tag, 3);
      await waitFor(
        `child ${tag} to store its changes and start delivering`,
        () => child.stored && hook.requests > before,
      ).catch((error: unknown) => {
        child.proc.kill('SIGKILL');
        throw new Error(`${String(error)}; stored ${String(child.stored)}; stderr: ${child.err}`);
      });
      child.proc.kill('SIGKILL');
      await child.exit;
      hook.release();
      expect(child.err).toBe('');
      // The file sink wrote before the receiver hung: what the kill left there is uncommitted.
      expect((await fileIds(env['DUOWATCH_DATA_DIR']!)).length).toBeGreaterThan(0);
    }
    hook.mode = 'ok';
    const run = await cli(['logs', 'run', '--rounds', '1', '--interval', '1'], env);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);

    const expected = await outboxIds(env, env['DUOWATCH_DATA_DIR']!);
    expect(expected).toHaveLength(8);
    expect(await fileIds(env['DUOWATCH_DATA_DIR']!)).toEqual(expected);
    expect(new Set(hook.accepted)).toEqual(new Set(expected));
  }, 240_000);
});
