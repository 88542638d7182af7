import type { Cursor } from '../models.js';
import type { RepositoryContext } from './context.js';

export interface CursorRepository {
  get<T = unknown>(orgId: string, integrationId: string, name: string): Promise<Cursor<T> | undefined>;
  set(orgId: string, integrationId: string, name: string, value: unknown, at?: Date): Promise<void>;
  delete(orgId: string, integrationId: string, name: string): Promise<boolean>;
}

export function cursorRepository(ctx: RepositoryContext): CursorRepository {
  const { db, codec } = ctx;
  return {
    async get<T>(orgId: string, integrationId: string, name: string) {
      const row = await db
        .selectFrom('cursors')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('integration_id', '=', integrationId)
        .where('name', '=', name)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        orgId,
        integrationId,
        name,
        value: codec.parseJson(row.value) as T,
        updatedAt: codec.parseTime(row.updated_at),
      };
    },
    async set(orgId, integrationId, name, value, at = ctx.clock()) {
      const values = { value: codec.json(value), updated_at: codec.time(at) };
      await db
        .insertInto('cursors')
        .values({ org_id: orgId, integration_id: integrationId, name, ...values })
        .onConflict((oc) => oc.columns(['org_id', 'integration_id', 'name']).doUpdateSet(values))
        .execute();
    },
    async delete(orgId, integrationId, name) {
      const result = await db
        .deleteFrom('cursors')
        .where('org_id', '=', orgId)
        .where('integration_id', '=', integrationId)
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
