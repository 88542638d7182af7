/**
 * The verify capability's door (docs/verify.md): the Auth API for operators and automation (`duowatch auth`,
 * REST routes under an organization, the "verify this user" action) and Duo two-factor on duowatch's own
 * login. Outside code imports only this file.
 */
import type { Capability, CapabilityContext, StartedCapability } from '../app/capability.js';
import { register as authCommand } from './commands/auth/command.js';
import { register as accountsCommand } from './commands/accounts/command.js';
import { verifyMigrations } from './migrations.js';

export { VerifyError, type VerifyErrorCode } from './errors.js';
export { verifyConfigSchema, VERIFY_DEFAULTS, type VerifyConfig } from './config-schema.js';
export { AUTH_ACTIONS, runAuthAction, type AuthAction, type AuthActionInput } from './auth-actions.js';

async function start(ctx: CapabilityContext): Promise<StartedCapability> {
  const { verifyStore } = await import('./verify-store.js');
  const { createVerifyUser } = await import('./verify-user.js');
  const { mountVerifyRoutes } = await import('./routes.js');
  const { createLoginStep } = await import('./login/create-login-step.js');
  const store = verifyStore(ctx.store, ctx.clock);
  // The Universal Prompt's calls go over the same guarded Duo transport (pinned roots, resolve map, proxy).
  const { DuoDispatcher } = await import('../duo/index.js');
  const { fetch: undiciFetch } = await import('undici');
  const dispatcher =
    ctx.config.verify.login.method === 'universal' ? new DuoDispatcher(ctx.clients.transportOptions) : null;
  const secondFactor = createLoginStep(
    ctx.config.verify.login,
    ctx,
    store,
    undefined,
    dispatcher === null
      ? undefined
      : {
          fetch: (url, init) => undiciFetch(url, { ...(init as object), dispatcher }),
        },
  );
  const verifyUser = createVerifyUser({
    store: ctx.store,
    verifyStore: store,
    clients: ctx.clients,
    services: ctx.services,
    alerts: ctx.shared.alerts,
    logger: ctx.logger,
    clock: ctx.clock,
  });
  return {
    mountRoutes: (app, deps) =>
      mountVerifyRoutes(app, deps, {
        store: ctx.store,
        clients: ctx.clients,
        services: ctx.services,
        verifyUser,
        verifyStore: store,
      }),
    close: async () => {
      await verifyUser.close();
      await dispatcher?.close();
    },
    ...(secondFactor === null ? {} : { provides: { secondFactor } }),
    startupLines:
      secondFactor === null
        ? []
        : [
            `Duo 2FA is required on sign-in (organization ${String(ctx.config.verify.login.org)}, ${ctx.config.verify.login.method === 'universal' ? "Duo's Universal Prompt" : 'Auth API'}); owners and admins fail closed when Duo is down.`,
          ],
  };
}

export const verifyCapability: Capability = {
  name: 'verify',
  migrations: verifyMigrations,
  commands: [authCommand, accountsCommand],
  start,
};
