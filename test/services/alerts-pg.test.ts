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
  });
}
