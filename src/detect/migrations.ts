import type { Kysely, Migration } from 'kysely';
import type { DialectAdapter } from '../store/index.js';

/** Detection baselines: one JSON document per user (or organization) and kind, replaced as it changes. */
export function detectMigrations(adapter: DialectAdapter): Record<string, Migration> {
  return {
    '500-detect-baselines': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('detect_baselines')
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('entity', 'text', (c) => c.notNull())
          .addColumn('data', adapter.types.json, (c) => c.notNull())
          .addColumn('updated_at', adapter.types.timestamp, (c) => c.notNull())
          .addPrimaryKeyConstraint('detect_baselines_pk', ['org_id', 'kind', 'entity'])
          .execute();
      },
    },
  };
}
