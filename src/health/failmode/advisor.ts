import type { AlertRaiser, FailModeAdvisor, FailModeDecision, FailModeQuestion } from '../../app/index.js';
import type { Store } from '../../store/index.js';
import type { FailModeApplication } from '../config-schema.js';
import type { HealthRepository } from '../store/health-repository.js';
import type { HealthState } from '../state/state-machine.js';
import { healthNotFound } from '../errors.js';
import { decideFailMode, type HealthView } from './decide.js';

/** Worst first: the state the decision reports when several integrations are consulted. */
const SEVERITY: Record<HealthState, number> = { DOWN: 4, PENDING: 3, DEGRADED: 2, MAINTENANCE: 1, UP: 0 };

export async function healthViewOf(
  repo: HealthRepository,
  orgId: string,
  integrationId?: string,
): Promise<HealthView> {
  const states = (await repo.states(orgId)).filter(
    (s) => integrationId === undefined || s.integrationId === integrationId,
  );
  let worst: HealthView = { state: null, since: null };
  for (const s of states)
    if (worst.state === null || SEVERITY[s.state] > SEVERITY[worst.state])
      worst = { state: s.state, since: s.since };
  return worst;
}

export interface AdvisorDeps {
  store: Store;
  repo: HealthRepository;
  applications: () => readonly FailModeApplication[];
  alerts: AlertRaiser;
  now?: () => number;
}

/** The answer plus what the caller's audience needs: the state it was decided on. */
export interface RecordedDecision extends FailModeDecision {
  healthState: HealthState | null;
  authContext: 'password-only' | null;
}

/**
 * The fail-mode advisor `serve` shares with other capabilities (duowatch's own Duo login included) and the
 * REST API calls: decides from the current health state, records every decision, and for every fail-open
 * one writes an audit row and raises an alert — a login that skipped MFA is never silent.
 */
export function createFailModeAdvisor(deps: AdvisorDeps): FailModeAdvisor & {
  decideRecorded(q: FailModeQuestion): Promise<RecordedDecision>;
} {
  const now = deps.now ?? (() => Date.now());
  const decideRecorded = async (q: FailModeQuestion): Promise<RecordedDecision> => {
    const org = await deps.store.organizations.get(q.orgId);
    if (org === undefined) throw healthNotFound(`organization ${q.orgId}`);
    const health = await healthViewOf(deps.repo, q.orgId, q.integrationId);
    const decision = decideFailMode(q, { orgSlug: org.slug, applications: deps.applications(), health });
    const at = now();
    await deps.repo.addDecision({
      orgId: q.orgId,
      at,
      application: q.application,
      role: q.role,
      username: q.username,
      integrationId: q.integrationId ?? null,
      cause: q.cause,
      allow: decision.allow,
      mode: decision.mode,
      healthState: health.state ?? 'UNKNOWN',
      reason: decision.reason,
    });
    if (decision.allow) {
      await deps.store.auditLog.append({
        actor: `failmode:${q.application}`,
        orgId: q.orgId,
        action: 'failmode.open',
        target: q.username,
        details: {
          application: q.application,
          role: q.role,
          cause: q.cause,
          mode: decision.mode,
          mfa: false,
          auth_context: 'password-only',
          health_state: health.state,
          reason: decision.reason,
        },
        ...(q.ip === undefined ? {} : { ip: q.ip }),
        at: new Date(at),
      });
      await deps.alerts.raise({
        orgId: q.orgId,
        source: 'health',
        rule: 'health.fail_open',
        title: `Fail-open: ${q.username} signed in to ${q.application} with a password only`,
        severity: 'high',
        entity: q.username,
        firstSeen: new Date(at),
        lastSeen: new Date(at),
        fields: {
          application: q.application,
          role: q.role,
          cause: q.cause,
          mode: decision.mode,
          reason: decision.reason,
        },
        dedupeKey: `health.fail_open:${q.application}:${q.username}`,
      });
    }
    return {
      ...decision,
      healthState: health.state,
      authContext: decision.allow ? 'password-only' : null,
    };
  };
  return {
    decideRecorded,
    async decide(q) {
      const { allow, mode, mfa, reason } = await decideRecorded(q);
      return { allow, mode, mfa, reason };
    },
  };
}
