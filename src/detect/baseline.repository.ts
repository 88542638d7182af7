import type { Kysely } from 'kysely';
import { createCodec } from '../store/dialect/index.js';
import type { Store } from '../store/index.js';
import type { BaselineStore } from './baseline.js';

interface DetectTables {
  detect_baselines: { org_id: string; kind: string; entity: string; data: unknown; updated_at: string };
}

/** Baselines in the database (SQLite or PostgreSQL), upserted in chunks so a batch is a few statements. */
export function storeBaselines(
  store: Pick<Store, 'db' | 'dialect'>,
  clock: () => Date = () => new Date(),
): BaselineStore {
  const db = store.db as unknown as Kysely<DetectTables>;
  const codec = createCodec(store.dialect.capabilities);
  return {
    async load(orgId, kind, keys) {
      const out = new Map<string, unknown>();
      for (let i = 0; i < keys.length; i += 500) {
        const rows = await db
          .selectFrom('detect_baselines')
          .select(['entity', 'data'])
          .where('org_id', '=', orgId)
          .where('kind', '=', kind)
          .where('entity', 'in', keys.slice(i, i + 500))
          .execute();
        for (const r of rows) out.set(r.entity, codec.parseJson(r.data));
      }
      return out;
    },
    async save(rows) {
      const at = codec.time(clock());
      for (let i = 0; i < rows.length; i += 200) {
        const values = rows.slice(i, i + 200).map((r) => ({
          org_id: r.orgId,
          kind: r.kind,
          entity: r.key,
          data: codec.json(r.data),
          updated_at: at,
        }));
        await db
          .insertInto('detect_baselines')
          .values(values)
          .onConflict((oc) =>
            oc.columns(['org_id', 'kind', 'entity']).doUpdateSet((eb) => ({
              data: eb.ref('excluded.data'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
    },
  };
}
