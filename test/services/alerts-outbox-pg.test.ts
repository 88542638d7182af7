import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertOutbox } from '../../src/alerts/index.js';
import { alertRepository } from '../../src/alerts/alerts.repository.js';
import { capabilityMigrations } from '../../src/app/index.js';
import { outboxPruneScenario } from '../../src/logs/outbox-prune.test-helpers.js';
import { openStore } from '../../src/store/index.js';
import {
  cli,
  fileIds,
  hookReceiver,
  outboxIds,
  storingChild,
  waitFor,
  writeConfig,
} from '../alerts-outbox-crash.test-helpers.js';
import { createTestDatabase, reachable } from './store-pg-database.js';

// The alert outbox on PostgreSQL: concurrent writers commit outbox rows in sequence order (a reader following
// the sequence skips none), one process delivers an organization's alerts at a time (the stream lease), a
// SIGKILLed process loses nothing, and pruning never deletes an undelivered change.
const url = process.env['DATABASE_URL'] ?? '';
const required = process.env['DUOWATCH_REQUIRE_SERVICES'] === '1';
const available = url !== '' && (await reachable(url));

if (!available && required) {
  describe('alert outbox on postgres', () => {
    it('needs PostgreSQL (DUOWATCH_REQUIRE_SERVICES=1)', () => {
      throw new Error(url === '' ? 'DATABASE_URL is not set' : 'PostgreSQL at DATABASE_URL is not reachable');
    });
  });
} else if (!available) {
  describe.skip('alert outbox on postgres (skipped: DATABASE_URL unset or unreachable; set DUOWATCH_REQUIRE_SERVICES=1 to fail instead)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  describe('alert outbox on postgres', () => {
    it('two writers at once: a reader following the sequence while they write sees every change', async () => {
      const database = await createTestDatabase(url);
      const dir = await mkdtemp(join(tmpdir(), 'duowatch-outbox-pg-'));
      const open = () =>
        openStore({ dataDir: dir, env: {}, migrations: capabilityMigrations, databaseUrl: database.url });
      const a = await open();
      const b = await open();
      try {
        const org = (await a.organizations.create({ slug: 'acme' })).id;
        // Per writer: 20 alerts, each raised twice (created, then repeated), 4 of them acknowledged.
        const writers = [a, b].map(async (store, w) => {
          const repo = alertRepository(store);
          for (let i = 0; i < 40; i++) {
            const raised = await repo.raise(
              {
                orgId: org,
                source: 'detect',
                rule: 'duo.fraud',
                title: 'fraud',
                severity: 'high',
                entity: `w${String(w)}-${String(Math.floor(i / 2))}`,
                firstSeen: new Date(),
                lastSeen: new Date(),
              },
              { suppressForMs: 3_600_000 },
            );
            if (i % 10 === 9) await repo.setStatus(raised.alert.id, 'acknowledged', `writer-${String(w)}`);
          }
        });
        let done = false;
        const all = Promise.all(writers).finally(() => (done = true));
        // The reader: like the alerts stream, only rows after the last sequence it saw.
        const reader = alertOutbox(a);
        const seen: number[] = [];
        let last = 0;
        for (let round = 0; round < 100_000; round++) {
          const finished = done;
          const rows = await reader.read(org, last, 7);
          for (const r of rows) seen.push(r.seq);
          if (rows.length > 0) last = rows[rows.length - 1]!.seq;
          if (finished && rows.length === 0) break;
        }
        await all;
        const every = (await reader.read(org, 0, 10_000)).map((r) => r.seq);
        expect(every).toHaveLength(2 * 40 + 2 * 4);
        expect(seen).toEqual(every);
      } finally {
        await a.close();
        await b.close();
        await rm(dir, { recursive: true, force: true });
        await database.drop();
      }
    }, 120_000);

    it('one process delivers an organization’s alerts at a time; a SIGKILLed one loses nothing', async () => {
      const database = await createTestDatabase(url);
      const dir = await mkdtemp(join(tmpdir(), 'duowatch-outbox-pg-crash-'));
      const hook = await hookReceiver();
      try {
        const config = await writeConfig(dir, hook.url);
        const envA = {
          DUOWATCH_DATA_DIR: join(dir, 'a'),
          DUOWATCH_CONFIG: config,
          DATABASE_URL: database.url,
        };
        const envB = { ...envA, DUOWATCH_DATA_DIR: join(dir, 'b') };
        expect((await cli(['orgs', 'add', 'acme', '--name', 'Acme'], envA)).code).toBe(0);
        const child = storingChild(envA, 'a', 3);
        await waitFor(
          'the child to store its changes and start delivering',
          () => child.stored && hook.requests > 0,
        );
        // Another process (its own data directory and file) meets the live child's lease and leaves the stream.
        const other = await cli(['logs', 'run', '--rounds', '1', '--interval', '1'], envB);
        expect(other.code).toBe(0);
        expect(other.err).toMatch(/acme alerts: busy: held by /);
        expect(await fileIds(envB.DUOWATCH_DATA_DIR)).toEqual([]);
        child.proc.kill('SIGKILL');
        await child.exit;
        hook.release();
        expect((await fileIds(envA.DUOWATCH_DATA_DIR)).length).toBeGreaterThan(0);
        hook.mode = 'ok';
        // The dead holder was on this host: its lease is taken at once.
        const run = await cli(['logs', 'run', '--rounds', '1', '--interval', '1'], envA);
        expect(run.err).toBe('');
        expect(run.code).toBe(0);
        const expected = await outboxIds(envA, envA.DUOWATCH_DATA_DIR);
        expect(expected).toHaveLength(4);
        expect(await fileIds(envA.DUOWATCH_DATA_DIR)).toEqual(expected);
        expect(new Set(hook.accepted)).toEqual(new Set(expected));
      } finally {
        await hook.close();
        await rm(dir, { recursive: true, force: true });
        await database.drop();
      }
    }, 240_000);

    it('pruning never deletes an undelivered change; delivered and unread ones go after the retention', async () => {
      const database = await createTestDatabase(url);
      const dir = await mkdtemp(join(tmpdir(), 'duowatch-outbox-pg-prune-'));
      const store = await openStore({
        dataDir: join(dir, 'data'),
        env: {},
        migrations: capabilityMigrations,
        databaseUrl: database.url,
      });
      try {
        // The same scenario as src/logs/outbox-prune.test.ts (SQLite), over PostgreSQL.
        await outboxPruneScenario(store, dir);
      } finally {
        await store.close();
        await rm(dir, { recursive: true, force: true });
        await database.drop();
      }
    }, 120_000);
  });
}
