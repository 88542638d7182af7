import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { DialectAdapter } from '../dialect/index.js';
import { StoreError } from '../errors.js';
import { initialMigration } from './001-initial.js';
import { jobRunQueueIdMigration } from './002-job-run-queue-id.js';
import { tokenCreatorMigration } from './004-token-creator.js';
import { loginHardeningMigration } from './005-login-hardening.js';

/** Migrations live in code (no directory scan), named so they sort in the order they apply. */
export function migrations(adapter: DialectAdapter): Record<string, Migration> {
  return {
    '001-initial': initialMigration(adapter),
    '002-job-run-queue-id': jobRunQueueIdMigration(),
    '004-token-creator': tokenCreatorMigration(),
    '005-login-hardening': loginHardeningMigration(adapter),
  };
}

/** The capabilities' migrations beside the core's; a name may not be declared twice. */
export type ExtraMigrations = (adapter: DialectAdapter) => Record<string, Migration>;

function allMigrations(adapter: DialectAdapter, extra?: ExtraMigrations): Record<string, Migration> {
  const core = migrations(adapter);
  const more = extra?.(adapter) ?? {};
  for (const name of Object.keys(more))
    if (name in core) throw new StoreError('store.migration_failed', `migration ${name} is declared twice`);
  return { ...core, ...more };
}

export interface MigrationStatus {
  name: string;
  executedAt: Date | null;
}

function migrator(db: Kysely<unknown>, adapter: DialectAdapter, extra?: ExtraMigrations): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(allMigrations(adapter, extra)) },
    // Capabilities add migrations independently; one added later may sort before one already applied.
    allowUnorderedMigrations: true,
    migrationTableName: 'duowatch_migration',
    migrationLockTableName: 'duowatch_migration_lock',
  });
}

export interface MigrateResult {
  applied: string[];
}

export async function migrateToLatest(
  db: Kysely<unknown>,
  adapter: DialectAdapter,
  extra?: ExtraMigrations,
): Promise<MigrateResult> {
  const result: MigrationResultSet = await migrator(db, adapter, extra).migrateToLatest();
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
  extra?: ExtraMigrations,
): Promise<MigrationStatus[]> {
  const list = await migrator(db, adapter, extra).getMigrations();
  return list.map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }));
}
