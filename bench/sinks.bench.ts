import { mkdtemp, open, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CollectedEvent } from '../src/app/index.js';
import { createFileSink, createSyslogSink } from '../src/logs/sinks/index.js';
import { RelpParser, relpFrame } from '../src/logs/sinks/relp.js';
import { duoSamples, sampleEvent } from '../src/logs/sinks/duo-samples.test-helpers.js';
import type { BenchRow } from './run.js';

/**
 * Sink throughput (docs/log-sinks.md): events/s through the file sink (raw and ECS, one write + fsync per batch
 * of 1000) and the syslog sink over loopback TCP (octet counting, raw JSON body) and over RELP (a loopback
 * server answering 200 to every message), against raw JSON.stringify-and-write of the same events in the same
 * run. BENCH_SCALE scales the event count.
 */
const N = Math.max(1000, Math.round(200_000 * Number(process.env.BENCH_SCALE ?? '1')));
const BATCH = 1000;

function events(): CollectedEvent[] {
  const names = Object.keys(duoSamples);
  return Array.from({ length: N }, (_, i) => {
    const e = sampleEvent(names[i % names.length]!);
    return { ...e, id: `${e.id}-${i}`, ts: e.ts + i };
  });
}

async function timeIt(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/** CPU of this process (user + system) per event while `fn` ran, in µs: steadier than wall time on shared cores. */
async function cpuPerEvent(fn: () => Promise<number>): Promise<{ seconds: number; cpuUs: number }> {
  const c0 = process.cpuUsage();
  const seconds = await fn();
  const c = process.cpuUsage(c0);
  return { seconds, cpuUs: (c.user + c.system) / N };
}

export default async function bench(): Promise<BenchRow[]> {
  const all = events();
  const dir = await mkdtemp(join(tmpdir(), 'duowatch-bench-sinks-'));
  const signal = new AbortController().signal;
  try {
    const rawSeconds = await timeIt(async () => {
      const h = await open(join(dir, 'raw.ndjson'), 'a');
      for (let i = 0; i < all.length; i += BATCH) {
        let text = '';
        for (const e of all.slice(i, i + BATCH))
          text += JSON.stringify({ ...e.raw, duowatch: { id: e.id } }) + '\n';
        await h.write(text);
        await h.sync();
      }
      await h.close();
    });
    const raw = { name: 'raw stringify + write + fsync per 1000', value: Math.round(N / rawSeconds) };

    const rows: BenchRow[] = [{ ...raw, unit: 'events/s', higherIsBetter: true, note: `${N} events` }];
    for (const format of ['raw', 'ecs'] as const) {
      const sink = createFileSink({
        path: join(dir, `file-${format}.ndjson`),
        format,
        maxBytes: 64 * 1024 * 1024,
      });
      await sink.restore?.(null);
      const s = await timeIt(async () => {
        for (let i = 0; i < all.length; i += BATCH) {
          await sink.send(all.slice(i, i + BATCH), signal);
          await sink.position?.();
        }
      });
      await sink.close();
      rows.push({
        name: `file sink (${format}, rotation at 64 MiB + gzip)`,
        value: Math.round(N / s),
        unit: 'events/s',
        higherIsBetter: true,
        baseline: raw,
        ...(format === 'ecs' ? { target: { op: '>', value: Math.round(raw.value * 0.3) } } : {}),
      });
    }

    let received = 0;
    const server = createServer((sock) => sock.on('data', (d: Buffer) => (received += d.length)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const sink = createSyslogSink({
      name: 'bench',
      transport: 'tcp',
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      framing: 'octet-counting',
      maxMessageBytes: 2048,
      message: { facility: 'local0', appName: 'duowatch', hostname: 'bench', body: 'json', format: 'raw' },
      tls: { ca: null, cert: null, key: null, passphrase: null, servername: null, insecureSkipVerify: false },
      timeoutMs: 30_000,
    });
    const tcp = await cpuPerEvent(() =>
      timeIt(async () => {
        for (let i = 0; i < all.length; i += BATCH) await sink.send(all.slice(i, i + BATCH), signal);
      }),
    );
    await sink.close();
    server.close();
    rows.push({
      name: 'syslog TCP sink (RFC 5424 + octet counting, raw JSON)',
      value: Math.round(N / tcp.seconds),
      unit: 'events/s',
      higherIsBetter: true,
      baseline: raw,
      note: `${Math.round(received / 1024 / 1024)} MiB written to a loopback receiver; CPU ${tcp.cpuUs.toFixed(1)} µs/event (sink + receiver, one process)`,
    });

    // RELP: the same messages, each waiting for its 200 from a loopback server (window 128, librelp's default).
    let relpBytes = 0;
    const relpServer = createServer((sock) => {
      const parser = new RelpParser();
      sock.on('data', (d: Buffer) => {
        relpBytes += d.length;
        const answers = parser
          .push(d)
          .map((f) =>
            relpFrame(
              f.txnr,
              'rsp',
              f.command === 'open' ? '200 OK\nrelp_version=0\ncommands=syslog' : '200 OK',
            ),
          );
        if (answers.length > 0) sock.write(Buffer.concat(answers));
      });
    });
    await new Promise<void>((r) => relpServer.listen(0, '127.0.0.1', r));
    const relp = createSyslogSink({
      name: 'bench',
      transport: 'relp',
      host: '127.0.0.1',
      port: (relpServer.address() as AddressInfo).port,
      framing: 'octet-counting',
      maxMessageBytes: 2048,
      message: { facility: 'local0', appName: 'duowatch', hostname: 'bench', body: 'json', format: 'raw' },
      tls: { ca: null, cert: null, key: null, passphrase: null, servername: null, insecureSkipVerify: false },
      timeoutMs: 30_000,
      window: 128,
    });
    const relpRun = await cpuPerEvent(() =>
      timeIt(async () => {
        for (let i = 0; i < all.length; i += BATCH) await relp.send(all.slice(i, i + BATCH), signal);
      }),
    );
    await relp.close();
    relpServer.close();
    rows.push({
      name: 'syslog RELP sink (RFC 5424, raw JSON, every message acknowledged, window 128)',
      value: Math.round(N / relpRun.seconds),
      unit: 'events/s',
      higherIsBetter: true,
      baseline: raw,
      note: `${Math.round(relpBytes / 1024 / 1024)} MiB to a loopback RELP server answering 200 to each message; CPU ${relpRun.cpuUs.toFixed(1)} µs/event (sink + server, one process)`,
    });
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
