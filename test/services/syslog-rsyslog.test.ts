// The syslog sink against Debian's real rsyslog (rsyslog + rsyslog-gnutls), started here on loopback ports with a
// private configuration: UDP, TCP with octet counting and with LF framing, and TLS with a test CA and a client
// certificate. rsyslog writes each message it received (%rawmsg%) and the RFC 5424 fields it parsed; the test
// asserts those lines exactly.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectedEvent } from '../../src/app/index.js';
import {
  createSink,
  resolveSinksConfig,
  syslogMessage,
  truncateMessage,
} from '../../src/logs/sinks/index.js';
import type { LogSink, SyslogMessageOptions, SyslogSinkConfig } from '../../src/logs/sinks/index.js';
import { batchOf } from '../../src/logs/sinks/events.test-helpers.js';
import { createTestPki } from '../../src/logs/sinks/tls.test-helpers.js';

const REQUIRE = process.env.DUOWATCH_REQUIRE_SERVICES === '1';
const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p)) ?? null;

if (RSYSLOGD === null && REQUIRE) {
  throw new Error(
    'DUOWATCH_REQUIRE_SERVICES=1 but rsyslogd is missing: apt-get install -y rsyslog rsyslog-gnutls',
  );
}
const skipReason = RSYSLOGD === null ? ' (skipped: rsyslogd not installed)' : '';
const signal = new AbortController().signal;

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

describe.skipIf(RSYSLOGD === null)(`syslog sink into a real rsyslog${skipReason}`, () => {
  let dir: string;
  let rsyslog: ChildProcess;
  let stderr = '';
  const port = { udp: 0, tcp: 0, tls: 0 };
  const files: Record<string, string> = {};
  const base: SyslogMessageOptions = {
    facility: 'local0',
    appName: 'duowatch',
    hostname: 'test-host',
    body: 'json',
    format: 'raw',
  };

  async function lines(name: string, count: number): Promise<string[]> {
    return until(
      `${count} lines in ${name}.log (rsyslog stderr: ${stderr.slice(-500)})`,
      20_000,
      async () => {
        const text = await readFile(join(dir, `${name}.log`), 'utf8').catch(() => '');
        const got = text === '' ? [] : text.replace(/\n$/, '').split('\n');
        if (got.length > count) throw new Error(`${name}.log has ${got.length} lines, expected ${count}`);
        return got.length === count ? got : undefined;
      },
    );
  }

  async function sink(input: Record<string, unknown>): Promise<LogSink> {
    const cfg = await resolveSinksConfig(
      { s: { type: 'syslog', host: '127.0.0.1', hostname: 'test-host', ...input } },
      { readFile: (p) => Promise.resolve(files[p] ?? '') },
    );
    return createSink('s', cfg.s as SyslogSinkConfig);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duowatch-rsyslog-'));
    const pki = await createTestPki();
    await writeFile(join(dir, 'ca.pem'), pki.ca.certPem);
    await writeFile(join(dir, 'server.pem'), pki.server.certPem);
    await writeFile(join(dir, 'server.key'), pki.server.keyPem, { mode: 0o600 });
    files['/ca'] = pki.ca.certPem;
    files['/cert'] = pki.client.certPem;
    files['/key'] = pki.client.keyPem;
    port.udp = await freeUdpPort();
    port.tcp = await freeTcpPort();
    port.tls = await freeTcpPort();
    const out = (name: string): string =>
      `ruleset(name="${name}") {\n` +
      `  action(type="omfile" file="${dir}/${name}.log" template="raw")\n` +
      `  action(type="omfile" file="${dir}/${name}-fields.log" template="fields")\n}\n`;
    const conf =
      `global(workDirectory="${dir}" maxMessageSize="64k")\n` +
      `module(load="imudp")\nmodule(load="imtcp" maxSessions="50")\n` +
      `template(name="raw" type="string" string="%rawmsg%\\n")\n` +
      `template(name="fields" type="string" string="%syslogfacility-text%|%syslogseverity-text%|%timereported:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|%structured-data%\\n")\n` +
      out('udp') +
      out('tcp') +
      out('tls') +
      `input(type="imudp" port="${port.udp}" address="127.0.0.1" ruleset="udp")\n` +
      `input(type="imtcp" port="${port.tcp}" address="127.0.0.1" ruleset="tcp")\n` +
      `input(type="imtcp" port="${port.tls}" address="127.0.0.1" ruleset="tls" streamDriver.name="gtls" ` +
      `streamDriver.mode="1" streamDriver.authMode="x509/certvalid" streamDriver.CAFile="${dir}/ca.pem" ` +
      `streamDriver.CertFile="${dir}/server.pem" streamDriver.KeyFile="${dir}/server.key")\n`;
    await writeFile(join(dir, 'rsyslog.conf'), conf);
    const check = spawnSync(RSYSLOGD!, ['-N1', '-f', join(dir, 'rsyslog.conf')], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`rsyslog refused its config: ${check.stderr}`);
    rsyslog = spawn(RSYSLOGD!, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslog.pid')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    rsyslog.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    for (const p of [port.tcp, port.tls]) {
      await until(
        `rsyslog listening on ${p} (stderr: ${stderr})`,
        20_000,
        () =>
          new Promise<true | undefined>((resolve) => {
            const s = connect(p, '127.0.0.1', () => {
              s.destroy();
              resolve(true);
            });
            s.on('error', () => resolve(undefined));
          }),
      );
    }
  });

  afterAll(async () => {
    if (rsyslog?.pid !== undefined && rsyslog.exitCode === null) {
      rsyslog.kill('SIGTERM');
      await new Promise((r) => rsyslog.once('exit', r));
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('UDP: exact messages, the oversized one truncated with the marker', async () => {
    const events: CollectedEvent[] = batchOf(0, 3);
    const big: CollectedEvent = {
      ...batchOf(3, 1)[0]!,
      raw: { ...batchOf(3, 1)[0]!.raw, note: 'x'.repeat(3000) },
    };
    const s = await sink({ transport: 'udp', port: port.udp, maxMessageBytes: 2048 });
    await s.send([...events, big], signal);
    expect(s.stats?.()).toMatchObject({ sent: 4, truncated: 1 });
    await s.close();
    const got = await lines('udp', 4);
    const expected = [...events, big].map((e) =>
      truncateMessage(syslogMessage(e, base), 2048).message.toString('utf8'),
    );
    expect(got).toEqual(expected);
    expect(got[3]!.endsWith('...[truncated]')).toBe(true);
    expect(Buffer.byteLength(got[3]!)).toBe(2048);
  });

  it('TCP with octet counting: every message exactly once, fields parsed as RFC 5424', async () => {
    const s = await sink({ transport: 'tcp', port: port.tcp, framing: 'octet-counting' });
    for (let i = 0; i < 200; i += 50) await s.send(batchOf(i, 50), signal);
    await s.close();
    const got = await lines('tcp', 200);
    expect(got).toEqual(batchOf(0, 200).map((e) => syslogMessage(e, base).toString('utf8')));
    const fields = await lines('tcp-fields', 200);
    expect(fields[0]).toBe(
      'local0|notice|2023-11-14T22:13:20.000Z|test-host|duowatch|-|duo-auth|[duowatch@32473 id="auth-00000000" stream="auth" org="acme"]',
    );
  });

  it('TCP with LF framing and a CEF body, facility and msgid per log type', async () => {
    const opts = {
      body: 'cef',
      framing: 'lf',
      facilities: { admin: 'audit' },
      msgids: { admin: 'DUO_ADMIN' },
    };
    const s = await sink({ transport: 'tcp', port: port.tcp, ...opts });
    const admin: CollectedEvent = {
      id: 'admin-1',
      stream: 'admin',
      orgId: 'org_1',
      orgSlug: 'acme',
      ts: 1_700_000_000_000,
      raw: {
        action: 'admin_login_error',
        description: 'bad | pass=word\\x\nline2',
        object: null,
        timestamp: 1_700_000_000,
        username: 'alice',
      },
    };
    await s.send([admin], signal);
    await s.close();
    const all = await lines('tcp', 201);
    expect(all[200]).toBe(
      '<108>1 2023-11-14T22:13:20.000Z test-host duowatch - DUO_ADMIN [duowatch@32473 id="admin-1" stream="admin" org="acme"] \uFEFF' +
        `CEF:0|Cisco|Duo|${(await import('../../src/version.js')).version}|admin:admin_login_error|Duo administrator action admin_login_error|6|` +
        'rt=1700000000000 suser=alice act=admin_login_error msg=bad | pass\\=word\\\\x\\nline2 cs1Label=duowatchId cs1=admin-1 cs2Label=duoLog cs2=admin cs5Label=organization cs5=acme',
    );
    const fields = await lines('tcp-fields', 201);
    expect(fields[200]).toBe(
      'audit|warning|2023-11-14T22:13:20.000Z|test-host|duowatch|-|DUO_ADMIN|[duowatch@32473 id="admin-1" stream="admin" org="acme"]',
    );
  });

  it('TLS with the test CA, a client certificate and hostname verification', async () => {
    const s = await sink({
      transport: 'tls',
      port: port.tls,
      tls: { caFile: '/ca', certFile: '/cert', keyFile: '/key', servername: 'syslog.test' },
    });
    for (let i = 0; i < 60; i += 20) await s.send(batchOf(i, 20), signal);
    await s.close();
    const got = await lines('tls', 60);
    expect(got).toEqual(batchOf(0, 60).map((e) => syslogMessage(e, base).toString('utf8')));

    const wrongName = await sink({
      transport: 'tls',
      port: port.tls,
      tls: { caFile: '/ca', certFile: '/cert', keyFile: '/key', servername: 'evil.example' },
    });
    await expect(wrongName.send(batchOf(0, 1), signal)).rejects.toMatchObject({ code: 'sink.config' });
    await wrongName.close();
  });
});
