import type { Kysely } from 'kysely';
import type { DialectAdapter, ValueCodec } from '../dialect/index.js';
import type { Database } from '../tables.js';
import type { Vault } from '../vault/cipher.js';

/** What every repository is built from; one per store, passed down explicitly (no module state). */
export interface RepositoryContext {
  db: Kysely<Database>;
  adapter: DialectAdapter;
  codec: ValueCodec;
  vault: Vault;
  clock: () => Date;
  newId: () => string;
}
