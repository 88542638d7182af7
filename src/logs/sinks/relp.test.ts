import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { version } from '../../version.js';
import { createSink } from './create-sink.js';
import { batchOf } from './events.test-helpers.js';
import { RelpError, RelpParser, relpFrame } from './relp.js';
import { startRelpReceiver } from './relp-receiver.test-helpers.js';
import type { RelpReceiver } from './relp-receiver.test-helpers.js';
import { resolveSinksConfig } from './sink-config.js';
import { syslogMessage } from './syslog-message.js';
import type { SyslogMessageOptions } from './syslog-message.js';
import type { LogSink } from './types.js';

const signal = new AbortController().signal;
const MESSAGE: SyslogMessageOptions = {
  facility: 'local0',
  appName: 'duowatch',
  hostname: 'test-host',
  body: 'json',
  format: 'raw',
};

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('RELP frames', () => {
  it('writes TXNR SP COMMAND SP DATALEN [SP DATA] LF, counting bytes not characters', () => {
    expect(relpFrame(7, 'syslog', 'é').toString('utf8')).toBe('7 syslog 2 é\n');
    expect(relpFrame(12, 'close').toString('utf8')).toBe('12 close 0\n');
  });

  it('reads answers split anywhere, with and without data', () => {
    const p = new RelpParser();
    const wire = Buffer.from('1 rsp 6 200 OK\n0 serverclose 0\n2 rsp 16 500 queue full\nx\n');
    const got = [];
    for (let i = 0; i < wire.length; i++) got.push(...p.push(wire.subarray(i, i + 1)));
    expect(got.map((f) => [f.txnr, f.command, f.data.toString('utf8')])).toEqual([
      [1, 'rsp', '200 OK'],
      [0, 'serverclose', ''],
      [2, 'rsp', '500 queue full\nx'],
    ]);
  });

  it('refuses what is not RELP: a wrong trailer, a non-numeric header, an endless header', () => {
    const protocol = (wire: string) => {
      try {
        new RelpParser().push(Buffer.from(wire));
      } catch (error) {
        return error instanceof RelpError ? error.failure : 'other';
      }
      return 'accepted';
    };
    expect(protocol('1 rsp 2 OKX')).toBe('protocol');
    expect(protocol('HTTP/1.1 400 Bad Request\r\n')).toBe('protocol');
    expect(protocol('1'.repeat(20))).toBe('protocol');
    expect(protocol('1 rsp 6 200')).toBe('accepted'); // incomplete, not wrong
  });
});

describe('syslog sink over RELP (loopback RELP server)', () => {
  let r: RelpReceiver;
  let sink: LogSink | undefined;

  beforeEach(async () => {
    r = await startRelpReceiver();
  });
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
    await r.close();
  });

  async function relpSink(input: Record<string, unknown> = {}, dataDir?: string): Promise<LogSink> {
    const cfg = await resolveSinksConfig(
      {
        s: {
          type: 'syslog',
          transport: 'relp',
          host: '127.0.0.1',
          port: r.port,
          hostname: 'test-host',
          retry: { baseDelayMs: 10, maxDelayMs: 50 },
          ...input,
        },
      },
      dataDir === undefined ? {} : { baseDir: dataDir },
    );
    sink = createSink('s', cfg.s!, dataDir === undefined ? {} : { dataDir });
    return sink;
  }

  it('opens with its offers, sends each message as one syslog command, resolves on the last 200', async () => {
    const s = await relpSink();
    r.answer = () => 'hold';
    let resolved = false;
    const sent = s.send(batchOf(0, 5), signal).then(() => (resolved = true));
    await until('5 messages held', () => (r.sessions[0]?.length === 6 ? true : undefined));
    expect(resolved).toBe(false); // received is not acknowledged
    r.answer = () => 'ok';
    r.release();
    await sent;
    expect(r.sessions[0]![0]).toEqual({
      txnr: 1,
      command: 'open',
      data: `relp_version=0\nrelp_software=duowatch,${version},-\ncommands=syslog`,
    });
    expect(r.sessions[0]!.slice(1).map((f) => [f.txnr, f.command])).toEqual(
      [2, 3, 4, 5, 6].map((t) => [t, 'syslog']),
    );
    expect(r.accepted).toEqual(batchOf(0, 5).map((e) => syslogMessage(e, MESSAGE).toString('utf8')));
    await s.send(batchOf(5, 2), signal);
    expect(r.sessions).toHaveLength(1); // the session is kept between batches
    expect(r.sessions[0]!.at(-1)!.txnr).toBe(8);
    expect(s.stats?.()).toMatchObject({ sent: 7, delivered: 7 });
  });

  it('keeps at most `window` messages unanswered', async () => {
    const s = await relpSink({ window: 4 });
    r.answer = () => 'hold';
    const sent = s.send(batchOf(0, 20), signal);
    // Hold the answers until the window is full, let a client that ignored it send more, then answer.
    for (let round = 0; round < 5; round++) {
      await until(`window full (round ${String(round)})`, () =>
        (r.sessions[0]?.length ?? 0) - 1 - r.accepted.length === 4 ? true : undefined,
      );
      await new Promise((res) => setTimeout(res, 30));
      r.release();
    }
    await sent;
    expect(r.maxOutstanding).toBe(4);
    expect(r.accepted).toHaveLength(20);
  });

  it('a 500 answer fails the batch as sink.unavailable with the reason; the next send opens a new session', async () => {
    const s = await relpSink();
    r.answer = (_m, n) => (n === 3 ? { refuse: '500 queue full' } : 'ok');
    await expect(s.send(batchOf(0, 5), signal)).rejects.toMatchObject({
      code: 'sink.unavailable',
      retryable: true,
      message: expect.stringContaining('500 queue full') as string,
    });
    await s.send(batchOf(0, 5), signal);
    expect(r.sessions).toHaveLength(2);
    expect(r.sessions[1]![0]).toMatchObject({ txnr: 1, command: 'open' });
    // At least once: what was acknowledged before the refusal arrives again with the replayed batch.
    const ids = r.accepted.map((m) => /id="([^"]+)"/.exec(m)?.[1]);
    expect(new Set(ids)).toEqual(new Set(batchOf(0, 5).map((e) => e.id)));
  });

  it('serverclose or a dropped connection mid-batch fail the batch; the next send reconnects', async () => {
    const s = await relpSink();
    r.answer = (_m, n) => (n === 2 ? 'serverclose' : 'ok');
    await expect(s.send(batchOf(0, 5), signal)).rejects.toMatchObject({
      code: 'sink.unavailable',
      message: expect.stringContaining('closed') as string,
    });
    r.answer = (_m, n) => (n === 7 ? 'drop' : 'ok');
    await expect(s.send(batchOf(0, 5), signal)).rejects.toMatchObject({ code: 'sink.unavailable' });
    r.answer = () => 'ok';
    await s.send(batchOf(0, 5), signal);
    expect(r.sessions).toHaveLength(3);
    expect(r.accepted.slice(-5)).toEqual(
      batchOf(0, 5).map((e) => syslogMessage(e, MESSAGE).toString('utf8')),
    );
  });

  it('a server that stops answering times out (sink.unavailable), both at open and mid-batch', async () => {
    const s = await relpSink({ timeoutMs: 200 });
    r.answer = () => 'silent';
    await expect(s.send(batchOf(0, 3), signal)).rejects.toMatchObject({
      code: 'sink.unavailable',
      message: expect.stringContaining('no answer within 200 ms') as string,
    });
    r.openAnswer = null;
    r.answer = () => 'ok';
    await expect(s.send(batchOf(0, 1), signal)).rejects.toMatchObject({
      code: 'sink.unavailable',
      message: expect.stringContaining('no answer to open within 200 ms') as string,
    });
    expect(r.sessions).toHaveLength(2);
  });

  it('a server that refuses the session or does not offer syslog is a configuration problem', async () => {
    const s = await relpSink();
    r.openAnswer = '500 unsupported relp_version';
    await expect(s.send(batchOf(0, 1), signal)).rejects.toMatchObject({
      code: 'sink.config',
      retryable: false,
      message: expect.stringContaining('500 unsupported relp_version') as string,
    });
    r.openAnswer = ''; // an empty answer is not 200 either
    await expect(s.send(batchOf(0, 1), signal)).rejects.toMatchObject({ code: 'sink.config' });
    r.openAnswer = '200 OK\nrelp_version=0\ncommands=other';
    await expect(s.send(batchOf(0, 1), signal)).rejects.toMatchObject({
      code: 'sink.config',
      message: expect.stringContaining('does not offer the syslog command') as string,
    });
  });

  it('with a spill queue, batches refused while the server is down arrive once it is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duowatch-relp-'));
    try {
      const s = await relpSink({ timeoutMs: 300 }, dir);
      r.answer = () => 'drop';
      await s.send(batchOf(0, 10), signal); // spilled: acknowledged to the collector, kept on disk
      await s.send(batchOf(10, 10), signal);
      expect(s.stats?.()).toMatchObject({ spilled: 20 });
      r.answer = () => 'ok';
      await until('20 delivered', () => (r.accepted.length >= 20 ? true : undefined));
      await until('queue drained', () => (s.stats?.().queueBatches === 0 ? true : undefined));
      expect(r.accepted.map((m) => /id="([^"]+)"/.exec(m)?.[1])).toEqual(batchOf(0, 20).map((e) => e.id));
      await s.close();
      sink = undefined;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses LF framing for RELP in the configuration', async () => {
    await expect(relpSink({ framing: 'lf' })).rejects.toMatchObject({ code: 'config.invalid' });
  });
});
