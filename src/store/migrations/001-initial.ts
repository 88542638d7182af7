import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectAdapter } from '../dialect/index.js';

/** The first schema. Column types come from the adapter so one migration serves both dialects. */
export function initialMigration(adapter: DialectAdapter): Migration {
  const t = adapter.types;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('organizations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('integrations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) =>
          c.notNull().check(sql`kind in ('admin','auth','device','accounts')`),
        )
        .addColumn('api_host', 'text', (c) => c.notNull())
        .addColumn('mkey', 'text')
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('ikey_ct', 'text', (c) => c.notNull())
        .addColumn('skey_ct', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        // Target of the composite foreign keys below: a child row's organization must be its integration's.
        .addUniqueConstraint('integrations_org_id_id', ['org_id', 'id'])
        .execute();
      await db.schema.createIndex('integrations_org').on('integrations').columns(['org_id']).execute();

      await db.schema
        .createTable('credential_health')
        .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('integration_id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('state', 'text', (c) =>
          c.notNull().check(sql`state in ('ok','auth_failed','rate_limited','clock_skew')`),
        )
        .addColumn('until', t.timestamp)
        .addColumn('last_error_kind', 'text')
        .addColumn('last_error_message', 'text')
        .addColumn('last_success_at', t.timestamp)
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addForeignKeyConstraint(
          'credential_health_integration',
          ['org_id', 'integration_id'],
          'integrations',
          ['org_id', 'id'],
          (fk) => fk.onDelete('cascade'),
        )
        .execute();
      await db.schema
        .createIndex('credential_health_org')
        .on('credential_health')
        .columns(['org_id'])
        .execute();

      await db.schema
        .createTable('job_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('integration_id', 'text', (c) => c.references('integrations.id').onDelete('set null'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('queued','running','succeeded','failed','interrupted','skipped')`),
        )
        .addColumn('scheduled_for', t.timestamp)
        .addColumn('started_at', t.timestamp)
        .addColumn('finished_at', t.timestamp)
        .addColumn('duration_ms', 'integer')
        .addColumn('counts', t.json)
        .addColumn('error_kind', 'text')
        .addColumn('error_message', 'text')
        .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('job_runs_org_created')
        .on('job_runs')
        .columns(['org_id', 'created_at'])
        .execute();
      await db.schema.createIndex('job_runs_status').on('job_runs').columns(['status']).execute();

      await db.schema
        .createTable('cursors')
        .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('integration_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', t.json)
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('cursors_pk', ['org_id', 'integration_id', 'name'])
        .addForeignKeyConstraint(
          'cursors_integration',
          ['org_id', 'integration_id'],
          'integrations',
          ['org_id', 'id'],
          (fk) => fk.onDelete('cascade'),
        )
        .execute();

      await db.schema
        .createTable('evidence_records')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('integration_id', 'text', (c) => c.references('integrations.id').onDelete('set null'))
        .addColumn('signal_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pass','warning','fail')`))
        .addColumn('metrics', t.json, (c) => c.notNull())
        .addColumn('controls', t.json, (c) => c.notNull())
        .addColumn('truncated', t.boolean, (c) => c.notNull())
        .addColumn('notes', t.json, (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.references('job_runs.id').onDelete('set null'))
        .addColumn('started_at', t.timestamp, (c) => c.notNull())
        .addColumn('finished_at', t.timestamp, (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();
      // "History of one signal over N days" is a range scan on this index.
      await db.schema
        .createIndex('evidence_org_signal_finished')
        .on('evidence_records')
        .columns(['org_id', 'signal_id', 'finished_at'])
        .execute();
      await db.schema
        .createIndex('evidence_org_finished')
        .on('evidence_records')
        .columns(['org_id', 'finished_at'])
        .execute();

      // "Latest per signal" is a primary-key lookup here instead of a max() over the history.
      await db.schema
        .createTable('evidence_latest')
        .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('signal_id', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) =>
          c.notNull().references('evidence_records.id').onDelete('cascade'),
        )
        .addColumn('finished_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('evidence_latest_pk', ['org_id', 'signal_id'])
        .execute();

      await db.schema
        .createTable('operators')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('superadmin', t.boolean, (c) => c.notNull())
        .addColumn('disabled', t.boolean, (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('last_login_at', t.timestamp)
        .execute();

      await db.schema
        .createTable('memberships')
        .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id').onDelete('cascade'))
        .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner','admin','auditor')`))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('memberships_pk', ['operator_id', 'org_id'])
        .execute();
      await db.schema.createIndex('memberships_org').on('memberships').columns(['org_id']).execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id').onDelete('cascade'))
        .addColumn('csrf_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at', t.timestamp, (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('ip', 'text')
        .execute();
      await db.schema.createIndex('sessions_operator').on('sessions').columns(['operator_id']).execute();
      await db.schema.createIndex('sessions_expires').on('sessions').columns(['expires_at']).execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner','admin','auditor')`))
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('last_used_at', t.timestamp)
        .addColumn('expires_at', t.timestamp)
        .execute();
      await db.schema.createIndex('api_tokens_org').on('api_tokens').columns(['org_id']).execute();

      await db.schema
        .createTable('login_throttle')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('first_failure_at', t.timestamp, (c) => c.notNull())
        .addColumn('locked_until', t.timestamp)
        .execute();

      // No foreign key to organizations: deleting a tenant must not delete (or be blocked by) its history.
      await db.schema
        .createTable('audit_log')
        .addColumn('id', adapter.autoIdType, (c) => {
          const pk = c.primaryKey();
          return adapter.autoIdNeedsAutoIncrement ? pk.autoIncrement() : pk;
        })
        .addColumn('at', t.timestamp, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('org_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('details', t.json)
        .addColumn('ip', 'text')
        .execute();
      await db.schema.createIndex('audit_log_org_id').on('audit_log').columns(['org_id', 'id']).execute();
      for (const statement of adapter.appendOnlyTriggers('audit_log')) await sql.raw(statement).execute(db);
    },
  };
}
