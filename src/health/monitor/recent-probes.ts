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

/**
 * The last `perIntegration` probes of each integration, in memory: the buckets in the database keep totals
 * per minute, not phases, and a phase chart needs single probes. Bounded per integration and forgotten when
 * an integration is (so a restart starts an empty chart; the stored buckets still cover the history).
 */
export class RecentProbes {
  readonly #max: number;
  readonly #rings = new Map<string, RecentProbe[]>();

  constructor(perIntegration = 120) {
    this.#max = perIntegration;
  }

  add(outcome: ProbeOutcome, state: string): void {
    let ring = this.#rings.get(outcome.integrationId);
    if (ring === undefined) {
      ring = [];
      this.#rings.set(outcome.integrationId, ring);
    }
    ring.push({
      at: outcome.at.getTime(),
      healthy: outcome.healthy,
      state,
      pingMs: outcome.ping.ms,
      signedMs: outcome.signed.ms,
      phases: { ...outcome.signed.phases },
    });
    if (ring.length > this.#max) ring.splice(0, ring.length - this.#max);
  }

  forget(integrationId: string): void {
    this.#rings.delete(integrationId);
  }

  /** Oldest first. */
  list(integrationId: string): readonly RecentProbe[] {
    return [...(this.#rings.get(integrationId) ?? [])];
  }
}
