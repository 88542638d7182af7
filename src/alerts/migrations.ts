import type { Kysely, Migration } from 'kysely';
import type { DialectAdapter } from '../store/index.js';

/** Alerts raised by every capability, per organization (migration range 050–099). */
export function alertsMigrations(adapter: DialectAdapter): Record<string, Migration> {
  const t = adapter.types;
  return {
    '050-alerts': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('alerts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('rule', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('severity', 'text', (c) => c.notNull())
          .addColumn('entity', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('dedupe_key', 'text', (c) => c.notNull())
          .addColumn('first_seen', t.timestamp, (c) => c.notNull())
          .addColumn('last_seen', t.timestamp, (c) => c.notNull())
          .addColumn('suppress_until', t.timestamp, (c) => c.notNull())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addColumn('event_ids', t.json, (c) => c.notNull())
          .addColumn('fields', t.json, (c) => c.notNull())
          .addColumn('created_at', t.timestamp, (c) => c.notNull())
          .addColumn('updated_at', t.timestamp, (c) => c.notNull())
          .addColumn('status_by', 'text')
          .addColumn('status_at', t.timestamp)
          .addColumn('status_note', 'text')
          .execute();
        await db.schema
          .createIndex('alerts_org_status')
          .on('alerts')
          .columns(['org_id', 'status', 'last_seen'])
          .execute();
        await db.schema
          .createIndex('alerts_dedupe')
          .on('alerts')
          .columns(['org_id', 'dedupe_key', 'first_seen'])
          .execute();
      },
    },
    '051-alert-outbox': {
      async up(db: Kysely<unknown>) {
        // Every change of every alert, written in the transaction that made it; the log sinks' `alerts`
        // stream reads it after its checkpoint (docs/alerts.md, "The outbox").
        await db.schema
          .createTable('alert_outbox')
          .addColumn('seq', adapter.autoIdType, (c) => {
            const pk = c.primaryKey();
            return adapter.autoIdNeedsAutoIncrement ? pk.autoIncrement() : pk;
          })
          .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
          .addColumn('alert_id', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('at', t.timestamp, (c) => c.notNull())
          .addColumn('by', 'text')
          .addColumn('note', 'text')
          .addColumn('alert', t.json, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('alert_outbox_org_seq')
          .on('alert_outbox')
          .columns(['org_id', 'seq'])
          .execute();
        await db.schema.createIndex('alert_outbox_at').on('alert_outbox').columns(['at']).execute();
      },
    },
  };
}
