import type { Kysely, Migration } from 'kysely';
import type { DialectAdapter } from '../dialect/index.js';

/**
 * Login throttling that holds under concurrency, and trusted sign-in devices:
 * - `login_throttle.version` makes every change a compare-and-set, so concurrent attempts cannot all read
 *   "not locked" before any of them is counted;
 * - `login_throttle.throttled` counts refused attempts in the current lock, so one audit row stands for all
 *   of them;
 * - `login_devices` holds the hashes of device cookies issued at successful sign-ins: a known device is not
 *   held by a lock that strangers put on the username (docs/server.md, "Security model").
 */
export function loginHardeningMigration(adapter: DialectAdapter): Migration {
  const t = adapter.types;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('login_throttle')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('login_throttle')
        .addColumn('throttled', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('login_devices')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id').onDelete('cascade'))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('last_used_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('login_devices_operator')
        .on('login_devices')
        .columns(['operator_id'])
        .execute();
    },
  };
}
