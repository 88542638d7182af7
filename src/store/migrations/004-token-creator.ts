import type { Kysely, Migration } from 'kysely';

/**
 * Who created each API token (an operator id). The server refuses a token whose creator has since lost the
 * role in its organization or was disabled, so a token never outlives its creator's rights. Tokens made
 * before this column existed keep a null creator (see docs/server.md, "Security model").
 */
export function tokenCreatorMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('api_tokens').addColumn('created_by', 'text').execute();
    },
  };
}
