// One contract, every sink (docs/conventions.md §11): the same cases against the file, stdout, syslog (TCP, UDP, RELP),
// Elasticsearch, HEC and webhook sinks, each over a real loopback receiver. Where a case does not apply to a
// sink the case says why instead of passing silently.
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBulkReceiver } from './bulk-receiver.test-helpers.js';
import { createSink } from './create-sink.js';
import { batchOf } from './events.test-helpers.js';
import { startHecReceiver } from './hec-receiver.test-helpers.js';
import { startRelpReceiver } from './relp-receiver.test-helpers.js';
import { resolveSinksConfig } from './sink-config.js';
import type { LogSink } from './types.js';

interface Harness {
  readonly sink: LogSink;
  /** Event ids the receiver holds, in arrival order (duplicates included). */
  received(): Promise<string[]>;
  close(): Promise<void>;
}

const idOf = (line: string): string =>
  /"duowatch":\{"id":"([^"]+)"|id="([^"]+)"/.exec(line)?.slice(1).find(Boolean) ?? '?';

async function build(input: Record<string, unknown>, dataDir: string): Promise<LogSink> {
  const cfg = await resolveSinksConfig(
    { s: input },
    { env: { T: 'tok', K: 'a2V5OnNlY3JldA==' }, baseDir: dataDir },
  );
  return createSink('s', cfg.s!, { dataDir });
}

const harnesses: Record<string, (dir: string) => Promise<Harness>> = {
  async file(dir) {
    const sink = await build({ type: 'file', path: 'out.ndjson' }, dir);
    await sink.restore?.(null);
    return {
      sink,
      received: async () =>
        (await readFile(join(dir, 'out.ndjson'), 'utf8').catch(() => ''))
          .split('\n')
          .filter(Boolean)
          .map(idOf),
      close: () => sink.close(),
    };
  },
  stdout() {
    const lines: string[] = [];
    const sink = createSink(
      's',
      { type: 'stdout', format: 'raw' },
      {
        stdout: { write: (chunk, cb) => (lines.push(...chunk.split('\n').filter(Boolean)), cb(null), true) },
      },
    );
    return Promise.resolve({
      sink,
      received: () => Promise.resolve(lines.map(idOf)),
      close: () => sink.close(),
    });
  },
  async 'syslog-tcp'(dir) {
    let data = '';
    const conns: Socket[] = [];
    const server = createServer(
      (s) => (conns.push(s), s.on('data', (d: Buffer) => (data += d.toString('utf8')))),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const sink = await build(
      {
        type: 'syslog',
        transport: 'tcp',
        framing: 'lf',
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
      },
      dir,
    );
    return {
      sink,
      received: async () => {
        await new Promise((r) => setTimeout(r, 50)); // bytes written are in flight on loopback
        return data.split('\n').filter(Boolean).map(idOf);
      },
      close: async () => {
        await sink.close();
        for (const c of conns) c.destroy();
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  },
  async 'syslog-udp'(dir) {
    const got: string[] = [];
    const udp = createSocket('udp4');
    udp.on('message', (m) => got.push(idOf(m.toString('utf8'))));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const sink = await build(
      {
        type: 'syslog',
        transport: 'udp',
        host: '127.0.0.1',
        port: udp.address().port,
        maxMessageBytes: 8192,
      },
      dir,
    );
    return {
      sink,
      received: async () => {
        await new Promise((r) => setTimeout(r, 50));
        return [...got];
      },
      close: async () => {
        await sink.close();
        udp.close();
      },
    };
  },
  async 'syslog-relp'(dir) {
    const r = await startRelpReceiver();
    const sink = await build({ type: 'syslog', transport: 'relp', host: '127.0.0.1', port: r.port }, dir);
    return {
      sink,
      // Acknowledged means received: no wait for bytes in flight.
      received: () => Promise.resolve(r.accepted.map(idOf)),
      close: async () => {
        await sink.close();
        await r.close();
      },
    };
  },
  async elasticsearch(dir) {
    const es = await startBulkReceiver('a2V5OnNlY3JldA==');
    const sink = await build({ type: 'elasticsearch', url: es.url, apiKey: '${K}' }, dir);
    return {
      sink,
      received: () =>
        Promise.resolve([...es.docs.values()].map((d) => String((d.event as { id: string }).id))),
      close: async () => {
        await sink.close();
        await es.close();
      },
    };
  },
  async hec(dir) {
    const r = await startHecReceiver('tok', { ack: true });
    const sink = await build(
      { type: 'hec', url: r.url, token: '${T}', ack: { enabled: true, pollMs: 10 } },
      dir,
    );
    return {
      sink,
      received: () =>
        Promise.resolve(r.events.map((e) => String((e.fields as { duowatch_id: string }).duowatch_id))),
      close: async () => {
        await sink.close();
        await r.close();
      },
    };
  },
  async webhook(dir) {
    const ids: string[] = [];
    const server = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        for (const e of (JSON.parse(body) as { events: Array<{ duowatch: { id: string } }> }).events)
          ids.push(e.duowatch.id);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const sink = await build(
      {
        type: 'webhook',
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
        secret: 'k',
      },
      dir,
    );
    return {
      sink,
      received: () => Promise.resolve([...ids]),
      close: async () => {
        await sink.close();
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  },
};

for (const [kind, make] of Object.entries(harnesses)) {
  describe(`sink contract: ${kind}`, () => {
    let dir: string;
    let h: Harness;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), `duowatch-contract-${kind}-`));
      h = await make(dir);
    });
    afterAll(async () => {
      await h.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('delivers every event of a batch, in order, with its id, by the time send resolves', async () => {
      await h.sink.send(batchOf(0, 25), new AbortController().signal);
      expect(await h.received()).toEqual(batchOf(0, 25).map((e) => e.id));
    });

    it('treats an empty batch as nothing to do', async () => {
      await h.sink.send([], new AbortController().signal);
      expect(await h.received()).toHaveLength(25);
    });

    it('refuses to start a batch under an aborted signal, delivering none of it', async () => {
      const c = new AbortController();
      c.abort();
      await expect(h.sink.send(batchOf(100, 3), c.signal)).rejects.toBeDefined();
      expect(await h.received()).toHaveLength(25);
    });

    it('keeps its declared guarantee when the same batch is sent again', async () => {
      const position = h.sink.position ? await h.sink.position() : null;
      await h.sink.send(batchOf(25, 5), new AbortController().signal);
      // The collector replays a batch it could not commit; an exactly-once sink with local state rewinds first.
      if (h.sink.restore) await h.sink.restore(position);
      await h.sink.send(batchOf(25, 5), new AbortController().signal);
      const got = await h.received();
      const copies = got.filter((id) => id === batchOf(25, 1)[0]!.id).length;
      if (h.sink.guarantee === 'exactly_once') expect(copies).toBe(1);
      else expect(copies).toBe(2); // at-least-once: the replayed batch is duplicated, never lost
      expect(new Set(got)).toEqual(new Set(batchOf(0, 30).map((e) => e.id)));
    });

    it('reports counters', () => {
      if (h.sink.stats === undefined) {
        // file and stdout keep no counters: their acknowledgement is the write itself (docs/log-sinks.md).
        expect(['file', 'stdout']).toContain(kind);
        return;
      }
      const stats = h.sink.stats();
      expect(Object.values(stats).every((v) => typeof v === 'number')).toBe(true);
    });
  });
}
