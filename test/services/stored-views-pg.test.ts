import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capabilityMigrations } from '../../src/app/index.js';
import { storedProgress } from '../../src/devices/stored-progress.js';
import { RecentProbes } from '../../src/health/monitor/recent-probes.js';
import type { ProbeOutcome } from '../../src/health/probe/probe-types.js';
import { maintenanceRepository } from '../../src/health/store/maintenance-repository.js';
import { openStore } from '../../src/store/index.js';
import { createTestDatabase, reachable } from './store-pg-database.js';

// What the dashboard reads from tables written by other processes, on PostgreSQL: scheduled maintenance
// windows (migration 403), the stored probe history (402) and device sync progress (201). Fails, never
// skips, under DUOWATCH_REQUIRE_SERVICES=1.
const url = process.env['DATABASE_URL'] ?? '';
const required = process.env['DUOWATCH_REQUIRE_SERVICES'] === '1';
const available = url !== '' && (await reachable(url));

const probe = (orgId: string, integrationId: string, at: number, total: number): ProbeOutcome => {
  const step = {
    ok: true,
    ms: total,
    httpStatus: 200,
    stat: 'OK' as const,
    code: null,
    errorKind: null,
    message: null,
    phases: { dns: 0.1, connect: 0.5, tls: 4, ttfb: total - 5, total },
  };
  return {
    orgId,
    integrationId,
    kind: 'admin',
    apiHost: 'api-12345678.duosecurity.com',
    check: 'GET /admin/v1/settings',
    at: new Date(at),
    ping: { ...step, ms: 2 },
    signed: step,
    clockSkewS: 0,
    healthy: true,
    reason: 'ok',
  };
};

if (!available && required) {
  describe('stored dashboard views on postgres', () => {
    it('needs PostgreSQL (DUOWATCH_REQUIRE_SERVICES=1)', () => {
      throw new Error(url === '' ? 'DATABASE_URL is not set' : 'PostgreSQL at DATABASE_URL is not reachable');
    });
  });
} else if (!available) {
  describe.skip('stored dashboard views on postgres (skipped: DATABASE_URL unset or unreachable; set DUOWATCH_REQUIRE_SERVICES=1 to fail instead)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  describe('stored dashboard views on postgres', () => {
    it('maintenance windows, the bounded probe history and sync progress, across two connection pools', async () => {
      const database = await createTestDatabase(url);
      const dir = await mkdtemp(join(tmpdir(), 'duowatch-views-pg-'));
      const open = () =>
        openStore({
          databaseUrl: database.url,
          dataDir: dir,
          env: {},
          poolSize: 2,
          migrations: capabilityMigrations,
        });
      const a = await open();
      const b = await open();
      try {
        const org = await a.organizations.create({ slug: 'acme' });
        const integration = await a.integrations.create(org.id, {
          kind: 'admin',
          apiHost: 'api-12345678.duosecurity.com',
          label: 'admin',
          mkey: null,
          ikey: 'DIWJ8X6AEYOR5OMC6TQ1',
          skey: 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep',
        });
        const t0 = Date.parse('2026-11-22T10:00:00Z');

        const windows = maintenanceRepository(a);
        const w = await windows.add({
          orgId: org.id,
          integrationId: integration.id,
          start: t0,
          end: t0 + 3_600_000,
          reason: 'upgrade',
          createdBy: 'admin',
          createdAt: t0,
        });
        const other = maintenanceRepository(b);
        expect(await other.at(org.id, integration.id, t0 + 60_000)).toMatchObject({
          id: w.id,
          reason: 'upgrade',
        });
        expect(await other.at(org.id, integration.id, t0 + 3_600_000)).toBeUndefined();
        expect(await other.list(org.id, t0)).toHaveLength(1);
        expect(await other.remove(org.id, w.id)).toMatchObject({ id: w.id });
        expect(await windows.list(org.id, 0)).toEqual([]);

        const writer = new RecentProbes(a, 3);
        for (let i = 0; i < 5; i++)
          await writer.add(probe(org.id, integration.id, t0 + i * 60_000, 10 + i), 'UP');
        const listed = await new RecentProbes(b, 3).list(integration.id);
        expect(listed.map((p) => [p.at - t0, p.phases.total])).toEqual([
          [120_000, 12],
          [180_000, 13],
          [240_000, 14],
        ]);

        const clock = () => new Date(t0);
        await storedProgress(a, clock).save(org.id, integration.id, {
          running: true,
          phase: 'uploading',
          done: 1000,
          total: 3000,
          trigger: 'cli',
          dryRun: false,
          startedAt: new Date(t0),
          updatedAt: new Date(t0),
          outcome: null,
        });
        expect(await storedProgress(b, clock).load(integration.id)).toMatchObject({
          running: true,
          phase: 'uploading',
          done: 1000,
          total: 3000,
          trigger: 'cli',
        });
      } finally {
        await a.close();
        await b.close();
        await database.drop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
