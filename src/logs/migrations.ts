import type { Kysely, Migration } from 'kysely';
import type { DialectAdapter } from '../store/index.js';

/**
 * The collector's tables (migration range 100–149). Times the collector compares (leases, back-off) are epoch
 * ms in bigint columns, so the same comparison works on SQLite and PostgreSQL without casts.
 */
export function logsMigrations(adapter: DialectAdapter): Record<string, Migration> {
  const t = adapter.types;
  return {
    '100-log-checkpoints': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('log_checkpoints')
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('integration_id', 'text', (c) => c.notNull())
          // '' for the integration's own tenant, else the MSP child's account id.
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('stream', 'text', (c) => c.notNull())
          .addColumn('state', t.json, (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('last_error', 'text')
          .addColumn('failures', 'integer', (c) => c.notNull())
          .addColumn('next_attempt_ms', t.bigint)
          .addColumn('last_poll_ms', t.bigint)
          .addColumn('last_success_ms', t.bigint)
          .addColumn('events_total', t.bigint, (c) => c.notNull())
          .addColumn('newest_ts', t.bigint)
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until_ms', t.bigint)
          .addColumn('updated_ms', t.bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('log_checkpoints_pk', ['org_id', 'integration_id', 'account_id', 'stream'])
          .execute();
        await db.schema
          .createTable('log_sink_positions')
          .addColumn('sink', 'text', (c) => c.primaryKey())
          .addColumn('position', 'text', (c) => c.notNull())
          .addColumn('updated_ms', t.bigint, (c) => c.notNull())
          .execute();
      },
    },
  };
}
