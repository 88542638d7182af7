import type { Kysely } from 'kysely';
import { createCodec, type Store } from '../store/index.js';
import type { DeviceOs } from './device-os.js';
import type { SyncPlan, SyncOutcome } from './sync-types.js';

interface DevicesTables {
  devices_settings: { integration_id: string; org_id: string; os: string | null; updated_at: string | Date };
  devices_leases: {
    integration_id: string;
    org_id: string;
    holder: string;
    acquired_at: string | Date;
    expires_at: string | Date;
  };
  devices_pending_caches: {
    cache_key: string;
    org_id: string;
    integration_id: string;
    run_id: string;
    created_at: string | Date;
  };
  devices_sync_runs: {
    id: string;
    org_id: string;
    integration_id: string;
    trigger: string;
    source: string;
    dry_run: boolean | number;
    started_at: string | Date;
    finished_at: string | Date;
    duration_ms: number;
    outcome: string;
    plan: unknown;
    uploaded: number;
    activated: boolean | number;
    device_count: number | null;
    error_code: string | null;
    error_message: string | null;
  };
}

export interface SyncRunRecord {
  id: string;
  orgId: string;
  integrationId: string;
  trigger: string;
  source: string;
  dryRun: boolean;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  outcome: SyncOutcome;
  plan: SyncPlan;
  uploaded: number;
  activated: boolean;
  deviceCount: number | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export type LeaseResult = { ok: true } | { ok: false; holder: string; expiresAt: Date };

export interface DevicesRepository {
  getOs(orgId: string, integrationId: string): Promise<DeviceOs | null>;
  setOs(orgId: string, integrationId: string, os: DeviceOs | null): Promise<void>;
  /** Takes the integration's sync lease if it is free or expired (a crashed holder gives it up by expiry). */
  acquireLease(orgId: string, integrationId: string, holder: string, ttlMs: number): Promise<LeaseResult>;
  renewLease(integrationId: string, holder: string, ttlMs: number): Promise<boolean>;
  releaseLease(integrationId: string, holder: string): Promise<void>;
  rememberPending(orgId: string, integrationId: string, cacheKey: string, runId: string): Promise<void>;
  isOwnPending(integrationId: string, cacheKey: string): Promise<boolean>;
  forgetPending(cacheKey: string): Promise<void>;
  recordRun(run: SyncRunRecord): Promise<void>;
  runs(orgId: string, integrationId?: string, limit?: number): Promise<SyncRunRecord[]>;
  /** The newest successful (activated) sync per integration of the organization. */
  lastSuccess(orgId: string, integrationId: string): Promise<SyncRunRecord | undefined>;
}

/** A small repository over the store's Kysely handle; both dialects through the store's codec. */
export function devicesRepository(store: Store, clock: () => Date = () => new Date()): DevicesRepository {
  const db = store.db as unknown as Kysely<DevicesTables>;
  const codec = createCodec(store.dialect.capabilities);
  const toRun = (r: DevicesTables['devices_sync_runs']): SyncRunRecord => ({
    id: r.id,
    orgId: r.org_id,
    integrationId: r.integration_id,
    trigger: r.trigger,
    source: r.source,
    dryRun: codec.parseBool(r.dry_run),
    startedAt: codec.parseTime(r.started_at),
    finishedAt: codec.parseTime(r.finished_at),
    durationMs: codec.parseInt(r.duration_ms),
    outcome: r.outcome as SyncOutcome,
    plan: codec.parseJson(r.plan) as SyncPlan,
    uploaded: codec.parseInt(r.uploaded),
    activated: codec.parseBool(r.activated),
    deviceCount: r.device_count === null ? null : codec.parseInt(r.device_count),
    errorCode: r.error_code,
    errorMessage: r.error_message,
  });
  return {
    async getOs(orgId, integrationId) {
      const row = await db
        .selectFrom('devices_settings')
        .select('os')
        .where('org_id', '=', orgId)
        .where('integration_id', '=', integrationId)
        .executeTakeFirst();
      return (row?.os ?? null) as DeviceOs | null;
    },
    async setOs(orgId, integrationId, os) {
      const values = { os, updated_at: codec.time(clock()) };
      await db
        .insertInto('devices_settings')
        .values({ integration_id: integrationId, org_id: orgId, ...values })
        .onConflict((oc) => oc.column('integration_id').doUpdateSet(values))
        .execute();
    },
    async acquireLease(orgId, integrationId, holder, ttlMs) {
      const now = clock();
      const values = {
        org_id: orgId,
        holder,
        acquired_at: codec.time(now),
        expires_at: codec.time(new Date(now.getTime() + ttlMs)),
      };
      // One statement, so two processes racing for a free or expired lease cannot both win.
      await db
        .insertInto('devices_leases')
        .values({ integration_id: integrationId, ...values })
        .onConflict((oc) =>
          oc
            .column('integration_id')
            .doUpdateSet(values)
            .where('devices_leases.expires_at', '<', codec.time(now)),
        )
        .execute();
      const row = await db
        .selectFrom('devices_leases')
        .select(['holder', 'expires_at'])
        .where('integration_id', '=', integrationId)
        .executeTakeFirstOrThrow();
      return row.holder === holder
        ? { ok: true }
        : { ok: false, holder: row.holder, expiresAt: codec.parseTime(row.expires_at) };
    },
    async renewLease(integrationId, holder, ttlMs) {
      const r = await db
        .updateTable('devices_leases')
        .set({ expires_at: codec.time(new Date(clock().getTime() + ttlMs)) })
        .where('integration_id', '=', integrationId)
        .where('holder', '=', holder)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async releaseLease(integrationId, holder) {
      await db
        .deleteFrom('devices_leases')
        .where('integration_id', '=', integrationId)
        .where('holder', '=', holder)
        .execute();
    },
    async rememberPending(orgId, integrationId, cacheKey, runId) {
      await db
        .insertInto('devices_pending_caches')
        .values({
          cache_key: cacheKey,
          org_id: orgId,
          integration_id: integrationId,
          run_id: runId,
          created_at: codec.time(clock()),
        })
        .onConflict((oc) => oc.column('cache_key').doNothing())
        .execute();
    },
    async isOwnPending(integrationId, cacheKey) {
      const row = await db
        .selectFrom('devices_pending_caches')
        .select('cache_key')
        .where('integration_id', '=', integrationId)
        .where('cache_key', '=', cacheKey)
        .executeTakeFirst();
      return row !== undefined;
    },
    async forgetPending(cacheKey) {
      await db.deleteFrom('devices_pending_caches').where('cache_key', '=', cacheKey).execute();
    },
    async recordRun(run) {
      await db
        .insertInto('devices_sync_runs')
        .values({
          id: run.id,
          org_id: run.orgId,
          integration_id: run.integrationId,
          trigger: run.trigger,
          source: run.source,
          dry_run: codec.bool(run.dryRun),
          started_at: codec.time(run.startedAt),
          finished_at: codec.time(run.finishedAt),
          duration_ms: run.durationMs,
          outcome: run.outcome,
          plan: codec.json(run.plan),
          uploaded: run.uploaded,
          activated: codec.bool(run.activated),
          device_count: run.deviceCount,
          error_code: run.errorCode,
          error_message: run.errorMessage,
        })
        .execute();
    },
    async runs(orgId, integrationId, limit = 50) {
      let q = db.selectFrom('devices_sync_runs').selectAll().where('org_id', '=', orgId);
      if (integrationId !== undefined) q = q.where('integration_id', '=', integrationId);
      const rows = await q.orderBy('started_at', 'desc').limit(limit).execute();
      return rows.map(toRun);
    },
    async lastSuccess(orgId, integrationId) {
      const row = await db
        .selectFrom('devices_sync_runs')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('integration_id', '=', integrationId)
        .where('outcome', '=', 'synced')
        .orderBy('finished_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : toRun(row);
    },
  };
}
