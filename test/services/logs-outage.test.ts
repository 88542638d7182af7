// Outage: the SIEM (a webhook receiver on loopback; its 200 is the acknowledgement) goes down mid-backfill and stays
// down for LOGS_OUTAGE_S seconds (default 20; the daemon polls every round meanwhile). The reliable sink retries
// with back-off and spills to its bounded disk queue; once the queue is full the collector's cursors stop
// advancing (the streams back off, nothing is dropped). When the receiver comes back, the queue drains and
// collection resumes: the receiver then holds every event the emulator has for the window, at least once.
// (Syslog over TCP has no acknowledgement: bytes the kernel took before the receiver died are lost with it,
// docs/log-sinks.md; an outage test of "nothing lost" needs a sink whose receiver acknowledges.)
// No system service is needed, but it runs for tens of seconds, so it lives with the services suites.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuoClient, LimiterRegistry, systemClock } from '../../src/duo/index.js';
import { appDispatcher } from '../../src/duo/test-support/app-dispatcher.test-helpers.js';
import type { StreamReport } from '../../src/logs/collect-org.js';
import {
  caughtUp,
  collectorWorld,
  collectRound,
  type CollectorWorld,
} from '../../src/logs/collector-world.test-helpers.js';
import { createHttpPoster, createReliableSink, createWebhookSink } from '../../src/logs/sinks/index.js';
import { eventId, STREAM_SPECS } from '../../src/logs/streams.js';

const OUTAGE_S = Number(process.env.LOGS_OUTAGE_S ?? '20');
const FROZEN = Date.now() - 3_600_000;
const FROM = FROZEN - 10 * 86_400_000;
const STREAMS = ['auth', 'telephony', 'activity'] as const;
const MAX_SPILL = 1_500_000;

/**
 * A webhook receiver (HTTP on loopback) that can go down and come back on the same port; keeps every event id
 * it was given. A 200 is the acknowledgement: what it answered 200 for, it has.
 */
class Receiver {
  ids = new Map<string, number>();
  private server: Server | null = null;
  port = 0;

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const batch = JSON.parse(body) as { events: Array<{ duowatch: { id: string } }> };
        for (const e of batch.events) this.ids.set(e.duowatch.id, (this.ids.get(e.duowatch.id) ?? 0) + 1);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s === null) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
    await closed;
  }
}

let w: CollectorWorld;
const receiver = new Receiver();

beforeAll(async () => {
  w = await collectorWorld({ seed: 'logs-outage', users: 300, frozen: FROZEN, slug: 'outage' });
  await receiver.up();
}, 60_000);

afterAll(async () => {
  await receiver.down();
  await w?.close();
});

function expectedIds(hostname: string): Set<string> {
  const t = w.emu.world.tenant(hostname);
  const out = new Set<string>();
  const hi = FROZEN - 120_000;
  let after: { ts: number; txid: string } | undefined;
  for (let i = 0; i < 10_000; i++) {
    const p = t.authLog({
      mintime: FROM,
      maxtime: hi,
      limit: 1000,
      sort: 'ts:asc',
      ...(after ? { after } : {}),
    });
    for (const e of p.events) out.add(eventId(STREAM_SPECS.auth, e as unknown as Record<string, unknown>));
    if (p.next === null) break;
    after = p.next;
  }
  for (const s of ['telephony', 'activity'] as const) {
    const q = { mintime: FROM, maxtime: hi, limit: 100_000, sort: 'ts:asc' as const };
    const items = s === 'telephony' ? t.telephonyLog(q).items : t.activityLog(q).items;
    for (const e of items) out.add(eventId(STREAM_SPECS[s], e as unknown as Record<string, unknown>));
  }
  return out;
}

async function until(what: string, ms: number, probe: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('outage: the SIEM down for a while mid-backfill', () => {
  it('spills, pauses the cursors when the queue is full, and loses nothing once the receiver is back', async () => {
    const { emu, tenant: t, repo } = w;
    const client = createDuoClient({
      ...t.admin,
      host: t.hostname,
      dispatcher: appDispatcher(emu.app),
      limiter: new LimiterRegistry({ clock: systemClock, ratesPerMinute: { log: 0, auth_log: 0 } }),
    });
    const sink = createReliableSink(
      createWebhookSink({
        name: 'siem',
        url: `http://127.0.0.1:${String(receiver.port)}/duo`,
        format: 'raw',
        secret: null,
        headers: {},
        http: createHttpPoster(
          'siem',
          { ca: null, cert: null, key: null, passphrase: null, servername: null, insecureSkipVerify: false },
          5000,
        ),
      }),
      { spillDir: join(w.dir, 'spill'), maxSpillBytes: MAX_SPILL, baseDelayMs: 100, maxDelayMs: 1000 },
    );
    const round = (): Promise<StreamReport[]> =>
      collectRound(w, client, [sink], { streams: [...STREAMS], firstFrom: FROM, pageSize: 200 });
    const cursors = async (reports: readonly StreamReport[]) =>
      Promise.all(reports.map(async (r) => JSON.stringify((await repo.get(r.key))?.checkpoint)));

    // Mid-backfill the receiver goes down.
    const first = round();
    await until('the receiver to get 1,500 events', 60_000, () => receiver.ids.size >= 1500);
    await receiver.down();
    const reports1 = await first;
    expect(reports1.some((r) => r.outcome === 'backoff')).toBe(true);
    expect(sink.state()).toBe('full');
    const stats1 = sink.stats?.() ?? {};
    expect(stats1['spilled'] ?? 0).toBeGreaterThan(0);
    expect(stats1['queueBytes'] ?? 0).toBeLessThanOrEqual(MAX_SPILL);
    const paused = await cursors(reports1);
    const receivedWhileUp = receiver.ids.size;

    // Down for a while: every round fails for the full queue, the cursors do not move, nothing is dropped.
    const downUntil = Date.now() + OUTAGE_S * 1000;
    let downRounds = 0;
    while (Date.now() < downUntil) {
      const r = await round();
      downRounds += 1;
      expect(r.filter((x) => x.outcome !== 'backoff' && x.outcome !== 'ok')).toEqual([]);
      expect(await cursors(r)).toEqual(paused);
      await new Promise((res) => setTimeout(res, 1000));
    }
    expect(receiver.ids.size).toBe(receivedWhileUp);
    expect((sink.stats?.() ?? {})['dropped'] ?? 0).toBe(0);

    // Back up: the queue drains, then collection resumes to the end.
    await receiver.up();
    await until('the spill queue to drain', 120_000, () => sink.state() === 'ok');
    let rounds = 0;
    for (; rounds < 50; rounds++) {
      if (await caughtUp(repo, await round())) break;
    }
    await sink.close();
    const expected = expectedIds(t.hostname);
    // What the sink wrote may still be in flight to the receiver's parser: wait for it, with a ceiling.
    await until('the receiver to parse every event', 60_000, () =>
      [...expected].every((id) => receiver.ids.has(id)),
    ).catch(() => undefined);
    const missing = [...expected].filter((id) => !receiver.ids.has(id));
    const received = [...receiver.ids.values()].reduce((a, b) => a + b, 0);
    process.stderr.write(
      `outage: down ${String(OUTAGE_S)} s (${String(downRounds)} rounds paused), spilled ${String(stats1['spilled'])} events, ` +
        `${String(expected.size)} events expected, ${String(received)} messages received, ` +
        `${String(received - receiver.ids.size)} duplicates, ${String(missing.length)} missing\n`,
    );
    expect(missing).toEqual([]);
    expect([...receiver.ids.keys()].filter((id) => !expected.has(id))).toEqual([]);
  }, 600_000);
});
