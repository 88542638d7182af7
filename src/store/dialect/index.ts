export type { DialectAdapter, DialectCapabilities, ColumnTypes, ValueCodec } from './adapter.js';
export { createCodec } from './adapter.js';
export { sqliteAdapter } from './sqlite-adapter.js';
export { postgresAdapter } from './postgres-adapter.js';
