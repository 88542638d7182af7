import type { CapabilityContext } from '../../app/capability.js';
import type { DuowatchServices } from '../../services/index.js';
import type { SecondFactor } from '../../accounts/index.js';
import { VerifyError } from '../errors.js';
import { authClient, resolveAuthTarget } from '../resolve-integration.js';
import type { VerifyStore } from '../verify-store.js';
import type { VerifyConfig } from '../config-schema.js';
import { challengeStore } from './challenge-store.js';
import { createSecondStep } from './second-step.js';
import { readFileSync } from 'node:fs';
import { createUniversalClient, type UniversalClientOptions } from '../universal/client.js';

/** What the Universal Prompt needs from outside: its HTTPS fetch (the Duo transport) and the secret file. */
export interface LoginStepIo {
  fetch: UniversalClientOptions['fetch'];
  readText?: (path: string) => string;
}

function universalFrom(
  cfg: VerifyConfig['login'],
  io: LoginStepIo | undefined,
  clock: (() => number) | undefined,
): ReturnType<typeof createUniversalClient> {
  const u = cfg.universal;
  const missing = (Object.keys(u) as (keyof typeof u)[]).filter((k) => u[k] === null);
  if (missing.length > 0 || io === undefined)
    throw new VerifyError(
      'verify_second_factor',
      `verify.login.method is universal but verify.login.universal.${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`,
    );
  let secret: string;
  try {
    secret = (io.readText ?? ((p) => readFileSync(p, 'utf8')))(String(u.clientSecretFile)).trim();
  } catch {
    // The path is configuration, not a secret; the file's content never appears in an error.
    throw new VerifyError(
      'verify_second_factor',
      `verify.login.universal.clientSecretFile ${String(u.clientSecretFile)} cannot be read`,
    );
  }
  if (secret.length !== 40)
    throw new VerifyError(
      'verify_second_factor',
      'verify.login.universal.clientSecretFile must hold the 40-character client secret',
    );
  return createUniversalClient({
    clientId: String(u.clientId),
    clientSecret: secret,
    apiHost: String(u.apiHost),
    redirectUri: String(u.redirectUri),
    fetch: io.fetch,
    ...(clock === undefined ? {} : { clock }),
  });
}

/** The Duo step for `serve`, from `verify.login` (docs/verify.md); null when the login is password only. */
export function createLoginStep(
  cfg: VerifyConfig['login'],
  ctx: Pick<CapabilityContext, 'store' | 'clients' | 'shared'> & {
    services: Pick<DuowatchServices, 'orgs' | 'integrations'>;
  },
  verifyStore: VerifyStore,
  clock?: () => number,
  io?: LoginStepIo,
): SecondFactor | null {
  if (cfg.mode === 'off') return null;
  const org = cfg.org;
  if (org === null)
    throw new VerifyError(
      'verify_second_factor',
      'verify.login.mode is required but verify.login.org is not set',
    );
  const exempt = new Set(cfg.exemptUsernames);
  const universal =
    cfg.method === 'universal'
      ? {
          client: universalFrom(cfg, io, clock),
          orgId: async () => (await ctx.services.orgs.get(org))?.id ?? null,
        }
      : undefined;
  return createSecondStep({
    ...(universal === undefined ? {} : { universal }),
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
