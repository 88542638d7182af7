import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { devicesMigrations, devicesRepository } from '../../src/devices/index.js';
import { createTestDatabase, reachable } from './store-pg-database.js';

// The device-sync lease and run records on PostgreSQL, from two separate connection pools (as two processes
// would hold them). Fails, never skips, under DUOWATCH_REQUIRE_SERVICES=1.
const url = process.env['DATABASE_URL'] ?? '';
const required = process.env['DUOWATCH_REQUIRE_SERVICES'] === '1';
const available = url !== '' && (await reachable(url));

if (!available && required) {
  describe('devices on postgres', () => {
    it('needs PostgreSQL (DUOWATCH_REQUIRE_SERVICES=1)', () => {
      throw new Error(url === '' ? 'DATABASE_URL is not set' : 'PostgreSQL at DATABASE_URL is not reachable');
    });
  });
} else if (!available) {
  describe.skip('devices on postgres (skipped: DATABASE_URL unset or unreachable; set DUOWATCH_REQUIRE_SERVICES=1 to fail instead)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  describe('devices on postgres', () => {
    it('one lease holder at a time across two pools; an expired lease is taken over; runs round-trip', async () => {
      const database = await createTestDatabase(url);
      const dataDir = await mkdtemp(join(tmpdir(), 'duowatch-devices-pg-'));
      const open = () =>
        openStore({
          databaseUrl: database.url,
          dataDir,
          env: {},
          poolSize: 2,
          migrations: devicesMigrations,
        });
      const a = await open();
      const b = await open();
      try {
        const org = await a.organizations.create({ slug: 'acme', name: 'Acme' });
        const ra = devicesRepository(a);
        const rb = devicesRepository(b);
        // Both race for the free lease: exactly one wins.
        const both = await Promise.all([
          ra.acquireLease(org.id, 'int-1', 'A', 60_000),
          rb.acquireLease(org.id, 'int-1', 'B', 60_000),
        ]);
        expect(both.filter((r) => r.ok)).toHaveLength(1);
        const winner = both[0]?.ok === true ? 'A' : 'B';
        const loser = winner === 'A' ? rb : ra;
        expect(await loser.acquireLease(org.id, 'int-1', 'C', 60_000)).toMatchObject({
          ok: false,
          holder: winner,
        });
        const later = devicesRepository(b, () => new Date(Date.now() + 120_000));
        expect((await later.acquireLease(org.id, 'int-1', 'D', 60_000)).ok).toBe(true);
        await ra.recordRun({
          id: '0193a0a0-0000-7000-8000-000000000001',
          orgId: org.id,
          integrationId: 'int-1',
          trigger: 'cli',
          source: 'fleet.csv',
          dryRun: false,
          startedAt: new Date('2026-11-30T10:00:00Z'),
          finishedAt: new Date('2026-11-30T10:00:03Z'),
          durationMs: 3000,
          outcome: 'synced',
          plan: { active: 10, added: 2, removed: 1, unchanged: 9, exact: true },
          uploaded: 11,
          activated: true,
          deviceCount: 11,
          errorCode: null,
          errorMessage: null,
        });
        const [run] = await rb.runs(org.id, 'int-1');
        expect(run).toMatchObject({
          outcome: 'synced',
          dryRun: false,
          activated: true,
          deviceCount: 11,
          plan: { added: 2 },
        });
        expect((await rb.lastSuccess(org.id, 'int-1'))?.finishedAt.toISOString()).toBe(
          '2026-11-30T10:00:03.000Z',
        );
      } finally {
        await a.close();
        await b.close();
        await database.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
