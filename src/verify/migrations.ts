import { type Kysely, type Migration } from 'kysely';
import type { DialectAdapter } from '../store/index.js';

/**
 * The verify capability's tables (migration range 300–349): "verify this user" requests with their Duo
 * outcome, the second factor each duowatch session was opened with (or why none was used), and the sign-ins
 * waiting on their second factor with each account's recent pushes (so a restart or a second process
 * continues them, and the push limit holds across processes).
 */
export function verifyMigrations(adapter: DialectAdapter): Record<string, Migration> {
  const t = adapter.types;
  return {
    '300-verify-requests': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('verify_requests')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('integration_id', 'text', (c) => c.notNull())
          .addColumn('username', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('requested_by', 'text', (c) => c.notNull())
          .addColumn('txid', 'text')
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('result', 'text')
          .addColumn('status', 'text')
          .addColumn('status_msg', 'text')
          .addColumn('created_at', t.timestamp, (c) => c.notNull())
          .addColumn('finished_at', t.timestamp)
          .execute();
        await db.schema
          .createIndex('verify_requests_org')
          .on('verify_requests')
          .columns(['org_id', 'created_at'])
          .execute();
      },
    },
    '301-verify-login-factors': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('verify_login_factors')
          .addColumn('session_hash', 'text', (c) => c.primaryKey())
          .addColumn('operator_id', 'text', (c) => c.notNull())
          .addColumn('mfa', t.boolean, (c) => c.notNull())
          .addColumn('factor', 'text')
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('created_at', t.timestamp, (c) => c.notNull())
          .execute();
      },
    },
    '302-verify-break-glass': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('verify_break_glass')
          .addColumn('operator_id', 'text', (c) => c.primaryKey())
          .addColumn('enabled_at', t.timestamp, (c) => c.notNull())
          .execute();
      },
    },
    '303-verify-login-challenges': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('verify_login_challenges')
          .addColumn('key_hash', 'text', (c) => c.primaryKey())
          .addColumn('operator_id', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('body', t.json, (c) => c.notNull())
          .addColumn('expires_at', t.timestamp, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('verify_login_challenges_expiry')
          .on('verify_login_challenges')
          .column('expires_at')
          .execute();
        await db.schema
          .createTable('verify_login_pushes')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('operator_id', 'text', (c) => c.notNull())
          .addColumn('sent_at', t.timestamp, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('verify_login_pushes_operator')
          .on('verify_login_pushes')
          .columns(['operator_id', 'sent_at'])
          .execute();
      },
    },
  };
}
