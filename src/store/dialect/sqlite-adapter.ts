import { sql, type Kysely } from 'kysely';
import type { DialectAdapter } from './adapter.js';

export const sqliteAdapter: DialectAdapter = {
  name: 'sqlite',
  capabilities: {
    returning: true,
    nativeJson: false,
    nativeBoolean: false,
    nativeTimestamp: false,
    bigintAsString: false,
    transactionalDdl: true,
    multiProcess: false,
  },
  types: { json: 'text', boolean: 'integer', timestamp: 'text', bigint: 'integer' },
  autoIdType: 'integer',
  autoIdNeedsAutoIncrement: true,
  appendOnlyTriggers(table) {
    return ['UPDATE', 'DELETE'].map(
      (op) =>
        `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} ` +
        `BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
    );
  },
  // One writer at a time already (the database's write lock, taken at the first write of a transaction).
  lockForTransaction: () => Promise.resolve(),
  async databaseSize(db: Kysely<unknown>) {
    const pages = await sql<{
      n: number;
    }>`select page_count * page_size as n from pragma_page_count(), pragma_page_size()`.execute(db);
    return Number(pages.rows[0]?.n ?? 0);
  },
};
