import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { capabilityMigrations } from '../app/index.js';
import { openStore } from '../store/index.js';
import { outboxPruneScenario } from './outbox-prune.test-helpers.js';

// Pruning the alert outbox on SQLite; test/services/alerts-outbox-pg.test.ts runs the same scenario on PostgreSQL.
describe('pruning the alert outbox (SQLite)', () => {
  it('never deletes an undelivered change; delivered and unread ones go after the retention, in batches', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duowatch-outbox-prune-'));
    const store = await openStore({ dataDir: join(dir, 'data'), env: {}, migrations: capabilityMigrations });
    try {
      await outboxPruneScenario(store, dir);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
