import type { Selectable } from 'kysely';
import type { Organization } from '../models.js';
import type { OrganizationsTable } from '../tables.js';
import type { RepositoryContext } from './context.js';

export interface OrganizationRepository {
  create(input: { slug: string; name?: string }): Promise<Organization>;
  get(orgId: string): Promise<Organization | undefined>;
  findBySlug(slug: string): Promise<Organization | undefined>;
  /** Accepts an id or a slug (the CLI's `--org`). */
  resolve(idOrSlug: string): Promise<Organization | undefined>;
  list(): Promise<Organization[]>;
  rename(orgId: string, name: string): Promise<Organization | undefined>;
  /** Deletes the organization and, by cascade, everything it owns except its audit trail. */
  delete(orgId: string): Promise<boolean>;
}

export function organizationRepository(ctx: RepositoryContext): OrganizationRepository {
  const { db, codec } = ctx;
  const map = (row: Selectable<OrganizationsTable>): Organization => ({
    id: row.id,
    slug: row.slug,
    name: row.name,
    createdAt: codec.parseTime(row.created_at),
  });
  const get = async (orgId: string) => {
    const row = await db.selectFrom('organizations').selectAll().where('id', '=', orgId).executeTakeFirst();
    return row === undefined ? undefined : map(row);
  };
  const findBySlug = async (slug: string) => {
    const row = await db.selectFrom('organizations').selectAll().where('slug', '=', slug).executeTakeFirst();
    return row === undefined ? undefined : map(row);
  };
  return {
    async create(input) {
      const row = {
        id: ctx.newId(),
        slug: input.slug,
        name: input.name ?? input.slug,
        created_at: codec.time(ctx.clock()),
      };
      await db.insertInto('organizations').values(row).execute();
      return map(row);
    },
    get,
    findBySlug,
    async resolve(idOrSlug) {
      return (await get(idOrSlug)) ?? (await findBySlug(idOrSlug));
    },
    async list() {
      return (await db.selectFrom('organizations').selectAll().orderBy('slug').execute()).map(map);
    },
    async rename(orgId, name) {
      await db.updateTable('organizations').set({ name }).where('id', '=', orgId).execute();
      return get(orgId);
    },
    async delete(orgId) {
      const result = await db.deleteFrom('organizations').where('id', '=', orgId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
