import type { Kysely, Migration } from 'kysely';
import type { DialectAdapter } from '../../store/index.js';

/**
 * The health capability's tables (migration range 400–449). Times are epoch milliseconds in a 64-bit column
 * on both dialects, so bucket arithmetic is plain integers; JSON goes through the adapter's json type.
 */
export function healthMigrations(adapter: DialectAdapter): Record<string, Migration> {
  const t = adapter.types;
  const autoId = (name: string) => (db: Kysely<unknown>) =>
    db.schema.createTable(name).addColumn('id', adapter.autoIdType, (c) => {
      const pk = c.primaryKey();
      return adapter.autoIdNeedsAutoIncrement ? pk.autoIncrement() : pk;
    });
  return {
    '400-health-tables': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('health_state')
          .addColumn('integration_id', 'text', (c) =>
            c.primaryKey().references('integrations.id').onDelete('cascade'),
          )
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('since', t.bigint, (c) => c.notNull())
          .addColumn('machine', t.json, (c) => c.notNull())
          .addColumn('last_probe', t.json)
          .addColumn('updated_at', t.bigint, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('health_state_org').on('health_state').columns(['org_id']).execute();

        await autoId('health_transitions')(db)
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('integration_id', 'text', (c) =>
            c.notNull().references('integrations.id').onDelete('cascade'),
          )
          .addColumn('at', t.bigint, (c) => c.notNull())
          .addColumn('from_state', 'text', (c) => c.notNull())
          .addColumn('to_state', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('health_transitions_org_at')
          .on('health_transitions')
          .columns(['org_id', 'at'])
          .execute();

        await db.schema
          .createTable('health_buckets')
          .addColumn('integration_id', 'text', (c) =>
            c.notNull().references('integrations.id').onDelete('cascade'),
          )
          .addColumn('org_id', 'text', (c) => c.notNull())
          .addColumn('resolution', 'text', (c) => c.notNull())
          .addColumn('start', t.bigint, (c) => c.notNull())
          .addColumn('up', 'integer', (c) => c.notNull())
          .addColumn('down', 'integer', (c) => c.notNull())
          .addColumn('maintenance', 'integer', (c) => c.notNull())
          .addColumn('degraded', 'integer', (c) => c.notNull())
          .addColumn('lat_count', 'integer', (c) => c.notNull())
          .addColumn('lat_sum', 'double precision', (c) => c.notNull())
          .addColumn('lat_max', 'double precision', (c) => c.notNull())
          .addColumn('hist', t.json, (c) => c.notNull())
          .addPrimaryKeyConstraint('health_buckets_pk', ['integration_id', 'resolution', 'start'])
          .execute();
        await db.schema
          .createIndex('health_buckets_res_start')
          .on('health_buckets')
          .columns(['resolution', 'start'])
          .execute();

        await autoId('failmode_decisions')(db)
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('at', t.bigint, (c) => c.notNull())
          .addColumn('application', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('username', 'text', (c) => c.notNull())
          .addColumn('integration_id', 'text')
          .addColumn('cause', 'text', (c) => c.notNull())
          .addColumn('allow', 'integer', (c) => c.notNull())
          .addColumn('mode', 'text', (c) => c.notNull())
          .addColumn('health_state', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('failmode_decisions_org_at')
          .on('failmode_decisions')
          .columns(['org_id', 'at'])
          .execute();
      },
    },
    // Several `serve` processes on one PostgreSQL database: each integration is probed by the process holding
    // its lease; a process that dies stops renewing and another takes the integration over when it expires.
    '401-health-probe-leases': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('health_probe_leases')
          .addColumn('integration_id', 'text', (c) =>
            c.primaryKey().references('integrations.id').onDelete('cascade'),
          )
          .addColumn('holder', 'text', (c) => c.notNull())
          .addColumn('expires_at', t.bigint, (c) => c.notNull())
          .execute();
      },
    },
    // The last probes of each integration with their phases, for the dashboard's phase chart: stored so the
    // chart survives a restart and shows probes made by another `serve` process holding the lease. Bounded
    // per integration by the writer (src/health/monitor/recent-probes.ts).
    '402-health-recent-probes': {
      async up(db: Kysely<unknown>) {
        await autoId('health_recent_probes')(db)
          .addColumn('integration_id', 'text', (c) =>
            c.notNull().references('integrations.id').onDelete('cascade'),
          )
          .addColumn('at', t.bigint, (c) => c.notNull())
          .addColumn('healthy', 'integer', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('ping_ms', 'double precision', (c) => c.notNull())
          .addColumn('signed_ms', 'double precision', (c) => c.notNull())
          .addColumn('phases', t.json, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('health_recent_probes_integration')
          .on('health_recent_probes')
          .columns(['integration_id', 'id'])
          .execute();
      },
    },
    // Maintenance windows scheduled through the REST API or the Health page (config-declared ones stay in
    // the config). `start_at`/`end_at` because END is an SQL keyword.
    '403-health-maintenance-windows': {
      async up(db: Kysely<unknown>) {
        await autoId('health_maintenance_windows')(db)
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('integration_id', 'text', (c) => c.references('integrations.id').onDelete('cascade'))
          .addColumn('start_at', t.bigint, (c) => c.notNull())
          .addColumn('end_at', t.bigint, (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', t.bigint, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('health_maintenance_windows_org_end')
          .on('health_maintenance_windows')
          .columns(['org_id', 'end_at'])
          .execute();
      },
    },
  };
}
