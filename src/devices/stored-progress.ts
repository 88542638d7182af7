import type { Kysely } from 'kysely';
import type { Store } from '../store/index.js';
import type { SyncOutcome, SyncProgress } from './sync-types.js';

export type ProgressPhase = 'starting' | SyncProgress['phase'] | 'done';

/** How far an integration's running (or last) sync is, as the progress route answers it. */
export interface RunProgress {
  running: boolean;
  phase: ProgressPhase;
  done: number;
  total: number;
  trigger: string;
  dryRun: boolean;
  startedAt: Date;
  updatedAt: Date;
  outcome: SyncOutcome | null;
}

type Int = number | string | bigint;
interface Tables {
  devices_sync_progress: {
    integration_id: string;
    org_id: string;
    running: number;
    phase: string;
    done: number;
    total: number;
    trigger: string;
    dry_run: number;
    started_at: Int;
    updated_at: Int;
    outcome: string | null;
  };
}

/** At most one write per run this often while its phase stays the same; every phase change is written. */
export const PROGRESS_WRITE_EVERY_MS = 500;
/**
 * A run still "running" in the table without a write for this long was left by a process that died
 * mid-sync (a live run writes at each phase and batch); it is answered as ended, outcome unknown.
 */
export const ABANDONED_AFTER_MS = 15 * 60_000;

/**
 * The progress of each integration's running (or last) sync in the database (migration 201), so every
 * process sees a sync whichever process (a `serve`, the CLI) runs it: the one answer of the progress route
 * (docs/devices.md "Live progress"). Writes are throttled per run within a phase; a phase change and the
 * end are always written, so the row never misses where a run is or how it ended.
 */
export interface StoredProgress {
  /** Writes when the phase changed, the run ended, or the last write is PROGRESS_WRITE_EVERY_MS old. */
  save(orgId: string, integrationId: string, p: RunProgress): Promise<void>;
  load(integrationId: string): Promise<RunProgress | undefined>;
}

export function storedProgress(store: Pick<Store, 'db'>, clock: () => Date): StoredProgress {
  const db = store.db as unknown as Kysely<Tables>;
  // Per integration: the last written phase/running and when, for the throttle. Bounded by the
  // integrations this process syncs; removed when a run ends.
  const written = new Map<string, { phase: ProgressPhase; at: number }>();
  return {
    async save(orgId, integrationId, p) {
      const last = written.get(integrationId);
      const now = clock().getTime();
      if (p.running && last?.phase === p.phase && now - last.at < PROGRESS_WRITE_EVERY_MS) return;
      const row = {
        integration_id: integrationId,
        org_id: orgId,
        running: p.running ? 1 : 0,
        phase: p.phase,
        done: p.done,
        total: p.total,
        trigger: p.trigger,
        dry_run: p.dryRun ? 1 : 0,
        started_at: p.startedAt.getTime(),
        updated_at: p.updatedAt.getTime(),
        outcome: p.outcome,
      };
      const { integration_id: _key, ...rest } = row;
      await db
        .insertInto('devices_sync_progress')
        .values(row)
        .onConflict((oc) => oc.column('integration_id').doUpdateSet(rest))
        .execute();
      if (p.running) written.set(integrationId, { phase: p.phase, at: now });
      else written.delete(integrationId);
    },
    async load(integrationId) {
      const r = await db
        .selectFrom('devices_sync_progress')
        .selectAll()
        .where('integration_id', '=', integrationId)
        .executeTakeFirst();
      if (r === undefined) return undefined;
      const updatedAt = new Date(Number(r.updated_at));
      const abandoned =
        Number(r.running) === 1 && clock().getTime() - updatedAt.getTime() > ABANDONED_AFTER_MS;
      return {
        running: Number(r.running) === 1 && !abandoned,
        phase: abandoned ? 'done' : (r.phase as ProgressPhase),
        done: Number(r.done),
        total: Number(r.total),
        trigger: r.trigger,
        dryRun: Number(r.dry_run) === 1,
        startedAt: new Date(Number(r.started_at)),
        updatedAt,
        outcome: (r.outcome as SyncOutcome | null) ?? null,
      };
    },
  };
}
