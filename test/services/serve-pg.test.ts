import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startService } from '../../src/runtime/service.js';
import { createTestDatabase, reachable } from './store-pg-database.js';

// `duowatch serve` in PostgreSQL mode: the pg-boss engine runs the schedules and "Sync now", the store is
// PostgreSQL, the demo tenant is added through Test before Save. DUOWATCH_REQUIRE_SERVICES=1 makes a missing
// PostgreSQL a failure.
const url = process.env['DATABASE_URL'] ?? '';
const required = process.env['DUOWATCH_REQUIRE_SERVICES'] === '1';
const available = url !== '' && (await reachable(url));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 45_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

if (!available && required) {
  describe('serve on PostgreSQL', () => {
    it('needs PostgreSQL (DUOWATCH_REQUIRE_SERVICES=1)', () => {
      throw new Error(url === '' ? 'DATABASE_URL is not set' : 'PostgreSQL at DATABASE_URL is not reachable');
    });
  });
} else if (!available) {
  describe.skip('serve on PostgreSQL (skipped: DATABASE_URL unset or unreachable)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  describe('serve on PostgreSQL', () => {
    it('runs the demo, the first sync through pg-boss, and Sync now', async () => {
      const database = await createTestDatabase(url);
      const dataDir = await mkdtemp(join(tmpdir(), 'duowatch-serve-pg-'));
      const service = await startService({
        env: { DUOWATCH_DATA_DIR: dataDir, DATABASE_URL: database.url, DUOWATCH_LOG_LEVEL: 'silent' },
        cwd: dataDir,
        port: 0,
        out: () => undefined,
      });
      try {
        expect(service.scheduler.engine).toBe('pgboss');
        expect(service.runtime.store.file).toBeNull();
        const { services } = service.runtime;
        const first = await waitFor('the first identity sync', async () => {
          const runs = await services.runs.list('demo', {});
          return runs.find((r) => r.kind === 'identity_sync' && r.status === 'succeeded');
        });
        expect(first.integrationId).not.toBeNull();
        const view = await services.evidence.latest('demo');
        expect(view.signals.length).toBeGreaterThanOrEqual(4);

        const queued = await services.evidence.queueSync('demo', { id: 'test' });
        expect(queued.queued).toBe(true);
        await waitFor('the queued sync', async () => {
          const runs = await services.runs.list('demo', {});
          return runs.filter((r) => r.kind === 'identity_sync' && r.status === 'succeeded').length >= 2
            ? true
            : undefined;
        });
      } finally {
        await service.stop();
        await database.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
