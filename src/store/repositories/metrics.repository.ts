import { sql } from 'kysely';
import type { RepositoryContext } from './context.js';

/** A finished run as the metrics need it. */
export interface FinishedRun {
  id: string;
  kind: string;
  status: string;
  finishedAt: Date;
  durationMs: number | null;
  errorKind: string | null;
}

/**
 * Aggregates for /metrics whose cost does not grow with the number of organizations: one grouped query for
 * credential states, and runs read incrementally after a (finishedAt, id) cursor.
 */
export interface MetricsRepository {
  /** Integrations by credential state; an integration without a health row counts as `ok`. */
  credentialStates(): Promise<Record<string, number>>;
  /** Runs finished strictly after the cursor, oldest first, at most `limit`. */
  runsFinishedAfter(cursor: { at: Date; id: string }, limit: number): Promise<FinishedRun[]>;
}

export function metricsRepository(ctx: RepositoryContext): MetricsRepository {
  const { db, codec } = ctx;
  const state = sql<string>`coalesce(credential_health.state, 'ok')`;
  return {
    async credentialStates() {
      const rows = await db
        .selectFrom('integrations')
        .leftJoin('credential_health', (join) =>
          join
            .onRef('credential_health.integration_id', '=', 'integrations.id')
            .onRef('credential_health.org_id', '=', 'integrations.org_id'),
        )
        // A literal, not a bound parameter: PostgreSQL must see the same expression in SELECT and GROUP BY.
        .select((eb) => [state.as('state'), eb.fn.countAll().as('n')])
        .groupBy(state)
        .execute();
      return Object.fromEntries(rows.map((r) => [String(r.state), codec.parseInt(r.n)]));
    },
    async runsFinishedAfter(cursor, limit) {
      const at = codec.time(cursor.at);
      const rows = await db
        .selectFrom('job_runs')
        .select(['id', 'kind', 'status', 'finished_at', 'duration_ms', 'error_kind'])
        .where('finished_at', 'is not', null)
        .where((eb) =>
          eb.or([eb('finished_at', '>', at), eb.and([eb('finished_at', '=', at), eb('id', '>', cursor.id)])]),
        )
        .orderBy('finished_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        status: r.status,
        finishedAt: codec.parseTime(r.finished_at),
        durationMs: r.duration_ms === null ? null : codec.parseInt(r.duration_ms),
        errorKind: r.error_kind,
      }));
    },
  };
}
