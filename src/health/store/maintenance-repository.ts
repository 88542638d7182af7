import type { Generated, Kysely, Selectable } from 'kysely';
import type { Store } from '../../store/index.js';

type Int = number | string | bigint;
interface Tables {
  health_maintenance_windows: {
    id: Generated<Int>;
    org_id: string;
    integration_id: string | null;
    start_at: Int;
    end_at: Int;
    reason: string;
    created_by: string;
    created_at: Int;
  };
}

/** A maintenance window scheduled through the REST API, the Health page or the CLI (times in epoch ms). */
export interface StoredWindow {
  id: number;
  orgId: string;
  /** Null: every integration of the organization. */
  integrationId: string | null;
  start: number;
  end: number;
  reason: string;
  createdBy: string;
  createdAt: number;
}

/** The scheduled maintenance windows (migration 403); config-declared windows are not stored here. */
export function maintenanceRepository(store: Pick<Store, 'db'>) {
  const db = store.db as unknown as Kysely<Tables>;
  const map = (r: Selectable<Tables['health_maintenance_windows']>): StoredWindow => ({
    id: Number(r.id),
    orgId: r.org_id,
    integrationId: r.integration_id,
    start: Number(r.start_at),
    end: Number(r.end_at),
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
  });
  return {
    async add(w: Omit<StoredWindow, 'id'>): Promise<StoredWindow> {
      const row = await db
        .insertInto('health_maintenance_windows')
        .values({
          org_id: w.orgId,
          integration_id: w.integrationId,
          start_at: w.start,
          end_at: w.end,
          reason: w.reason,
          created_by: w.createdBy,
          created_at: w.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return map(row);
    },

    /** The organization's windows ending after `endsAfter`, by start. */
    async list(orgId: string, endsAfter: number): Promise<StoredWindow[]> {
      const rows = await db
        .selectFrom('health_maintenance_windows')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('end_at', '>', endsAfter)
        .orderBy('start_at')
        .orderBy('id')
        .limit(1000)
        .execute();
      return rows.map(map);
    },

    /** The window covering this integration at `at`, if any. */
    async at(orgId: string, integrationId: string, at: number): Promise<StoredWindow | undefined> {
      const r = await db
        .selectFrom('health_maintenance_windows')
        .selectAll()
        .where('org_id', '=', orgId)
        .where((eb) => eb.or([eb('integration_id', 'is', null), eb('integration_id', '=', integrationId)]))
        .where('start_at', '<=', at)
        .where('end_at', '>', at)
        .orderBy('id')
        .executeTakeFirst();
      return r === undefined ? undefined : map(r);
    },

    /** Deletes one window of the organization; answers it, or undefined when there is none. */
    async remove(orgId: string, id: number): Promise<StoredWindow | undefined> {
      const r = await db
        .deleteFrom('health_maintenance_windows')
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return r === undefined ? undefined : map(r);
    },
  };
}
export type MaintenanceRepository = ReturnType<typeof maintenanceRepository>;
