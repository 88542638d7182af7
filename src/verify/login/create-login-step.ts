import type { CapabilityContext } from '../../app/capability.js';
import type { DuowatchServices } from '../../services/index.js';
import type { SecondFactor } from '../../accounts/index.js';
import { VerifyError } from '../errors.js';
import { authClient, resolveAuthTarget } from '../resolve-integration.js';
import type { VerifyStore } from '../verify-store.js';
import type { VerifyConfig } from '../config-schema.js';
import { challengeStore } from './challenge-store.js';
import { createSecondStep } from './second-step.js';

/** The Duo step for `serve`, from `verify.login` (docs/verify.md); null when the login is password only. */
export function createLoginStep(
  cfg: VerifyConfig['login'],
  ctx: Pick<CapabilityContext, 'store' | 'clients' | 'shared'> & {
    services: Pick<DuowatchServices, 'orgs' | 'integrations'>;
  },
  verifyStore: VerifyStore,
  clock?: () => number,
): SecondFactor | null {
  if (cfg.mode === 'off') return null;
  const org = cfg.org;
  if (org === null)
    throw new VerifyError(
      'verify_second_factor',
      'verify.login.mode is required but verify.login.org is not set',
    );
  const exempt = new Set(cfg.exemptUsernames);
  return createSecondStep({
    policy: {
      duoUsername: (u) => cfg.usernameMap[u] ?? u,
      exempt: (u) => exempt.has(u),
      maxPushesPer10Min: cfg.maxPendingPushes,
      challengeTtlMs: cfg.challengeTtlSeconds * 1000,
      application: cfg.application,
    },
    duo: async () => {
      const target = await resolveAuthTarget(ctx.services, org, cfg.integration ?? undefined);
      const client = await authClient(ctx.clients, ctx.store, target);
      return { auth: client.auth, orgId: target.orgId, integrationId: target.integration.id };
    },
    failMode: ctx.shared.failMode,
    alerts: ctx.shared.alerts,
    audit: async (e) => {
      await ctx.store.auditLog.append({
        actor: 'system:verify',
        orgId: null,
        action: e.action,
        target: e.target,
        details: e.details,
      });
    },
    isBreakGlass: async (id) => (await verifyStore.breakGlassOperator()) === id,
    challenges: challengeStore(ctx.store),
    ...(clock === undefined ? {} : { clock }),
    recordSession: (hash, o) =>
      verifyStore.recordLoginFactor(hash, {
        operatorId: o.operatorId,
        mfa: o.mfa,
        factor: o.factor,
        reason: o.reason,
      }),
  });
}
