import type { Config } from '../../config/index.js';
import type { ExportSection, ExportSectionProvider } from '../../evidence/index.js';
import type { Store } from '../../store/index.js';
import { ALWAYS_CLOSED_ROLES } from '../config-schema.js';
import { healthRepository } from '../store/health-repository.js';

/** Fail-open decisions one export holds at most (a year of an outage-heavy tenant fits; more is flagged). */
export const EXPORT_DECISION_CAP = 50_000;

/**
 * The fail-mode policy in force for the organization and every fail-open decision of the period, for the
 * compliance evidence export (docs/health.md, "Fail mode"). Read from the configuration and the store, so the
 * CLI's export has them without `serve` running.
 */
export function failModeExportSections(deps: { store: Store; config: Config }): ExportSectionProvider {
  const repo = healthRepository(deps.store);
  return {
    async sections(org, range) {
      const applications = deps.config.health.failMode.applications;
      // An organization's own entry wins over the global entry of the same name (policyFor).
      const own = new Set(applications.filter((a) => a.org === org.slug).map((a) => a.name));
      const policy = applications
        .filter((a) => a.org === org.slug || (a.org === undefined && !own.has(a.name)))
        .map((a) => ({
          application: a.name,
          scope: a.org === undefined ? 'all organizations' : a.org,
          mode: a.mode,
          roles: a.mode === 'open_for_roles' ? a.roles.join(', ') : '',
          owner: a.owner ?? '',
        }));
      const decisions = await repo.failOpenDecisions(
        org.id,
        range.from.getTime(),
        range.to.getTime(),
        EXPORT_DECISION_CAP + 1,
      );
      const policySection: ExportSection = {
        id: 'fail_mode_policy',
        title: 'Fail-mode policy (what each application does when Duo is down)',
        description: `As configured when this report was generated. Applications not listed fail closed; roles ${ALWAYS_CLOSED_ROLES.join(' and ')} of duowatch itself always fail closed; an error answer from Duo is never treated as an outage.`,
        columns: ['application', 'scope', 'mode', 'roles', 'owner'],
        rows: policy,
      };
      const decisionSection: ExportSection = {
        id: 'fail_open_decision',
        title: 'Fail-open decisions (logins allowed without MFA)',
        description:
          'Every login let in with the password only because Duo was down or timed out, in this period. None of these is an MFA login; each is also in the audit log (failmode.open) and was alerted.',
        columns: [
          'at',
          'application',
          'role',
          'username',
          'cause',
          'mode',
          'health_state',
          'authentication',
          'reason',
        ],
        timeColumn: 'at',
        rows: decisions.slice(0, EXPORT_DECISION_CAP).map((d) => ({
          at: new Date(d.at).toISOString(),
          application: d.application,
          role: d.role,
          username: d.username,
          cause: d.cause,
          mode: d.mode,
          health_state: d.healthState,
          authentication: 'password only (no MFA)',
          reason: d.reason,
        })),
        truncated: decisions.length > EXPORT_DECISION_CAP,
      };
      return [policySection, decisionSection];
    },
  };
}
