import type { Kysely, Migration } from 'kysely';
import type { DialectAdapter } from '../store/index.js';

/**
 * The capability's tables (migration range 200–249): per-integration settings, the sync lease, pending
 * caches duowatch created (so it only ever deletes its own), and the sync runs with their plans.
 */
export function devicesMigrations(adapter: DialectAdapter): Record<string, Migration> {
  const t = adapter.types;
  return {
    '200-devices-sync': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('devices_settings')
          .addColumn('integration_id', 'text', (c) => c.primaryKey())
          .addColumn('org_id', 'text', (c) => c.notNull())
          .addColumn('os', 'text')
          .addColumn('updated_at', t.timestamp, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('devices_leases')
          .addColumn('integration_id', 'text', (c) => c.primaryKey())
          .addColumn('org_id', 'text', (c) => c.notNull())
          .addColumn('holder', 'text', (c) => c.notNull())
          .addColumn('acquired_at', t.timestamp, (c) => c.notNull())
          .addColumn('expires_at', t.timestamp, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('devices_pending_caches')
          .addColumn('cache_key', 'text', (c) => c.primaryKey())
          .addColumn('org_id', 'text', (c) => c.notNull())
          .addColumn('integration_id', 'text', (c) => c.notNull())
          .addColumn('run_id', 'text', (c) => c.notNull())
          .addColumn('created_at', t.timestamp, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('devices_sync_runs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('org_id', 'text', (c) => c.notNull())
          .addColumn('integration_id', 'text', (c) => c.notNull())
          .addColumn('trigger', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('dry_run', t.boolean, (c) => c.notNull())
          .addColumn('started_at', t.timestamp, (c) => c.notNull())
          .addColumn('finished_at', t.timestamp, (c) => c.notNull())
          .addColumn('duration_ms', 'integer', (c) => c.notNull())
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('plan', t.json, (c) => c.notNull())
          .addColumn('uploaded', 'integer', (c) => c.notNull())
          .addColumn('activated', t.boolean, (c) => c.notNull())
          .addColumn('device_count', 'integer')
          .addColumn('error_code', 'text')
          .addColumn('error_message', 'text')
          .execute();
        await db.schema
          .createIndex('devices_sync_runs_integration')
          .on('devices_sync_runs')
          .columns(['org_id', 'integration_id', 'started_at'])
          .execute();
      },
    },
    // The progress of the running (or last) sync of each integration, so a sync run by the CLI or another
    // `serve` process shows on this one's dashboard (src/devices/stored-progress.ts). Times in epoch ms.
    '201-devices-sync-progress': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('devices_sync_progress')
          .addColumn('integration_id', 'text', (c) => c.primaryKey())
          .addColumn('org_id', 'text', (c) => c.notNull())
          .addColumn('running', 'integer', (c) => c.notNull())
          .addColumn('phase', 'text', (c) => c.notNull())
          .addColumn('done', 'integer', (c) => c.notNull())
          .addColumn('total', 'integer', (c) => c.notNull())
          .addColumn('trigger', 'text', (c) => c.notNull())
          .addColumn('dry_run', 'integer', (c) => c.notNull())
          .addColumn('started_at', t.bigint, (c) => c.notNull())
          .addColumn('updated_at', t.bigint, (c) => c.notNull())
          .addColumn('outcome', 'text')
          .execute();
      },
    },
  };
}
