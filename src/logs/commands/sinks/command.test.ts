import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/cli-emulator.test-helpers.js';

// `duowatch sinks test NAME` through the real CLI entry: a real TCP syslog receiver on loopback acknowledges,
// a closed port does not, a file sink is tested beside its file without touching it.
let dir: string;
let server: Server;
let received = '';
let closedPort = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duowatch-sinks-test-'));
  server = createServer((socket) => socket.on('data', (d: Buffer) => (received += d.toString())));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  // A port that was free a moment ago and is closed now: connection refused.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  await writeFile(join(dir, 'data-existing.ndjson'), '{"kept":true}\n');
  await writeFile(
    join(dir, 'duowatch.yaml'),
    `dataDir: ${join(dir, 'data')}
logs:
  sinks:
    siem: { type: syslog, transport: tcp, host: 127.0.0.1, port: ${String(port)} }
    down: { type: syslog, transport: tcp, host: 127.0.0.1, port: ${String(closedPort)}, timeoutMs: 2000 }
    archive: { type: file, path: ${join(dir, 'data-existing.ndjson')} }
    hook: { type: webhook, url: 'https://hooks.example.com/x', secret: '\${HOOK_SECRET}' }
`,
  );
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]) =>
  runCli(['--config', join(dir, 'duowatch.yaml'), ...args], { env: { HOOK_SECRET: 'hook-secret-value' } });

describe('duowatch sinks test', () => {
  it('exits 0 once the receiver has the marked test event', async () => {
    const r = await cli(['sinks', 'test', 'siem', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { sink: string; type: string; ok: boolean; id: string; error: null };
    expect(out).toMatchObject({ sink: 'siem', type: 'syslog', ok: true, error: null });
    // Written to the socket is the TCP sink's acknowledgement; the receiver reads it a moment later.
    for (let i = 0; i < 400 && !received.includes(out.id); i++) await new Promise((r) => setTimeout(r, 25));
    // RFC 6587 octet counting, the event id as structured data, the marked body.
    expect(received).toMatch(/^\d+ <\d+>1 /);
    expect(received).toContain(`id="${out.id}"`);
    expect(received).toContain('duowatch_sink_test');
  });

  it('exits 1 with the reason when the receiver is down, and queues nothing', async () => {
    const r = await cli(['sinks', 'test', 'down', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out) as { sink: string; ok: boolean; error: string };
    expect(out).toMatchObject({ sink: 'down', ok: false });
    expect(out.error).toMatch(/ECONNREFUSED|refused/);
    expect(r.err).toContain('[logs.sink_test_failed]');
    const spill = await readdir(join(dir, 'data', 'spill')).catch(() => []);
    expect(spill).toEqual([]);
  });

  it('tests a file sink beside its file, leaving the file as it was', async () => {
    const r = await cli(['sinks', 'test', 'archive']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^archive \(file\): acknowledged in \d+ ms; test event id test-/);
    expect(await readFile(join(dir, 'data-existing.ndjson'), 'utf8')).toBe('{"kept":true}\n');
    expect((await readdir(dir)).filter((f) => f.includes('sinktest'))).toEqual([]);
  });

  it('names the configured sinks when the name is unknown (exit 2), and lists them without secrets', async () => {
    const r = await cli(['sinks', 'test', 'nope']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no sink named "nope" in logs.sinks (configured: siem, down, archive, hook)');
    const list = await cli(['sinks', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(list.out).not.toContain('hook-secret-value');
    const sinks = (
      JSON.parse(list.out) as { sinks: { name: string; type: string; settings: Record<string, unknown> }[] }
    ).sinks;
    expect(sinks.map((x) => x.name)).toEqual(['siem', 'down', 'archive', 'hook']);
    expect(sinks.find((x) => x.name === 'hook')?.settings['secret']).toBe('[redacted]');
  });
});
