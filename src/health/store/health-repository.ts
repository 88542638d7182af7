import type { Kysely } from 'kysely';
import type { Store } from '../../store/index.js';
import { addToHistogram, emptyHistogram, mergeHistograms } from '../state/latency-histogram.js';
import type { HealthState, MonitorState } from '../state/state-machine.js';

type Int = number | string | bigint;
interface HealthTables {
  health_state: {
    integration_id: string;
    org_id: string;
    state: string;
    since: Int;
    machine: unknown;
    last_probe: unknown;
    updated_at: Int;
  };
  health_transitions: {
    id?: Int;
    org_id: string;
    integration_id: string;
    at: Int;
    from_state: string;
    to_state: string;
    reason: string;
  };
  health_buckets: {
    integration_id: string;
    org_id: string;
    resolution: string;
    start: Int;
    up: number;
    down: number;
    maintenance: number;
    degraded: number;
    lat_count: number;
    lat_sum: number;
    lat_max: number;
    hist: unknown;
  };
  health_probe_leases: {
    integration_id: string;
    holder: string;
    expires_at: Int;
  };
  failmode_decisions: {
    id?: Int;
    org_id: string;
    at: Int;
    application: string;
    role: string;
    username: string;
    integration_id: string | null;
    cause: string;
    allow: number;
    mode: string;
    health_state: string;
    reason: string;
  };
}

export type Resolution = 'minute' | 'hour' | 'day';
/** Bucket sizes and how long each is kept: per minute for 24 h, per hour for 30 days, per day for 365 days. */
export const RESOLUTIONS: Record<Resolution, { sizeMs: number; keepMs: number }> = {
  minute: { sizeMs: 60_000, keepMs: 24 * 3_600_000 },
  hour: { sizeMs: 3_600_000, keepMs: 30 * 86_400_000 },
  day: { sizeMs: 86_400_000, keepMs: 365 * 86_400_000 },
};

/** How one probe counts in the uptime buckets. */
export type BucketOutcome = 'up' | 'down' | 'degraded' | 'maintenance';

export interface StoredState {
  orgId: string;
  integrationId: string;
  state: HealthState;
  since: number;
  machine: MonitorState;
  /** The last probe's summary (phases, skew, reason), as shown in status and the dashboard. */
  lastProbe: Record<string, unknown> | null;
  updatedAt: number;
}

export interface Transition {
  id: number;
  orgId: string;
  integrationId: string;
  at: number;
  from: HealthState;
  to: HealthState;
  reason: string;
}

export interface Bucket {
  start: number;
  up: number;
  down: number;
  maintenance: number;
  degraded: number;
  latCount: number;
  latSum: number;
  latMax: number;
  hist: number[];
}

export interface FailModeRecord {
  id: number;
  orgId: string;
  at: number;
  application: string;
  role: string;
  username: string;
  integrationId: string | null;
  cause: string;
  allow: boolean;
  mode: string;
  healthState: string;
  reason: string;
}

const num = (v: Int): number => Number(v);
const parseJson = (v: unknown): unknown => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);

/** The health tables over the shared store; the same code on SQLite and PostgreSQL. */
export function healthRepository(store: Store) {
  const db = store.db as unknown as Kysely<HealthTables>;
  const mapState = (r: HealthTables['health_state']): StoredState => ({
    orgId: r.org_id,
    integrationId: r.integration_id,
    state: r.state as HealthState,
    since: num(r.since),
    machine: parseJson(r.machine) as MonitorState,
    lastProbe: (parseJson(r.last_probe) as Record<string, unknown> | null) ?? null,
    updatedAt: num(r.updated_at),
  });
  const mapBucket = (r: HealthTables['health_buckets']): Bucket => ({
    start: num(r.start),
    up: Number(r.up),
    down: Number(r.down),
    maintenance: Number(r.maintenance),
    degraded: Number(r.degraded),
    latCount: Number(r.lat_count),
    latSum: Number(r.lat_sum),
    latMax: Number(r.lat_max),
    hist: parseJson(r.hist) as number[],
  });

  return {
    async state(integrationId: string): Promise<StoredState | undefined> {
      const r = await db
        .selectFrom('health_state')
        .selectAll()
        .where('integration_id', '=', integrationId)
        .executeTakeFirst();
      return r === undefined ? undefined : mapState(r);
    },

    async states(orgId?: string): Promise<StoredState[]> {
      let q = db.selectFrom('health_state').selectAll();
      if (orgId !== undefined) q = q.where('org_id', '=', orgId);
      return (await q.orderBy('integration_id').execute()).map(mapState);
    },

    async saveState(s: StoredState): Promise<void> {
      const row = {
        integration_id: s.integrationId,
        org_id: s.orgId,
        state: s.state,
        since: s.since,
        machine: JSON.stringify(s.machine),
        last_probe: s.lastProbe === null ? null : JSON.stringify(s.lastProbe),
        updated_at: s.updatedAt,
      };
      await db
        .insertInto('health_state')
        .values(row)
        .onConflict((oc) =>
          oc.column('integration_id').doUpdateSet({
            state: row.state,
            since: row.since,
            machine: row.machine,
            last_probe: row.last_probe,
            updated_at: row.updated_at,
          }),
        )
        .execute();
    },

    async addTransition(t: Omit<Transition, 'id'>): Promise<void> {
      await db
        .insertInto('health_transitions')
        .values({
          org_id: t.orgId,
          integration_id: t.integrationId,
          at: t.at,
          from_state: t.from,
          to_state: t.to,
          reason: t.reason.slice(0, 1000),
        })
        .execute();
    },

    async transitions(orgId: string | null, limit = 50): Promise<Transition[]> {
      let q = db.selectFrom('health_transitions').selectAll();
      if (orgId !== null) q = q.where('org_id', '=', orgId);
      const rows = await q.orderBy('id', 'desc').limit(Math.min(limit, 1000)).execute();
      return rows.map((r) => ({
        id: num(r.id ?? 0),
        orgId: r.org_id,
        integrationId: r.integration_id,
        at: num(r.at),
        from: r.from_state as HealthState,
        to: r.to_state as HealthState,
        reason: r.reason,
      }));
    },

    /** Counts one probe in its minute, hour and day buckets (read, merge, write: one writer per integration). */
    async count(
      orgId: string,
      integrationId: string,
      at: number,
      outcome: BucketOutcome,
      latencyMs: number | null,
    ) {
      await db.transaction().execute(async (tx) => {
        for (const [resolution, { sizeMs }] of Object.entries(RESOLUTIONS)) {
          const start = Math.floor(at / sizeMs) * sizeMs;
          const found = await tx
            .selectFrom('health_buckets')
            .selectAll()
            .where('integration_id', '=', integrationId)
            .where('resolution', '=', resolution)
            .where('start', '=', start)
            .executeTakeFirst();
          const b: Bucket =
            found === undefined
              ? {
                  start,
                  up: 0,
                  down: 0,
                  maintenance: 0,
                  degraded: 0,
                  latCount: 0,
                  latSum: 0,
                  latMax: 0,
                  hist: emptyHistogram(),
                }
              : mapBucket(found);
          b[outcome] += 1;
          if (latencyMs !== null && outcome !== 'maintenance') {
            b.latCount += 1;
            b.latSum += latencyMs;
            b.latMax = Math.max(b.latMax, latencyMs);
            addToHistogram(b.hist, latencyMs);
          }
          const values = {
            up: b.up,
            down: b.down,
            maintenance: b.maintenance,
            degraded: b.degraded,
            lat_count: b.latCount,
            lat_sum: b.latSum,
            lat_max: b.latMax,
            hist: JSON.stringify(b.hist),
          };
          if (found === undefined)
            await tx
              .insertInto('health_buckets')
              .values({ integration_id: integrationId, org_id: orgId, resolution, start, ...values })
              .execute();
          else
            await tx
              .updateTable('health_buckets')
              .set(values)
              .where('integration_id', '=', integrationId)
              .where('resolution', '=', resolution)
              .where('start', '=', start)
              .execute();
        }
      });
    },

    async buckets(
      integrationId: string,
      resolution: Resolution,
      from: number,
      to: number,
    ): Promise<Bucket[]> {
      const rows = await db
        .selectFrom('health_buckets')
        .selectAll()
        .where('integration_id', '=', integrationId)
        .where('resolution', '=', resolution)
        .where('start', '>=', from)
        .where('start', '<', to)
        .orderBy('start')
        .execute();
      return rows.map(mapBucket);
    },

    /** Sums of the buckets in [from, to): what uptime and latency percentiles are computed from. */
    async totals(integrationId: string, resolution: Resolution, from: number, to: number): Promise<Bucket> {
      const total: Bucket = {
        start: from,
        up: 0,
        down: 0,
        maintenance: 0,
        degraded: 0,
        latCount: 0,
        latSum: 0,
        latMax: 0,
        hist: emptyHistogram(),
      };
      for (const b of await this.buckets(integrationId, resolution, from, to)) {
        total.up += b.up;
        total.down += b.down;
        total.maintenance += b.maintenance;
        total.degraded += b.degraded;
        total.latCount += b.latCount;
        total.latSum += b.latSum;
        total.latMax = Math.max(total.latMax, b.latMax);
        mergeHistograms(total.hist, b.hist);
      }
      return total;
    },

    /** Drops buckets past their resolution's retention. */
    async prune(now: number): Promise<number> {
      let n = 0;
      for (const [resolution, { keepMs }] of Object.entries(RESOLUTIONS)) {
        const r = await db
          .deleteFrom('health_buckets')
          .where('resolution', '=', resolution)
          .where('start', '<', now - keepMs)
          .executeTakeFirst();
        n += Number(r.numDeletedRows);
      }
      return n;
    },

    async addDecision(d: Omit<FailModeRecord, 'id'>): Promise<void> {
      await db
        .insertInto('failmode_decisions')
        .values({
          org_id: d.orgId,
          at: d.at,
          application: d.application,
          role: d.role,
          username: d.username,
          integration_id: d.integrationId,
          cause: d.cause,
          allow: d.allow ? 1 : 0,
          mode: d.mode,
          health_state: d.healthState,
          reason: d.reason,
        })
        .execute();
    },

    /**
     * Takes or renews the probe lease of one integration for `holder` when it is free, already the holder's, or
     * expired — in one statement, so two processes racing for it cannot both win. True when `holder` has it.
     */
    async claimProbe(integrationId: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
      const expires = now + ttlMs;
      await db
        .insertInto('health_probe_leases')
        .values({ integration_id: integrationId, holder, expires_at: expires })
        .onConflict((oc) =>
          oc
            .column('integration_id')
            .doUpdateSet({ holder, expires_at: expires })
            .where((eb) =>
              eb.or([
                eb('health_probe_leases.holder', '=', holder),
                eb('health_probe_leases.expires_at', '<', now),
              ]),
            ),
        )
        .execute();
      const row = await db
        .selectFrom('health_probe_leases')
        .select('holder')
        .where('integration_id', '=', integrationId)
        .executeTakeFirst();
      return row?.holder === holder;
    },

    /** Who probes each integration now (unexpired leases), for status and tests. */
    async probeHolders(now: number): Promise<Map<string, string>> {
      const rows = await db
        .selectFrom('health_probe_leases')
        .select(['integration_id', 'holder'])
        .where('expires_at', '>=', now)
        .execute();
      return new Map(rows.map((r) => [r.integration_id, r.holder]));
    },

    /** A process stopping cleanly hands its integrations over at once instead of at expiry. */
    async releaseProbes(holder: string): Promise<void> {
      await db.deleteFrom('health_probe_leases').where('holder', '=', holder).execute();
    },

    /** Only the logins let in without MFA, oldest first (the evidence export). */
    async failOpenDecisions(
      orgId: string,
      from: number,
      to: number,
      limit: number,
    ): Promise<FailModeRecord[]> {
      const rows = await db
        .selectFrom('failmode_decisions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('allow', '=', 1)
        .where('at', '>=', from)
        .where('at', '<', to)
        .orderBy('id', 'asc')
        .limit(limit)
        .execute();
      return rows.map(toDecision);
    },

    async decisions(orgId: string, from: number, to: number, limit = 1000): Promise<FailModeRecord[]> {
      const rows = await db
        .selectFrom('failmode_decisions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('at', '>=', from)
        .where('at', '<', to)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toDecision);
    },
  };
}

function toDecision(
  r: Omit<HealthTables['failmode_decisions'], 'id'> & { id: Int | undefined },
): FailModeRecord {
  return {
    id: num(r.id ?? 0),
    orgId: r.org_id,
    at: num(r.at),
    application: r.application,
    role: r.role,
    username: r.username,
    integrationId: r.integration_id,
    cause: r.cause,
    allow: Number(r.allow) === 1,
    mode: r.mode,
    healthState: r.health_state,
    reason: r.reason,
  };
}

export type HealthRepository = ReturnType<typeof healthRepository>;
