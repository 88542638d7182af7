import type { Clock } from '../evidence/index.js';
import type { Organization, Store } from '../store/index.js';
import type { Actor } from './contract.js';
import { ServiceError } from './errors.js';

/** What every organization-scoped service file shares: the store, the clock, org lookup and the audit write. */
export interface ServiceContext {
  readonly store: Store;
  readonly clock: Clock;
  /** The organization by id or slug, or `not_found`. */
  org: (idOrSlug: string) => Promise<Organization>;
  audit: (
    actor: Actor,
    orgId: string | null,
    action: string,
    target: string | null,
    details?: Record<string, unknown>,
  ) => Promise<void>;
}

export function serviceContext(store: Store, clock: Clock): ServiceContext {
  return {
    store,
    clock,
    async org(idOrSlug) {
      const found = await store.organizations.resolve(idOrSlug);
      if (found === undefined) throw new ServiceError('not_found', `organization ${idOrSlug} not found`);
      return found;
    },
    async audit(actor, orgId, action, target, details) {
      await store.auditLog.append({
        actor: actor.id,
        orgId,
        action,
        target,
        details: details ?? null,
        ip: actor.ip ?? null,
      });
    },
  };
}
