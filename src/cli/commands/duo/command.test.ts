import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duoOk, startTlsServer, type TestServer } from '../../../duo/test-support/servers.test-helpers.js';
import { makeTestPki } from '../../../duo/test-support/tls-ca.test-helpers.js';
import type { CliIo } from '../../io.js';
import { register } from './command.js';

const HOST = 'api-cli00042.duosecurity.com';
const SKEY = 'cli-test-secret-key-0123456789abcdefghijklmn';
const IKEY = 'DICLITESTKEY00000042';

let server: TestServer;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  const pki = await makeTestPki([HOST]);
  server = await startTlsServer(pki, (req, res) => {
    if (req.url.startsWith('/auth/v2/ping')) duoOk(res, { time: Math.floor(Date.now() / 1000) });
    else if (req.url.startsWith('/auth/v2/check'))
      res.writeHead(403, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          stat: 'FAIL',
          code: 40301,
          message: 'Access forbidden',
          message_detail: 'Wrong integration type for this API.',
        }),
      );
    else if (req.url.startsWith('/admin/v1/users'))
      duoOk(res, [{ user_id: 'DU1', username: 'ana', echoed: SKEY }], {});
    else duoOk(res, { method: req.method, url: req.url, body: req.body });
  });
  dir = mkdtempSync(join(tmpdir(), 'duowatch-cli-duo-'));
  writeFileSync(join(dir, 'ca.pem'), pki.caPem);
  env = {
    DUOWATCH_IKEY: IKEY,
    DUOWATCH_SKEY: SKEY,
    DUOWATCH_HOST: HOST,
    DUOWATCH_DUO_RESOLVE: `${HOST}=127.0.0.1:${String(server.port)}`,
    DUOWATCH_DUO_CA_FILE: join(dir, 'ca.pem'),
    DUOWATCH_ALLOW_PRIVATE_ADDRESSES: 'true',
  };
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(
  args: string[],
  envOverride: Record<string, string> = env,
): Promise<{ out: string; err: string; error?: unknown }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const io: CliIo = { stdout, stderr, stdin: new PassThrough(), env: envOverride };
  const program = new Command('duowatch').exitOverride().option('--config <file>').option('--data-dir <dir>');
  program.configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
  register(program, io);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out, err };
  } catch (error) {
    return { out, err, error };
  }
}

describe('duowatch duo', () => {
  it('call makes one signed request and prints the JSON, with echoed secrets scrubbed', async () => {
    const r = await run(['duo', 'call', 'GET', '/admin/v1/users', 'username=ana', 'limit=10']);
    expect(r.error).toBeUndefined();
    const body = JSON.parse(r.out) as { stat: string; response: Array<{ username: string }> };
    expect(body.response[0]?.username).toBe('ana');
    expect(r.out).not.toContain(SKEY);
    const seen = server.seen.at(-1);
    expect(seen?.url).toMatch(/^\/admin\/v1\/users\?username=ana&limit=10$/);
    expect(seen?.headers.authorization).toMatch(/^Basic /);
  });

  it('call sends POST parameters as a JSON body (v5) or a form (v2)', async () => {
    const v5 = await run(['duo', 'call', 'post', '/auth/v2/preauth', 'username=ana']);
    expect((JSON.parse(v5.out) as { response: { body: string } }).response.body).toBe('{"username":"ana"}');
    const v2 = await run(['duo', 'call', 'POST', '/auth/v2/preauth', 'username=ana', '--sig-version', '2']);
    expect((JSON.parse(v2.out) as { response: { body: string } }).response.body).toBe('username=ana');
  });

  it('ping --json reports latency and clock skew', async () => {
    const r = await run(['duo', 'ping', '--json']);
    const out = JSON.parse(r.out) as { ok: boolean; latencyMs: number; clockSkewMs: number; host: string };
    expect(out).toMatchObject({ ok: true, host: HOST });
    expect(Math.abs(out.clockSkewMs)).toBeLessThan(5000);
  });

  it('check treats 40301 from an Admin key as proof of key and signature', async () => {
    const r = await run(['duo', 'check']);
    expect(r.error).toBeUndefined();
    expect(r.out).toMatch(/check: api-cli00042\.duosecurity\.com ok, \d+ ms, clock skew/);
    expect(r.out).toMatch(/40301/);
  });

  it('refuses without credentials and never prints a secret on failure', async () => {
    const none = await run(['duo', 'ping'], {});
    expect(String(none.error)).toMatch(/DUOWATCH_IKEY/);
    const bad = await run(['duo', 'call', 'GET', '/admin/v1/users'], {
      ...env,
      DUOWATCH_HOST: 'https://api-x.duosecurity.com',
    });
    expect(String(bad.error)).toMatch(/scheme/);
    expect(String(bad.error) + bad.out + bad.err).not.toContain(SKEY);
  });
});
