// Chaos: the collector against the emulator over real TLS with a fault plan on every log request — 10 % 429,
// 5 % 5xx, 2 % hangs, 1 % malformed replies — for at least 10,000 polls. Every event the emulator holds for the
// window must be delivered exactly once (file-like recorder with positions), the process stays up, and each
// failing stream only backs off. Wall time is kept sane through configuration, not fakes: the client's
// per-request timeout (a hang ends when the client gives up, as against Duo), its retry delays, and small pages
// so many polls are needed. No system service is needed, but it runs for a minute or two, so it lives with the
// services suites.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuoClient, LimiterRegistry, systemClock } from '../../src/duo/index.js';
import {
  caughtUp,
  collectorWorld,
  collectRound,
  type CollectorWorld,
} from '../../src/logs/collector-world.test-helpers.js';
import type { StreamReport } from '../../src/logs/collect-org.js';
import { RecorderSink } from '../../src/logs/recorder-sink.test-helpers.js';

const FROZEN = Date.now() - 3_600_000;
const DAYS = 27;
const PAGE = 4;
const STREAMS = ['auth', 'telephony', 'activity'] as const;

let w: CollectorWorld;

beforeAll(async () => {
  w = await collectorWorld({ seed: 'logs-chaos', users: 400, frozen: FROZEN, slug: 'chaos', tls: true });
}, 60_000);

afterAll(async () => {
  await w?.close();
});

describe('chaos: faults on every log request', () => {
  it('delivers every event once through 10,000+ polls with 429s, 5xx, hangs and malformed replies', async () => {
    const { emu, tenant: t, repo } = w;
    const listening = w.listening!;
    for (const [kind, probability] of [
      ['rate_limit', 0.1],
      ['error', 0.05],
      ['hang', 0.02],
      ['malformed_json', 0.01],
    ] as const)
      emu.control.addFault({ kind, path: '/admin/*/logs/*', probability });

    let attempts = 0;
    const seen = new Map<string, number>();
    const client = createDuoClient({
      ...t.admin,
      host: t.hostname,
      transport: {
        extraCaPem: [readFileSync(listening.caFile, 'utf8')],
        resolve: { [t.hostname]: { address: listening.address, port: listening.port } },
        allowPrivateAddresses: true,
      },
      limiter: new LimiterRegistry({ clock: systemClock, ratesPerMinute: { log: 0, auth_log: 0 } }),
      // A hang lasts until the client gives up; 429s and 5xx are retried after short delays.
      timeoutMs: 400,
      retry: { rateLimitDelaysMs: [5, 10, 20], jitterMs: 5, transientDelaysMs: [5, 10] },
      log: (e) => {
        attempts += 1;
        const k =
          e.status === undefined
            ? (e.kind ?? e.outcome)
            : String(e.status) + (e.kind === undefined ? '' : ` ${e.kind}`);
        seen.set(k, (seen.get(k) ?? 0) + 1);
      },
    });
    const sink = new RecorderSink();
    const firstFrom = FROZEN - DAYS * 86_400_000;
    const outcomes = new Map<string, number>();
    let rounds = 0;
    // The daemon's loop, without its waits: every round retries every stream that is not done.
    for (; rounds < 2000; rounds++) {
      const reports: StreamReport[] = await collectRound(w, client, [sink], {
        streams: [...STREAMS],
        firstFrom,
        pageSize: PAGE,
      });
      for (const r of reports) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
      if (await caughtUp(repo, reports)) break;
    }
    process.stderr.write(
      `chaos: ${String(attempts)} polls (client attempts) by answer ${JSON.stringify(Object.fromEntries(seen))}, ` +
        `${String(rounds + 1)} rounds, stream outcomes ${JSON.stringify(Object.fromEntries(outcomes))}, ${String(sink.events.length)} events\n`,
    );

    const tenant = emu.world.tenant(t.hostname);
    const q = { mintime: firstFrom, maxtime: FROZEN - 120_000, limit: 1, sort: 'ts:asc' as const };
    const expected = {
      auth: tenant.authLog(q).total,
      telephony: tenant.telephonyLog(q).total,
      activity: tenant.activityLog(q).total,
    };
    const got = Object.fromEntries(STREAMS.map((s) => [s, sink.events.filter((e) => e.stream === s).length]));
    expect(got).toEqual(expected);
    const ids = sink.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(attempts).toBeGreaterThanOrEqual(10_000);
    // Each kind of fault was met: 429s and 500s by status, hangs as client timeouts, malformed bodies.
    const keys = [...seen.keys()].join(' | ');
    expect(keys).toMatch(/429/);
    expect(keys).toMatch(/500/);
    expect(keys).toMatch(/timeout/);
    expect(keys).toMatch(/bad_response/);
    expect(outcomes.get('backoff') ?? 0).toBeGreaterThan(0);
  }, 900_000);
});
