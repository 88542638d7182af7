import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { DialectAdapter } from '../dialect/index.js';
import { StoreError } from '../errors.js';
import { initialMigration } from './001-initial.js';
import { jobRunQueueIdMigration } from './002-job-run-queue-id.js';

/** Migrations live in code (no directory scan), named so they sort in the order they apply. */
export function migrations(adapter: DialectAdapter): Record<string, Migration> {
  return { '001-initial': initialMigration(adapter), '002-job-run-queue-id': jobRunQueueIdMigration() };
}

export interface MigrationStatus {
  name: string;
  executedAt: Date | null;
}

function migrator(db: Kysely<unknown>, adapter: DialectAdapter): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations(adapter)) },
    migrationTableName: 'duowatch_migration',
    migrationLockTableName: 'duowatch_migration_lock',
  });
}

export interface MigrateResult {
  applied: string[];
}

export async function migrateToLatest(db: Kysely<unknown>, adapter: DialectAdapter): Promise<MigrateResult> {
  const result: MigrationResultSet = await migrator(db, adapter).migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new StoreError('store.migration_failed', `migration ${failed} failed`, { cause: result.error });
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}

export async function migrationStatus(
  db: Kysely<unknown>,
  adapter: DialectAdapter,
): Promise<MigrationStatus[]> {
  const list = await migrator(db, adapter).getMigrations();
  return list.map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }));
}
