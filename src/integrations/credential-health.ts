import type { BackoffGate } from '../scheduler/index.js';
import type { Store } from '../store/index.js';
import type { CredentialState } from './types.js';

/** What the back-off rule reads of a credential's health (any capability's state names; only `ok` is special). */
export interface HealthLike {
  state: CredentialState | (string & {});
  /** Until when scheduled runs skip the credential; null: retry on the next tick. */
  until: Date | null;
}

/**
 * The one back-off rule (docs/integrations.md): a credential Duo refused (auth_failed, clock_skew) is
 * skipped by scheduled runs until its `until` (24 h after the failure by default); rate_limited carries no
 * `until` and is retried on the next tick. A person asking ("Sync now", the CLI) is never gated.
 */
export function isBackedOff(health: HealthLike | null | undefined, now: Date): boolean {
  return (
    health !== null &&
    health !== undefined &&
    health.state !== 'ok' &&
    health.until !== null &&
    now.getTime() < health.until.getTime()
  );
}

/** The scheduler's gate over the stored health, on the injected clock. */
export function credentialGate(store: Store, clock: () => Date = () => new Date()): BackoffGate {
  return async (q) => {
    const { orgId, integrationId } = q.payload;
    if (q.trigger === 'run-now' || orgId === undefined || integrationId === undefined) return { skip: false };
    const health = await store.credentialHealth.get(orgId, integrationId);
    if (health === undefined || !isBackedOff(health, clock()) || health.until === null)
      return { skip: false };
    return {
      skip: true,
      reason: `credential ${health.state} until ${health.until.toISOString()}`,
      until: health.until,
    };
  };
}
