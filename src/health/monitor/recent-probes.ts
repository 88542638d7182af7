import type { Kysely } from 'kysely';
import type { Store } from '../../store/index.js';
import type { PhasesMs } from '../probe/phase-observer.js';
import type { ProbeOutcome } from '../probe/probe-types.js';

/** One probe as the dashboard's phase chart draws it. */
export interface RecentProbe {
  at: number;
  healthy: boolean;
  state: string;
  pingMs: number;
  signedMs: number;
  phases: PhasesMs;
}

type Int = number | string | bigint;
interface Tables {
  health_recent_probes: {
    id?: Int;
    integration_id: string;
    at: Int;
    healthy: number;
    state: string;
    ping_ms: number;
    signed_ms: number;
    phases: unknown;
  };
}

/**
 * The last `perIntegration` probes of each integration with their phases, in the database (migration
 * 402): the buckets keep totals per minute, not phases, and a phase chart needs single probes. Stored so the
 * chart survives a restart and shows the probes of whichever `serve` process holds the probe lease. Bounded
 * per integration: each write deletes what falls out of the window (one indexed delete per probe, at most one
 * probe per integration per interval).
 */
export class RecentProbes {
  readonly #max: number;
  readonly #db: Kysely<Tables>;

  constructor(store: Pick<Store, 'db'>, perIntegration = 120) {
    this.#db = store.db as unknown as Kysely<Tables>;
    this.#max = perIntegration;
  }

  async add(outcome: ProbeOutcome, state: string): Promise<void> {
    const integrationId = outcome.integrationId;
    await this.#db
      .insertInto('health_recent_probes')
      .values({
        integration_id: integrationId,
        at: outcome.at.getTime(),
        healthy: outcome.healthy ? 1 : 0,
        state,
        ping_ms: outcome.ping.ms,
        signed_ms: outcome.signed.ms,
        phases: JSON.stringify(outcome.signed.phases),
      })
      .execute();
    // The id of the oldest row to keep; everything below it goes.
    const edge = await this.#db
      .selectFrom('health_recent_probes')
      .select('id')
      .where('integration_id', '=', integrationId)
      .orderBy('id', 'desc')
      .offset(this.#max - 1)
      .limit(1)
      .executeTakeFirst();
    if (edge?.id !== undefined)
      await this.#db
        .deleteFrom('health_recent_probes')
        .where('integration_id', '=', integrationId)
        .where('id', '<', edge.id)
        .execute();
  }

  async forget(integrationId: string): Promise<void> {
    await this.#db.deleteFrom('health_recent_probes').where('integration_id', '=', integrationId).execute();
  }

  /** Oldest first. */
  async list(integrationId: string): Promise<RecentProbe[]> {
    const rows = await this.#db
      .selectFrom('health_recent_probes')
      .selectAll()
      .where('integration_id', '=', integrationId)
      .orderBy('id', 'desc')
      .limit(this.#max)
      .execute();
    return rows.reverse().map((r) => ({
      at: Number(r.at),
      healthy: Number(r.healthy) === 1,
      state: r.state,
      pingMs: Number(r.ping_ms),
      signedMs: Number(r.signed_ms),
      phases: (typeof r.phases === 'string' ? JSON.parse(r.phases) : r.phases) as PhasesMs,
    }));
  }
}
