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

  it('show redacts secrets carried in URLs: webhook path, proxy password, query values', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duowatch-cli-config-'));
    dirs.push(dir);
    await writeFile(
      join(dir, 'c.yaml'),
      [
        'server: { publicUrl: "https://duowatch.example.com/app" }',
        'duo: { transport: { proxy: "http://proxyuser:proxy-pass-77@proxy.example.com:3128" } }',
        'alerts:',
        '  webhook: { url: "https://hooks.slack.com/services/T0001/B0002/hook-token-XYZ", minSeverity: high }',
        'devices:',
        '  allowedUrls: ["https://files.example.com/"]',
        '  syncs:',
        '    - { org: acme, integration: dm, url: "https://files.example.com/export.csv?sig=sas-sig-123&sv=2024" }',
        '',
      ].join('\n'),
    );
    const show = harness({});
    await show.program.parseAsync(
      ['--config', join(dir, 'c.yaml'), '--data-dir', dir, 'config', 'show', '--json'],
      { from: 'user' },
    );
    const shown = show.text();
    for (const secret of ['hook-token-XYZ', 'T0001', 'proxy-pass-77', 'sas-sig-123'])
      expect(shown).not.toContain(secret);
    const parsed = JSON.parse(shown) as {
      server: { publicUrl: string };
      alerts: { webhook: { url: string } };
      duo: { transport: { proxy: string } };
      devices: { syncs: Array<{ url: string }> };
    };
    // What is not secret stays readable, so the operator can still check where things go.
    expect(parsed.server.publicUrl).toBe('https://duowatch.example.com/app');
    expect(parsed.alerts.webhook.url).toBe('https://hooks.slack.com/redacted');
    expect(parsed.duo.transport.proxy).toBe('http://proxyuser:redacted@proxy.example.com:3128/');
    expect(parsed.devices.syncs[0]?.url).toBe(
      'https://files.example.com/export.csv?sig=redacted&sv=redacted',
    );
  });
});
