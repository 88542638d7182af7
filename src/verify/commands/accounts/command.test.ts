import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/index.js';

const dir = mkdtempSync(join(tmpdir(), 'duowatch-break-glass-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(args, {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: { DUOWATCH_DATA_DIR: join(dir, 'data'), DUOWATCH_EMULATOR_MODE: 'off' },
  });
  return { code, out, err };
}

describe('duowatch accounts break-glass', () => {
  it('enables with a long generated password shown once, re-keys, and disables', async () => {
    const first = await run(['accounts', 'break-glass', 'enable', '--json']);
    expect(first.code, first.err).toBe(0);
    const a = JSON.parse(first.out) as { username: string; enabled: boolean; password: string };
    expect(a).toMatchObject({ username: 'break-glass', enabled: true });
    expect(a.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = JSON.parse((await run(['accounts', 'break-glass', 'enable', '--json'])).out) as {
      password: string;
    };
    expect(again.password).not.toBe(a.password);
    const off = await run(['accounts', 'break-glass', 'disable', '--json']);
    expect(off.code, off.err).toBe(0);
    expect(JSON.parse(off.out)).toEqual({ username: 'break-glass', enabled: false });
    const wrong = await run(['accounts', 'break-glass', 'disable', '--username', 'someone']);
    expect(wrong.code).toBe(1);
  });
});
