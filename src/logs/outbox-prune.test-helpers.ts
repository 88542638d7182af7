import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { alertOutbox } from '../alerts/index.js';
import { alertRepository } from '../alerts/alerts.repository.js';
import { loadConfig } from '../config/index.js';
import type { Store } from '../store/index.js';
import { checkpointRepository } from './checkpoint.repository.js';
import { pruneAlertOutbox, type OutboxPruneResult } from './outbox-prune.js';
import { hookReceiver } from './hook-receiver.test-helpers.js';
import { openLogsService } from './service.js';

const DAY = 86_400_000;

/**
 * Pruning the alert outbox over a real store (SQLite, or PostgreSQL in the services suite), the logs service
 * delivering `acme`'s alerts to an exactly-once file and a webhook (the SIEM), with a retention of 7 days:
 * undelivered changes outlive the retention while the SIEM is dead and arrive once it is back; delivered ones
 * and an unrouted organization's go after the retention, in bounded batches; the sequence goes on after its
 * newest row is deleted; a stream nobody routes here and nobody touched for the retention no longer holds rows.
 */
export async function outboxPruneScenario(store: Store, dir: string): Promise<void> {
  const hook = await hookReceiver();
  hook.mode = 'ok';
  let now = Date.parse('2026-11-01T12:00:00Z');
  await writeFile(
    join(dir, 'duowatch.yaml'),
    `logs:
  firstRunLookback: 24h
  sinks:   # the file is not rotated by age: this test's clock jumps by days
    archive: { type: file, path: alerts.ndjson, format: raw, rotate: { maxAgeHours: 0 } }
    siem:
      type: webhook
      url: ${hook.url}
      spill: { maxBytes: 0 }
      retry: { baseDelayMs: 100, maxDelayMs: 200 }
  routes:
    - { org: acme, streams: [alerts], sinks: [archive, siem] }
`,
  );
  const config = await loadConfig({ file: join(dir, 'duowatch.yaml'), env: {}, cwd: dir });
  const service = await openLogsService({
    config: config.logs,
    dataDir: config.dataDir,
    env: {},
    store,
    clientFor: () => Promise.reject(new Error('no Duo in this test')),
    demo: false,
    now: () => now,
    outbox: alertOutbox(store),
  });
  try {
    const acme = (await store.organizations.create({ slug: 'acme' })).id;
    const globex = (await store.organizations.create({ slug: 'globex' })).id;
    const outbox = alertOutbox(store);
    const alerts = alertRepository(store, { clock: () => new Date(now) });
    const raise = async (orgId: string, entity: string): Promise<string> => {
      const { alert } = await alerts.raise(
        {
          orgId,
          source: 'detect',
          rule: 'duo.fraud',
          title: `Fraud reported by ${entity}`,
          severity: 'high',
          entity,
          firstSeen: new Date(now),
          lastSeen: new Date(now),
        },
        { suppressForMs: 60_000 },
      );
      return alert.id;
    };
    const deliver = async () => (await service.deliverAlerts(acme, { respectBackoff: false }))?.outcome;
    const prune = (routed: readonly string[], batchSize = 1000): Promise<OutboxPruneResult> =>
      pruneAlertOutbox(
        { outbox, repo: checkpointRepository(store), now: () => now },
        { retentionMs: 7 * DAY, routedOrgIds: new Set(routed), batchSize },
      );
    const kept = async (orgId: string) =>
      (await outbox.read(orgId, 0, 1000)).map((c) => `alert-${c.alertId}-${String(c.seq)}`);
    const archived = async () =>
      (await readFile(join(config.dataDir, 'alerts.ndjson'), 'utf8'))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { duowatch: { id: string } }).duowatch.id);

    // Day 0: three of acme's changes are delivered; two of globex's have no reader (no route names globex).
    for (const e of ['a1', 'a2', 'a3']) await raise(acme, e);
    for (const e of ['g1', 'g2']) await raise(globex, e);
    expect(await deliver()).toBe('ok');
    const delivered = await kept(acme);
    expect(delivered).toHaveLength(3);
    // Then the SIEM dies: two more changes are refused and stay in the outbox.
    hook.mode = 'refuse';
    now += 3_600_000;
    for (const e of ['a4', 'a5']) await raise(acme, e);
    expect(await deliver()).toBe('backoff');
    const waiting = (await kept(acme)).slice(3);
    expect(waiting).toHaveLength(2);

    // Day 8: everything above is older than the retention. The SIEM is still dead (the stream keeps trying).
    now += 8 * DAY;
    expect(await deliver()).toBe('backoff');
    await raise(globex, 'g3');
    const g3 = await kept(globex).then((ids) => ids[2]!);
    const first = await prune([acme], 2);
    // acme's three delivered changes (2 + 1 rows) and globex's two old ones (2 rows, then an empty batch).
    expect(first).toEqual({ deleted: 5, batches: 4, waiting: 1 });
    expect(await kept(acme)).toEqual(waiting);
    expect(await kept(globex)).toEqual([g3]);
    // Without a route here, acme's stream still holds its rows: another process wrote it within the retention.
    expect(await prune([])).toEqual({ deleted: 0, batches: 1, waiting: 1 });
    expect(await kept(acme)).toEqual(waiting);

    // The SIEM is back: nothing was lost, each change arrives once; then the delivered rows go too.
    hook.mode = 'ok';
    expect(await deliver()).toBe('ok');
    expect(await archived()).toEqual([...delivered, ...waiting]);
    expect(hook.accepted).toEqual([...delivered, ...waiting]);
    expect(await prune([acme])).toMatchObject({ deleted: 2 });
    expect(await kept(acme)).toEqual([]);

    // Day 16: globex's g3 — the newest row of the outbox — goes by age; the next change still gets a
    // sequence after it and is delivered.
    now += 8 * DAY;
    expect(await prune([acme])).toMatchObject({ deleted: 1 });
    expect(await kept(globex)).toEqual([]);
    await raise(acme, 'a6');
    const a6 = (await kept(acme))[0]!;
    expect(Number(a6.split('-').pop())).toBeGreaterThan(Number(g3.split('-').pop()));
    expect(await deliver()).toBe('ok');
    expect(await archived()).toEqual([...delivered, ...waiting, a6]);

    // The SIEM dies again and a7 waits. Day 30: while this configuration routes acme's alerts, a7 stays; a
    // process without that route sees a stream untouched for the whole retention — nobody reads it — and
    // prunes by age alone (docs/logs.md, "Pruning the outbox").
    hook.mode = 'refuse';
    await raise(acme, 'a7');
    expect(await deliver()).toBe('backoff');
    now += 14 * DAY;
    expect(await prune([acme])).toMatchObject({ deleted: 1, waiting: 1 });
    expect((await kept(acme)).length).toBe(1);
    expect(await prune([])).toMatchObject({ deleted: 1, waiting: 0 });
    expect(await kept(acme)).toEqual([]);
  } finally {
    await service.close();
    await hook.close();
  }
}
