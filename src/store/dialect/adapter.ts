import type { ColumnDataType, Kysely } from 'kysely';

/**
 * Everything that differs between SQLite and PostgreSQL lives behind this interface (docs/conventions.md §5, modelled on
 * kysely's `dialect-adapter.ts`). Repositories and migrations ask the adapter; they never test the dialect.
 */
export interface DialectCapabilities {
  /** `INSERT … RETURNING` works (SQLite ≥ 3.35 and PostgreSQL both have it; kept as a flag for others). */
  readonly returning: boolean;
  /** JSON columns come back already parsed (PostgreSQL jsonb) instead of as text (SQLite). */
  readonly nativeJson: boolean;
  /** Booleans are real booleans (PostgreSQL) instead of 0/1 integers (SQLite). */
  readonly nativeBoolean: boolean;
  /** Timestamps come back as `Date` (PostgreSQL timestamptz) instead of ISO-8601 text (SQLite). */
  readonly nativeTimestamp: boolean;
  /** 64-bit integers come back as strings (node-postgres int8) instead of numbers. */
  readonly bigintAsString: boolean;
  /** DDL runs inside a transaction, so a failed migration leaves nothing half-applied. */
  readonly transactionalDdl: boolean;
  /** Several processes may share the database (the pg-boss scheduler needs this). */
  readonly multiProcess: boolean;
}

export interface ColumnTypes {
  readonly json: ColumnDataType;
  readonly boolean: ColumnDataType;
  readonly timestamp: ColumnDataType;
  readonly bigint: ColumnDataType;
}

export interface DialectAdapter {
  readonly name: 'sqlite' | 'postgres';
  readonly capabilities: DialectCapabilities;
  readonly types: ColumnTypes;
  /** The column type for an auto-incrementing 64-bit primary key. */
  readonly autoIdType: ColumnDataType;
  /** True when the auto-id column also needs `.autoIncrement()` (SQLite's AUTOINCREMENT keeps ids monotonic). */
  readonly autoIdNeedsAutoIncrement: boolean;
  /** SQL statements that make `table` reject UPDATE and DELETE (and TRUNCATE where it exists). */
  appendOnlyTriggers(table: string): string[];
  /** Bytes on disk of the whole database. */
  databaseSize(db: Kysely<unknown>): Promise<number>;
  /**
   * Inside a transaction: waits for, and holds until the transaction ends, the lock named `key`, so every
   * transaction taking it commits one after the other (an outbox whose sequence must commit in order).
   * PostgreSQL: a transaction-scoped advisory lock; SQLite: nothing, its writers are already one at a time.
   */
  lockForTransaction(trx: Kysely<unknown>, key: number): Promise<void>;
}

/** Converters shared by both adapters; the capability flags decide which way each value goes. */
export interface ValueCodec {
  json(value: unknown): string;
  parseJson(value: unknown): unknown;
  bool(value: boolean): boolean | number;
  parseBool(value: unknown): boolean;
  time(value: Date): string;
  parseTime(value: unknown): Date;
  parseTimeOrNull(value: unknown): Date | null;
  parseInt(value: unknown): number;
}

export function createCodec(capabilities: DialectCapabilities): ValueCodec {
  const parseTime = (value: unknown): Date => {
    if (value instanceof Date) return value;
    if (typeof value === 'string' || typeof value === 'number') return new Date(value);
    throw new TypeError(`not a timestamp: ${typeof value}`);
  };
  return {
    // Always hand JSON over as text: node-postgres would turn a JS array into a PostgreSQL array literal.
    json: (value) => JSON.stringify(value ?? null),
    parseJson: (value) =>
      typeof value === 'string' && !capabilities.nativeJson ? (JSON.parse(value) as unknown) : value,
    bool: (value) => (capabilities.nativeBoolean ? value : value ? 1 : 0),
    parseBool: (value) => value === true || value === 1 || value === '1' || value === 't',
    // ISO-8601 with milliseconds: sorts as text in SQLite and parses as timestamptz in PostgreSQL.
    time: (value) => value.toISOString(),
    parseTime,
    parseTimeOrNull: (value) => (value === null || value === undefined ? null : parseTime(value)),
    parseInt: (value) => (typeof value === 'number' ? value : Number(value)),
  };
}
