import type { MiddlewareHandler } from 'hono';
import { ROLE_RANK, type OrgRole } from '../accounts/index.js';
import type { AppContext, AppEnv, Principal, ServerDeps } from './context.js';
import { ApiError, forbidden, orgNotFound, unauthenticated } from './errors.js';

/**
 * Who may call a route, declared on the route itself (`x-duowatch-access` in /api/openapi.json) and enforced
 * by the middleware built from the same value, so the document and the behaviour cannot drift. The tenant
 * isolation suite reads the document and attacks every route accordingly.
 */
export type Access = 'public' | 'authenticated' | 'operator' | 'global_admin' | OrgRole;

export function principalOf(c: AppContext): Principal {
  const principal = c.get('principal');
  if (!principal) throw unauthenticated();
  return principal;
}

/** The caller's role in an org: 'owner' for global administrators, null when not a member. */
export function roleIn(principal: Principal, orgId: string): OrgRole | null {
  if (principal.kind === 'token') return principal.token.orgId === orgId ? principal.token.role : null;
  if (principal.operator.superadmin) return 'owner';
  return principal.memberships.find((m) => m.orgId === orgId)?.role ?? null;
}

export function guard(deps: ServerDeps, access: Access): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (access === 'public') return next();
    const principal = principalOf(c);
    if (access === 'authenticated') return next();
    if (access === 'operator' || access === 'global_admin') {
      if (principal.kind !== 'operator')
        throw new ApiError(403, 'session_required', 'API tokens cannot do this; sign in.');
      if (access === 'global_admin' && !principal.operator.superadmin)
        throw forbidden('administering this instance');
      return next();
    }
    const slug = c.req.param('org');
    if (!slug) throw orgNotFound();
    // A plain lookup (not services.orgs.get, which also computes the worst status): this runs on every request.
    const org = await deps.accounts.organizations.resolve(slug);
    const role = org ? roleIn(principal, org.id) : null;
    // Not a member (or no such org): the same 404, so other tenants' slugs cannot be probed.
    if (!org || role === null) throw orgNotFound();
    if (ROLE_RANK[role] < ROLE_RANK[access]) throw forbidden(`this with the ${role} role (needs ${access})`);
    c.set('org', org);
    c.set('orgRole', principal.kind === 'operator' && principal.operator.superadmin ? null : role);
    return next();
  };
}

/**
 * Routes that change who has access (tokens, members) are for people signed in, never for API tokens, so a
 * leaked token cannot mint itself company or promote anyone (docs/server.md, "Security model").
 */
export function requireSession(c: AppContext, what: string): void {
  if (principalOf(c).kind !== 'operator') {
    throw new ApiError(403, 'session_required', `API tokens cannot ${what}; sign in.`);
  }
}

export { GLOBAL_ADMIN_RANK } from '../accounts/index.js';
