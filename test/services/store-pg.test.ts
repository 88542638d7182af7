import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { storeContract } from '../../src/store/store-contract.test-helpers.js';
import { createTestDatabase, reachable } from './store-pg-database.js';

// .ci/run sets DUOWATCH_REQUIRE_SERVICES=1 (and DATABASE_URL, starting scripts/test-postgres.sh when needed):
// then a missing PostgreSQL is a failure, never a skip.
const url = process.env['DATABASE_URL'] ?? '';
const required = process.env['DUOWATCH_REQUIRE_SERVICES'] === '1';
const available = url !== '' && (await reachable(url));

if (!available && required) {
  describe('store contract: postgres', () => {
    it('needs PostgreSQL (DUOWATCH_REQUIRE_SERVICES=1)', () => {
      throw new Error(
        url === ''
          ? 'DATABASE_URL is not set; run `eval "$(scripts/test-postgres.sh start)"` first'
          : 'PostgreSQL at DATABASE_URL is not reachable',
      );
    });
  });
} else if (!available) {
  describe.skip('store contract: postgres (skipped: DATABASE_URL unset or unreachable; set DUOWATCH_REQUIRE_SERVICES=1 to fail instead)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  storeContract('postgres', async () => {
    const database = await createTestDatabase(url);
    const dataDir = await mkdtemp(join(tmpdir(), 'duowatch-store-pg-'));
    const store = await openStore({ databaseUrl: database.url, dataDir, env: {}, poolSize: 3 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await database.drop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  });

  describe('store on postgres', () => {
    it('uses the postgres adapter: native json, booleans and timestamps, pg_database_size', async () => {
      const database = await createTestDatabase(url);
      const dataDir = await mkdtemp(join(tmpdir(), 'duowatch-store-pg-'));
      const store = await openStore({ databaseUrl: database.url, dataDir, env: {} });
      try {
        expect(store.dialect.name).toBe('postgres');
        expect(store.file).toBeNull();
        expect(await store.size()).toBeGreaterThan(1_000_000);
        const types = await store.db
          .selectFrom('information_schema.columns' as never)
          .select(['column_name as c', 'data_type as t'] as never)
          .where('table_name' as never, '=', 'evidence_records' as never)
          .execute();
        const byName = Object.fromEntries((types as Array<{ c: string; t: string }>).map((r) => [r.c, r.t]));
        expect(byName).toMatchObject({
          metrics: 'jsonb',
          truncated: 'boolean',
          finished_at: 'timestamp with time zone',
        });
      } finally {
        await store.close();
        await database.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
