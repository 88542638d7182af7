import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../io.js';
import { register } from './command.js';

function harness(env: Record<string, string> = {}) {
  const out: string[] = [];
  const stdout = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  const io: CliIo = { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env };
  const program = new Command('duowatch').option('--data-dir <dir>').option('--config <file>').exitOverride();
  register(program, io);
  return { program, text: () => out.join('') };
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('duowatch config', () => {
  it('validate --json lists every problem and fails with exit code 78', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duowatch-cli-config-'));
    dirs.push(dir);
    await writeFile(join(dir, 'c.yaml'), 'server: { port: -1 }\nlogging: { level: loud }\n');
    const { program, text } = harness();
    const error = await program
      .parseAsync(['--config', join(dir, 'c.yaml'), 'config', 'validate', '--json'], { from: 'user' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'config.invalid', exitCode: 78 });
    const printed = JSON.parse(text()) as { valid: boolean; issues: Array<{ path: string }> };
    expect(printed.valid).toBe(false);
    expect(printed.issues.map((i) => i.path).sort()).toEqual(['logging.level', 'server.port']);
  });

  it('validate passes on defaults; show --json prints the effective config with secrets redacted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duowatch-cli-config-'));
    dirs.push(dir);
    await writeFile(
      join(dir, 'c.yaml'),
      'integrations:\n  - { org: acme, apiHost: api-1.duosecurity.com, ikey: DIX, skey: "${SK}" }\n',
    );
    const env = {
      SK: 'the-very-secret-skey',
      DUOWATCH_ADMIN_PASSWORD: 'adm1n-pass',
      DATABASE_URL: 'postgres://u:dbpass@h/db',
    };
    const valid = harness(env);
    await valid.program.parseAsync(['--config', join(dir, 'c.yaml'), 'config', 'validate'], { from: 'user' });
    expect(valid.text()).toMatch(/configuration is valid/);
    const show = harness(env);
    await show.program.parseAsync(
      ['--config', join(dir, 'c.yaml'), '--data-dir', dir, 'config', 'show', '--json'],
      { from: 'user' },
    );
    const shown = show.text();
    const parsed = JSON.parse(shown) as {
      dataDir: string;
      server: { port: number };
      integrations: Array<{ skey: string }>;
    };
    expect(parsed.dataDir).toBe(dir);
    expect(parsed.server.port).toBe(8080);
    expect(parsed.integrations[0]?.skey).toBe('[redacted]');
    for (const secret of ['the-very-secret-skey', 'adm1n-pass', 'dbpass', 'DIX'])
      expect(shown).not.toContain(secret);
  });
});
