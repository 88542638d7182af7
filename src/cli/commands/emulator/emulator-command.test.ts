import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../io.js';
import { register } from './command.js';
import { parseScenario, runEmulatorCommand } from './run.js';

function io(): { io: CliIo; lines: () => string[]; firstLine: Promise<string> } {
  const stdout = new PassThrough();
  let out = '';
  let resolveFirst: (s: string) => void = () => undefined;
  const firstLine = new Promise<string>((r) => (resolveFirst = r));
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
    const nl = out.indexOf('\n');
    if (nl >= 0) resolveFirst(out.slice(0, nl));
  });
  return {
    io: { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {} },
    lines: () => out.split('\n').filter((l) => l !== ''),
    firstLine,
  };
}

interface ReadyLine {
  ready: boolean;
  address: string;
  caFile: string;
  controlToken: string;
  tenants: Array<{
    hostname: string;
    address: string;
    caFile: string;
    admin: { ikey: string; skey: string };
    auth: { ikey: string; skey: string };
    device: { ikey: string; skey: string; mkey: string };
    accounts: { ikey: string; skey: string };
  }>;
}

describe('duowatch emulator', () => {
  it('declares its options', async () => {
    const c = io();
    const program = new Command().exitOverride().configureOutput({ writeOut: (s) => c.io.stdout.write(s) });
    register(program, c.io);
    await expect(program.parseAsync(['emulator', '--help'], { from: 'user' })).rejects.toBeInstanceOf(
      CommanderError,
    );
    const help = c.lines().join('\n');
    for (const flag of [
      '--port',
      '--tenants',
      '--users',
      '--seed',
      '--tenant-file',
      '--scenario',
      '--fault',
      '--no-rate-limit',
    ]) {
      expect(help).toContain(flag);
    }
  });

  it('prints one JSON ready line, serves TLS with the printed CA, and closes on stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
    const c = io();
    const stop = new AbortController();
    try {
      const running = runEmulatorCommand(
        {
          port: '0',
          tenants: '2',
          users: '5',
          seed: 'cli',
          dataDir: dir,
          rateLimit: false,
          fault: ['latency:/nowhere@0.5'],
          scenario: ['fraud'],
        },
        c.io,
        stop.signal,
      );
      const ready = JSON.parse(await c.firstLine) as ReadyLine;
      expect(ready.ready).toBe(true);
      expect(ready.tenants).toHaveLength(2);
      expect(ready.caFile).toBe(join(dir, 'emulator-tls', 'ca.pem'));
      for (const t of ready.tenants) {
        expect(t.hostname).toMatch(/^api-[0-9a-f]{8}\.duosecurity\.com$/);
        expect(t.address).toBe(ready.address);
        expect(t.device.mkey).toMatch(/^DM/);
        for (const k of [t.admin, t.auth, t.device, t.accounts]) expect(k.ikey).toMatch(/^DI[A-Z0-9]{18}$/);
      }
      const ca = await readFile(ready.caFile, 'utf8');
      const port = Number(ready.address.split(':').at(-1));
      const host = ready.tenants[0]?.hostname ?? '';
      const body = await new Promise<string>((resolve, reject) => {
        httpsGet(
          { host: '127.0.0.1', port, servername: host, ca, path: '/auth/v2/ping', headers: { host } },
          (res) => {
            let b = '';
            res.on('data', (d: Buffer) => (b += d.toString()));
            res.on('end', () => resolve(b));
          },
        ).on('error', reject);
      });
      expect(body).toMatch(/^\{"response": \{"time": \d+\}, "stat": "OK"\}$/);
      stop.abort();
      await running;
      expect(c.lines()).toHaveLength(1);
    } finally {
      stop.abort();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('parses scenarios', () => {
    expect(parseScenario('admin_action:user_delete')).toEqual({
      kind: 'admin_action',
      action: 'user_delete',
    });
    expect(parseScenario('push_fatigue:alice')).toEqual({ kind: 'push_fatigue', user: 'alice' });
    expect(() => parseScenario('nope')).toThrow(/unknown scenario/);
  });
});
