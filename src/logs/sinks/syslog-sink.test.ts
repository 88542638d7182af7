import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSink } from './create-sink.js';
import { batchOf } from './events.test-helpers.js';
import { resolveSinksConfig } from './sink-config.js';
import type { SyslogSinkConfig } from './sink-config.js';
import { createTestPki } from './tls.test-helpers.js';
import type { TestPki } from './tls.test-helpers.js';
import type { LogSink } from './types.js';

const signal = new AbortController().signal;

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Parses an octet-counted stream strictly: any byte that is not `LEN SP MSG` fails the test. */
function octetFrames(data: Buffer): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    const len = Number(data.subarray(i, sp).toString('ascii'));
    if (sp < 0 || !Number.isInteger(len) || len <= 0) throw new Error(`bad frame at ${i}`);
    if (sp + 1 + len > data.length) break; // incomplete: wait for more
    out.push(data.subarray(sp + 1, sp + 1 + len).toString('utf8'));
    i = sp + 1 + len;
  }
  return out;
}

async function config(input: Record<string, unknown>): Promise<SyslogSinkConfig> {
  const got = await resolveSinksConfig({
    s: { type: 'syslog', host: '127.0.0.1', hostname: 'test-host', ...input },
  });
  return got.s as SyslogSinkConfig;
}

function ids(messages: string[]): string[] {
  return messages.map((m) => /id="([^"]+)"/.exec(m)?.[1] ?? '?');
}

describe('syslog sink over loopback receivers', () => {
  let pki: TestPki;
  const received = { tcp: Buffer.alloc(0), tls: Buffer.alloc(0), udp: [] as Buffer[] };
  const servers: Array<Server | UdpSocket> = [];
  const conns: Socket[] = [];
  let tcpPort = 0;
  let tlsPort = 0;
  let udpPort = 0;
  let tlsClientCn: string | null = null;

  beforeAll(async () => {
    pki = await createTestPki();
    const tcp = createServer((s) => {
      conns.push(s);
      s.on('data', (d: Buffer) => (received.tcp = Buffer.concat([received.tcp, d])));
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    tcpPort = (tcp.address() as AddressInfo).port;
    const tls = createTlsServer(
      {
        cert: pki.server.certPem,
        key: pki.server.keyPem,
        ca: pki.ca.certPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (s: TLSSocket) => {
        conns.push(s);
        tlsClientCn = String(s.getPeerCertificate().subject?.CN ?? '');
        s.on('data', (d: Buffer) => (received.tls = Buffer.concat([received.tls, d])));
      },
    );
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    tlsPort = (tls.address() as AddressInfo).port;
    const udp = createSocket('udp4');
    udp.on('message', (m) => received.udp.push(m));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    udpPort = udp.address().port;
    servers.push(tcp, tls, udp);
  });

  afterAll(async () => {
    for (const c of conns) c.destroy();
    for (const s of servers) {
      if ('listen' in s) await new Promise<void>((r) => s.close(() => r()));
      else s.close();
    }
  });

  it('TCP with octet counting delivers every message, framed strictly', async () => {
    received.tcp = Buffer.alloc(0);
    const sink = createSink('s', await config({ transport: 'tcp', port: tcpPort }));
    await sink.send(batchOf(0, 50), signal);
    await sink.send(batchOf(50, 50), signal);
    const frames = await until('100 frames', () => {
      const f = octetFrames(received.tcp);
      return f.length === 100 ? f : undefined;
    });
    expect(ids(frames)).toEqual(batchOf(0, 100).map((e) => e.id));
    expect(frames[0]).toMatch(
      /^<133>1 2023-11-14T22:13:20.000Z test-host duowatch - duo-auth \[duowatch@32473 id="auth-00000000" stream="auth" org="acme"\] \uFEFF\{/,
    );
    expect(sink.stats?.()).toMatchObject({ sent: 100 });
    await sink.close();
  });

  it('TCP with LF framing, CEF body', async () => {
    received.tcp = Buffer.alloc(0);
    const sink = createSink(
      's',
      await config({ transport: 'tcp', port: tcpPort, framing: 'lf', body: 'cef', bom: false }),
    );
    await sink.send(batchOf(0, 3), signal);
    const lines = await until('3 lines', () => {
      const l = received.tcp.toString('utf8').split('\n');
      return l.length === 4 ? l.slice(0, 3) : undefined;
    });
    expect(
      lines.every((l) =>
        / - duo-auth \[duowatch@32473 id="auth-\d+" stream="auth" org="acme"\] CEF:0\|Cisco\|Duo\|/.test(l),
      ),
    ).toBe(true);
    await sink.close();
  });

  it('reconnects after the receiver dropped the connection', async () => {
    received.tcp = Buffer.alloc(0);
    const sink = createSink('s', await config({ transport: 'tcp', port: tcpPort }));
    await sink.send(batchOf(0, 1), signal);
    await until('first frame', () => (octetFrames(received.tcp).length === 1 ? true : undefined));
    for (const c of conns.splice(0)) c.destroy();
    await new Promise((r) => setTimeout(r, 50));
    await sink.send(batchOf(1, 1), signal);
    const frames = await until('second frame', () => {
      const f = octetFrames(received.tcp);
      return f.length === 2 ? f : undefined;
    });
    expect(ids(frames)).toEqual(['auth-00000000', 'auth-00000001']);
    await sink.close();
  });

  it('fails a batch with sink.unavailable when nothing listens', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const sink = createSink('s', await config({ transport: 'tcp', port: closedPort }));
    await expect(sink.send(batchOf(0, 1), signal)).rejects.toMatchObject({
      code: 'sink.unavailable',
      retryable: true,
    });
    await sink.close();
  });

  it('UDP: one message per datagram; longer ones truncated with the marker and counted', async () => {
    received.udp = [];
    const sink: LogSink = createSink(
      's',
      await config({ transport: 'udp', port: udpPort, maxMessageBytes: 600 }),
    );
    await sink.send(batchOf(0, 5), signal);
    const got = await until('5 datagrams', () => (received.udp.length === 5 ? received.udp : undefined));
    for (const d of got) {
      expect(d.length).toBeLessThanOrEqual(600);
      expect(d.toString('utf8').endsWith('...[truncated]')).toBe(true);
    }
    expect(sink.stats?.()).toMatchObject({ sent: 5, truncated: 5 });
    await sink.close();
  });

  it('TLS with the CA, a client certificate and hostname verification', async () => {
    received.tls = Buffer.alloc(0);
    const files: Record<string, string> = {
      '/ca': pki.ca.certPem,
      '/cert': pki.client.certPem,
      '/key': pki.client.keyPem,
    };
    const cfg = (
      await resolveSinksConfig(
        {
          s: {
            type: 'syslog',
            transport: 'tls',
            host: '127.0.0.1',
            port: tlsPort,
            hostname: 'test-host',
            tls: { caFile: '/ca', certFile: '/cert', keyFile: '/key', servername: 'syslog.test' },
          },
        },
        { readFile: (p) => Promise.resolve(files[p] ?? '') },
      )
    ).s as SyslogSinkConfig;
    const sink = createSink('s', cfg);
    await sink.send(batchOf(0, 10), signal);
    const frames = await until('10 TLS frames', () => {
      const f = octetFrames(received.tls);
      return f.length === 10 ? f : undefined;
    });
    expect(ids(frames)).toEqual(batchOf(0, 10).map((e) => e.id));
    expect(tlsClientCn).toBe('duowatch-collector');
    await sink.close();

    // The wrong name is refused (hostname verification), as is a server we have no CA for: nothing insecure.
    const wrongName = createSink('s', { ...cfg, tls: { ...cfg.tls, servername: 'other.example' } });
    await expect(wrongName.send(batchOf(0, 1), signal)).rejects.toMatchObject({ code: 'sink.config' });
    await wrongName.close();
    const noCa = createSink('s', { ...cfg, tls: { ...cfg.tls, ca: null } });
    await expect(noCa.send(batchOf(0, 1), signal)).rejects.toMatchObject({ code: 'sink.config' });
    await noCa.close();
  });
});
