import type { FailModeDecision, FailModeQuestion } from '../../app/index.js';
import { ALWAYS_CLOSED_ROLES, type FailModeApplication } from '../config-schema.js';
import type { HealthState } from '../state/state-machine.js';

/** What the decision knows of Duo's health for the organization (or the named integration). */
export interface HealthView {
  /** The worst current state among the integrations consulted, or null when none was ever probed. */
  state: HealthState | null;
  since: number | null;
}

/** The policy that applies: the organization's own entry for the application, else the global one. */
export function policyFor(
  applications: readonly FailModeApplication[],
  orgSlug: string,
  application: string,
): FailModeApplication | undefined {
  const named = applications.filter((a) => a.name === application);
  return named.find((a) => a.org === orgSlug) ?? named.find((a) => a.org === undefined);
}

const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

function healthText(h: HealthView, cause: FailModeQuestion['cause']): string {
  const seen =
    cause === 'timeout'
      ? 'Duo timed out'
      : cause === 'down'
        ? 'Duo unreachable'
        : 'Duo answered with an error';
  if (h.state === null) return `${seen} (no health probe yet)`;
  const since = h.since === null ? '' : ` since ${hhmm(h.since)} UTC`;
  return `${seen}; health ${h.state}${since}`;
}

/**
 * The fail-mode decision (pure). Owners and admins of duowatch itself always fail closed; an application
 * without a policy fails closed; an error answer from Duo (not an outage: a wrong key, a denied user) is never
 * a reason to skip the second factor. A fail-open answer is a password-only login and says so (`mfa: false`).
 */
export function decideFailMode(
  q: FailModeQuestion,
  ctx: { orgSlug: string; applications: readonly FailModeApplication[]; health: HealthView },
): FailModeDecision {
  const policy = policyFor(ctx.applications, ctx.orgSlug, q.application);
  const mode = policy?.mode ?? 'closed';
  const health = healthText(ctx.health, q.cause);
  const deny = (why: string): FailModeDecision => ({
    allow: false,
    mode,
    mfa: false,
    reason: `denied: ${health} (${why})`,
  });
  if ((ALWAYS_CLOSED_ROLES as readonly string[]).includes(q.role))
    return deny(`duowatch ${q.role}s always fail closed`);
  if (policy === undefined) return deny(`no policy for application "${q.application}": default closed`);
  if (q.cause === 'error')
    return deny('an error answer is not an outage; fail-open applies only when Duo is down or times out');
  if (mode === 'closed') return deny(`policy closed for ${q.application}`);
  if (mode === 'open_for_roles' && !policy.roles.includes(q.role))
    return deny(`policy open_for_roles for ${q.application} does not list role ${q.role}`);
  const which = mode === 'open' ? `policy open for ${q.application}` : `policy open_for_roles for ${q.role}`;
  return { allow: true, mode, mfa: false, reason: `password only: ${health} (${which})` };
}
