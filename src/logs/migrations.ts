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
    '101-log-auth-evidence': {
      async up(db: Kysely<unknown>) {
        // The collected authentication stream, reduced to the fields the auth-log evidence aggregate reads
        // (no IP, username or txid), kept two days so the hourly evidence poll need not ask Duo again.
        await db.schema
          .createTable('log_auth_evidence')
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('integration_id', 'text', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('ts_ms', t.bigint, (c) => c.notNull())
          .addColumn('event', t.json, (c) => c.notNull())
          .addPrimaryKeyConstraint('log_auth_evidence_pk', ['org_id', 'integration_id', 'id'])
          .execute();
        await db.schema
          .createIndex('log_auth_evidence_ts')
          .on('log_auth_evidence')
          .columns(['org_id', 'integration_id', 'ts_ms'])
          .execute();
        // Per integration: the collected stream is complete from `since_ms` and delivered through `through_ms`.
        await db.schema
          .createTable('log_auth_evidence_state')
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('integration_id', 'text', (c) => c.notNull())
          .addColumn('since_ms', t.bigint, (c) => c.notNull())
          .addColumn('through_ms', t.bigint)
          .addPrimaryKeyConstraint('log_auth_evidence_state_pk', ['org_id', 'integration_id'])
          .execute();
      },
    },
    '102-log-inventory': {
      async up(db: Kysely<unknown>) {
        // The newest users / phones / endpoints snapshot per tenant, for enriching collected events.
        await db.schema
          .createTable('log_inventory')
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('integration_id', 'text', (c) => c.notNull())
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('taken_ms', t.bigint, (c) => c.notNull())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addColumn('truncated', 'integer', (c) => c.notNull())
          .addColumn('items', t.json, (c) => c.notNull())
          .addColumn('error', 'text')
          .addPrimaryKeyConstraint('log_inventory_pk', ['org_id', 'integration_id', 'account_id', 'kind'])
          .execute();
      },
    },
    '103-log-shared-state': {
      async up(db: Kysely<unknown>) {
        // Delivered events per stream and minute, so events/s and the backlog estimate are the same in every
        // process (serve, `logs run`, `logs status`) and not only in the one that delivered them.
        await db.schema
          .createTable('log_stream_rates')
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('integration_id', 'text', (c) => c.notNull())
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('stream', 'text', (c) => c.notNull())
          .addColumn('minute_ms', t.bigint, (c) => c.notNull())
          .addColumn('events', t.bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('log_stream_rates_pk', [
            'org_id',
            'integration_id',
            'account_id',
            'stream',
            'minute_ms',
          ])
          .execute();
        // Each sink's health as the process using it last saw it (queue depth, last acknowledgement).
        await db.schema
          .createTable('log_sink_state')
          .addColumn('sink', 'text', (c) => c.primaryKey())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('queue_events', 'integer', (c) => c.notNull())
          .addColumn('queue_full', 'integer', (c) => c.notNull())
          .addColumn('last_ack_ms', t.bigint)
          .addColumn('last_error', 'text')
          .addColumn('updated_ms', t.bigint, (c) => c.notNull())
          .execute();
        // An MSP's child-account list per Accounts integration, asked of Duo at most once an hour by any process.
        await db.schema
          .createTable('log_msp_children')
          .addColumn('integration_id', 'text', (c) => c.primaryKey())
          .addColumn('fetched_ms', t.bigint, (c) => c.notNull())
          .addColumn('accounts', t.json, (c) => c.notNull())
          .execute();
      },
    },
  };
}
