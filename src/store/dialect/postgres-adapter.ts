import { sql, type Kysely } from 'kysely';
import type { DialectAdapter } from './adapter.js';

export const postgresAdapter: DialectAdapter = {
  name: 'postgres',
  capabilities: {
    returning: true,
    nativeJson: true,
    nativeBoolean: true,
    nativeTimestamp: true,
    bigintAsString: true,
    transactionalDdl: true,
    multiProcess: true,
  },
  types: { json: 'jsonb', boolean: 'boolean', timestamp: 'timestamptz', bigint: 'bigint' },
  autoIdType: 'bigserial',
  autoIdNeedsAutoIncrement: false,
  appendOnlyTriggers(table) {
    const fn = `${table}_append_only`;
    return [
      `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ ` +
        `BEGIN RAISE EXCEPTION '${table} is append-only' USING ERRCODE = 'insufficient_privilege'; END $$`,
      `CREATE TRIGGER ${table}_no_update_delete BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
      `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    ];
  },
  async lockForTransaction(trx: Kysely<unknown>, key: number) {
    await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
  },
  async databaseSize(db: Kysely<unknown>) {
    const result = await sql<{ n: string }>`select pg_database_size(current_database()) as n`.execute(db);
    return Number(result.rows[0]?.n ?? 0);
  },
};
