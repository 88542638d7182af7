import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertRepository } from '../../src/alerts/alerts.repository.js';
import { capabilityMigrations } from '../../src/app/index.js';
import { openStore } from '../../src/store/index.js';
import { createTestDatabase, reachable } from './store-pg-database.js';

// The alert list's text search (LIKE with escaped wildcards over a json column cast to text) and its
// last-seen/id cursor on PostgreSQL, where the SQL differs from SQLite's. Fails, never skips, under
// DUOWATCH_REQUIRE_SERVICES=1.
const url = process.env['DATABASE_URL'] ?? '';
const required = process.env['DUOWATCH_REQUIRE_SERVICES'] === '1';
const available = url !== '' && (await reachable(url));

if (!available && required) {
  describe('alerts on postgres', () => {
    it('needs PostgreSQL (DUOWATCH_REQUIRE_SERVICES=1)', () => {
      throw new Error(url === '' ? 'DATABASE_URL is not set' : 'PostgreSQL at DATABASE_URL is not reachable');
    });
  });
} else if (!available) {
  describe.skip('alerts on postgres (skipped: DATABASE_URL unset or unreachable; set DUOWATCH_REQUIRE_SERVICES=1 to fail instead)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  describe('alerts on postgres', () => {
    it('searches title and triage fields literally and pages by last-seen/id without skipping ties', async () => {
      const database = await createTestDatabase(url);
      const dir = await mkdtemp(join(tmpdir(), 'duowatch-alerts-pg-'));
      const store = await openStore({
        databaseUrl: database.url,
        dataDir: dir,
        env: {},
        poolSize: 2,
        migrations: capabilityMigrations,
      });
      try {
        const org = await store.organizations.create({ slug: 'acme' });
        const repo = alertRepository(store);
        const at = new Date('2026-11-22T10:00:00Z');
        for (let i = 0; i < 4; i++)
          await repo.raise(
            {
              orgId: org.id,
              source: 'detect',
              rule: 'duo.mfa_fatigue',
              title: `Push storm ${String(i)}`,
              severity: 'medium',
              entity: `user${String(i)}`,
              firstSeen: at,
              lastSeen: at,
              eventIds: [],
              fields: { ip: `10.0.0.${String(i)}`, note: i === 0 ? '50%_off' : 'plain' },
            },
            { suppressForMs: 60_000 },
          );
        expect(await repo.list(org.id, { text: 'PUSH STORM' })).toHaveLength(4);
        expect((await repo.list(org.id, { text: '50%_off' })).map((a) => a.entity)).toEqual(['user0']);
        expect(await repo.list(org.id, { text: '5_%off' })).toHaveLength(0);
        expect((await repo.list(org.id, { text: '10.0.0.3' })).map((a) => a.entity)).toEqual(['user3']);
        const seen: string[] = [];
        let cursor: { before: Date; beforeId: string } | undefined;
        for (let page = 0; page < 10; page++) {
          const rows = await repo.list(org.id, { limit: 3, ...cursor });
          seen.push(...rows.map((a) => a.entity));
          const last = rows.at(-1);
          if (rows.length < 3 || last === undefined) break;
          cursor = { before: last.lastSeen, beforeId: last.id };
        }
        expect([...seen].sort()).toEqual(['user0', 'user1', 'user2', 'user3']);
      } finally {
        await store.close();
        await database.drop();
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('a batch raise stores what one raise after another stores (window straddled, out of order)', async () => {
      const database = await createTestDatabase(url);
      const dir = await mkdtemp(join(tmpdir(), 'duowatch-alerts-pg-'));
      const store = await openStore({
        databaseUrl: database.url,
        dataDir: dir,
        env: {},
        poolSize: 2,
        migrations: capabilityMigrations,
      });
      try {
        const repo = alertRepository(store, { clock: () => new Date('2026-11-22T12:00:00Z') });
        const one = (await store.organizations.create({ slug: 'one' })).id;
        const many = (await store.organizations.create({ slug: 'many' })).id;
        const t = Date.parse('2026-11-22T10:00:00Z');
        // Minutes of each raise of one key with a 10-minute window: 0 opens, 4 folds, 12 opens a second alert,
        // 7 (late) is inside both windows and joins the later one (the latest first seen), 15 folds there too.
        const minutes = [0, 4, 12, 7, 15];
        const raise = (orgId: string, minute: number, key = 'k') => ({
          alert: {
            orgId,
            source: 'detect',
            rule: 'duo.mfa_fatigue',
            title: 'Push storm',
            severity: minute === 7 ? ('high' as const) : ('medium' as const),
            entity: 'alice',
            firstSeen: new Date(t + minute * 60_000),
            lastSeen: new Date(t + minute * 60_000),
            eventIds: [`e${String(minute)}`],
            fields: { minute },
            dedupeKey: key,
          },
          suppressForMs: 10 * 60_000,
        });
        for (const orgId of [one, many]) {
          const r = raise(orgId, -5, 'other');
          await repo.raise(r.alert, r);
        }
        for (const m of [...minutes, 1]) {
          const r = raise(one, m, m === 1 ? 'other' : 'k');
          await repo.raise(r.alert, r);
        }
        await repo.raiseMany([...minutes.map((m) => raise(many, m)), raise(many, 1, 'other')]);
        const shape = async (orgId: string) =>
          (await repo.list(orgId))
            .map((a) => ({
              key: a.dedupeKey,
              count: a.count,
              severity: a.severity,
              firstSeen: a.firstSeen.toISOString(),
              lastSeen: a.lastSeen.toISOString(),
              eventIds: a.eventIds,
              fields: a.fields,
            }))
            .sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
        const expected = await shape(one);
        expect(expected.map((a) => [a.key, a.count])).toEqual([
          ['other', 2],
          ['k', 2],
          ['k', 3],
        ]);
        expect(await shape(many)).toEqual(expected);
      } finally {
        await store.close();
        await database.drop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
