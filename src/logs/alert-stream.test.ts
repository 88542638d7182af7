import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertOutbox } from '../alerts/index.js';
import { alertRepository, type AlertRepository } from '../alerts/alerts.repository.js';
import { capabilityMigrations } from '../app/index.js';
import { loadConfig } from '../config/index.js';
import { openStore, type Store } from '../store/index.js';
import { alertStreamKey } from './alert-stream.js';
import { openLogsService, type LogsService } from './service.js';

// The `alerts` stream over real parts: SQLite, the alert repository writing the outbox, the logs service with a
// real file sink (exactly once) and a real webhook sink posting to an HTTP receiver on loopback (at least once).

interface Receiver {
  readonly url: string;
  /** Every event id the receiver accepted (with a 200), in order. */
  readonly accepted: string[];
  readonly actions: string[];
  /** Answer 400 (the receiver refuses the data) while true. */
  refuse: boolean;
  refused: number;
  close(): Promise<void>;
}

async function receiver(): Promise<Receiver> {
  const r = { accepted: [] as string[], actions: [] as string[], refuse: false, refused: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (r.refuse) {
        r.refused += 1;
        res.writeHead(400).end('no');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        events: Array<{ duowatch: { id: string }; change: { action: string } }>;
      };
      for (const e of body.events) {
        r.accepted.push(e.duowatch.id);
        r.actions.push(e.change.action);
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(r, {
    url: `http://127.0.0.1:${String(port)}/alerts`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

let dir: string;
let store: Store;
let repo: AlertRepository;
let hook: Receiver;
let service: LogsService | null = null;
let acme: string;
let now = Date.parse('2026-11-30T12:00:00Z');

async function open(): Promise<LogsService> {
  const config = await loadConfig({ file: join(dir, 'duowatch.yaml'), env: {}, cwd: dir });
  return openLogsService({
    config: config.logs,
    dataDir: config.dataDir,
    env: {},
    store,
    clientFor: () => Promise.reject(new Error('no Duo in this test')),
    demo: false,
    now: () => now,
    outbox: alertOutbox(store),
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duowatch-alert-stream-'));
  hook = await receiver();
  await writeFile(
    join(dir, 'duowatch.yaml'),
    `logs:
  firstRunLookback: 24h
  sinks:
    archive: { type: file, path: alerts.ndjson, format: raw }
    hook:
      type: webhook
      url: ${hook.url}
      spill: { maxBytes: 0 }
      retry: { baseDelayMs: 100, maxDelayMs: 200 }
  routes:
    - { org: acme, streams: [alerts], sinks: [archive, hook] }
`,
  );
  store = await openStore({ dataDir: join(dir, 'data'), env: {}, migrations: capabilityMigrations });
  acme = (await store.organizations.create({ slug: 'acme' })).id;
  repo = alertRepository(store, { clock: () => new Date(now) });
});

afterEach(async () => {
  await service?.close();
  service = null;
  await hook.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const raise = (entity: string, over: { lastSeen?: number } = {}) =>
  repo.raise(
    {
      orgId: acme,
      source: 'detect',
      rule: 'duo.mfa_fatigue',
      title: `Push fatigue for ${entity}`,
      severity: 'high',
      entity,
      firstSeen: new Date(now - 60_000),
      lastSeen: new Date(over.lastSeen ?? now),
      eventIds: [`e-${entity}`],
    },
    { suppressForMs: 3_600_000 },
  );

async function fileLines(): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(dir, 'data', 'alerts.ndjson'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
const ids = (lines: ReadonlyArray<Record<string, unknown>>) =>
  lines.map((l) => (l['duowatch'] as { id: string }).id);

describe('the alerts stream', () => {
  it('a refused batch is sent again later: the file holds each change once, the receiver at least once', async () => {
    service = await open();
    const first = await raise('jdoe');
    await raise('amy');
    hook.refuse = true;
    const refused = await service.deliverAlerts(acme, { respectBackoff: true });
    expect(refused?.outcome).toBe('backoff');
    expect(refused?.error).toMatch(/hook: .*HTTP 400/);
    expect(hook.refused).toBeGreaterThan(0);
    // The file sink had written the batch before the receiver refused; it was cut back to the committed position.
    expect(await fileLines()).toEqual([]);
    const rec = await service.repo.get(alertStreamKey(acme));
    expect(rec?.status).toBe('backoff');
    expect(rec?.nextAttemptMs).toBeGreaterThan(now);

    // Inside the back-off the daemon skips it; a repeat folded meanwhile waits in the outbox too.
    await raise('jdoe', { lastSeen: now + 1000 });
    expect((await service.deliverAlerts(acme, { respectBackoff: true }))?.outcome).toBe('skipped');

    // The receiver takes data again, the back-off has run out: everything arrives, the file once.
    hook.refuse = false;
    now += 10 * 60_000;
    const ok = await service.deliverAlerts(acme, { respectBackoff: true });
    expect(ok?.outcome).toBe('ok');
    expect(ok?.result?.events).toBe(3);
    const lines = await fileLines();
    expect(lines.map((l) => [(l['change'] as { action: string }).action, l['entity'], l['count']])).toEqual([
      ['created', 'jdoe', 1],
      ['created', 'amy', 1],
      ['repeated', 'jdoe', 2],
    ]);
    expect(new Set(ids(lines)).size).toBe(3);
    expect(ids(lines)[0]).toMatch(new RegExp(`^alert-${first.alert.id}-\\d+$`));
    expect(new Set(hook.accepted)).toEqual(new Set(ids(lines)));

    // Nothing new: nothing sent, the checkpoint stays.
    expect((await service.deliverAlerts(acme, { respectBackoff: true }))?.result?.events).toBe(0);
    expect(await fileLines()).toHaveLength(3);
    expect(hook.accepted).toHaveLength(3);
  });

  it('an acknowledgement and a resolution arrive as their own events, with who, when and the note', async () => {
    service = await open();
    const a = await raise('jdoe');
    await service.deliverAlerts(acme, { respectBackoff: false });
    now += 60_000;
    await repo.setStatus(a.alert.id, 'acknowledged', 'operator:alice', 'calling jdoe');
    now += 60_000;
    await repo.setStatus(a.alert.id, 'resolved', 'cli');
    await service.deliverAlerts(acme, { respectBackoff: false });
    const lines = await fileLines();
    const seqs = lines.map((l) => (l['change'] as { seq: number }).seq);
    expect(seqs[0]).toBeLessThan(seqs[1]!);
    expect(seqs[1]).toBeLessThan(seqs[2]!);
    expect(lines.map((l) => l['change'])).toEqual([
      {
        seq: seqs[0],
        action: 'created',
        at: new Date(now - 120_000).toISOString(),
        by: null,
        note: null,
      },
      {
        seq: seqs[1],
        action: 'acknowledged',
        at: new Date(now - 60_000).toISOString(),
        by: 'operator:alice',
        note: 'calling jdoe',
      },
      { seq: seqs[2], action: 'resolved', at: new Date(now).toISOString(), by: 'cli', note: null },
    ]);
    expect(lines.map((l) => l['status'])).toEqual(['open', 'acknowledged', 'resolved']);
    expect(lines[2]).toMatchObject({ id: a.alert.id, status_by: 'cli', rule: 'duo.mfa_fatigue' });
    expect(hook.actions).toEqual(['created', 'acknowledged', 'resolved']);
  });

  it('starts at the first-run lookback, and a stream leased by another process is left to it', async () => {
    await raise('old');
    now += 48 * 3_600_000;
    await raise('new');
    service = await open();
    const key = alertStreamKey(acme);
    await service.deliverAlerts(acme, { respectBackoff: false });
    expect((await fileLines()).map((l) => l['entity'])).toEqual(['new']);

    await raise('later');
    expect(await service.repo.acquireLease(key, 'elsewhere:1:x', 60_000, now)).toBe(true);
    const busy = await service.deliverAlerts(acme, { respectBackoff: false });
    expect(busy?.outcome).toBe('busy');
    expect(busy?.error).toMatch(/held by elsewhere:1:x/);
    await service.repo.releaseLease(key, 'elsewhere:1:x');
    expect((await service.deliverAlerts(acme, { respectBackoff: false }))?.result?.events).toBe(1);
    expect((await fileLines()).map((l) => l['entity'])).toEqual(['new', 'later']);
  });
});
