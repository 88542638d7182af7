import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { MiddlewareHandler } from 'hono';
import type { Actor } from '../services/contract.js';
import { DEVICE_TTL_MS } from '../accounts/index.js';
import type { OpenedSession, Operator, Session } from '../accounts/index.js';
import { clientIp, isTls } from './client-ip.js';
import type { AppContext, AppEnv, Principal, ServerDeps } from './context.js';
import { csrfFailed, ApiError } from './errors.js';

export const SESSION_COOKIE = 'dw_session';
export const CSRF_COOKIE = 'dw_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** Marks a browser that completed a sign-in; only ever sent to the session route. */
export const DEVICE_COOKIE = 'dw_device';
const DEVICE_PATH = '/api/v1/session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves who is asking (Bearer API token or session cookie) through the accounts service's sessions, and
 * enforces CSRF on state-changing requests made with a session: the X-CSRF-Token header must equal the token
 * bound to the session (and the double-submit cookie). Bearer requests carry no ambient credential, so they
 * need no CSRF token.
 */
export function resolvePrincipal(deps: ServerDeps): MiddlewareHandler<AppEnv> {
  const sessions = deps.accountsService.sessions;
  return async (c, next) => {
    c.set('principal', null);
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match?.[1])
        throw new ApiError(401, 'bad_authorization', 'Authorization must be "Bearer <token>".');
      const found = await sessions.token(match[1]);
      if (found.kind === 'unknown')
        throw new ApiError(401, 'invalid_token', 'The API token is unknown, revoked or expired.');
      if (found.kind === 'creator_lost')
        throw new ApiError(
          401,
          'invalid_token',
          "The API token's creator no longer holds its role here; ask for a new token.",
        );
      c.set('principal', { kind: 'token', token: found.token });
      return next();
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie) {
      const csrf =
        SAFE_METHODS.has(c.req.method) || isLogin(c)
          ? null
          : { header: c.req.header(CSRF_HEADER) ?? '', cookie: getCookie(c, CSRF_COOKIE) };
      const found = await sessions.resolve(cookie, csrf);
      if (found.kind === 'csrf_failed') throw csrfFailed();
      if (found.kind === 'ok') {
        const { operator, memberships, session } = found;
        c.set('principal', { kind: 'operator', operator, memberships, session });
      }
    }
    return next();
  };
}

function isLogin(c: AppContext): boolean {
  return c.req.method === 'POST' && new URL(c.req.url).pathname === '/api/v1/session';
}

/** The CSRF token from the double-submit cookie, when it belongs to this session (for GET /session). */
export function sessionCsrf(c: AppContext, deps: ServerDeps, session: Session): string | null {
  return deps.accountsService.sessions.csrfFor(session, getCookie(c, CSRF_COOKIE));
}

/**
 * Refuses cross-site state changes outright when the browser tells us the origin (defence in depth next to
 * SameSite=Strict and the CSRF token; covers the login form, which has no session yet).
 */
export function sameOriginGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && !SAFE_METHODS.has(c.req.method)) {
      const host = c.req.header('host') ?? new URL(c.req.url).host;
      let originHost: string | null = null;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = null;
      }
      if (originHost !== host) throw new ApiError(403, 'cross_origin', 'Cross-origin requests are refused.');
    }
    return next();
  };
}

/** Opens a session in the accounts service and hands its secrets to the browser as cookies. */
export async function startSession(
  c: AppContext,
  deps: ServerDeps,
  operator: Operator,
): Promise<{ csrfToken: string; expiresAt: Date; idHash: string }> {
  const opened = await deps.accountsService.sessions.open(operator.id, clientIp(c, deps.proxy));
  setSessionCookies(c, deps, opened);
  return { csrfToken: opened.csrfToken, expiresAt: opened.expiresAt, idHash: opened.idHash };
}

export function setSessionCookies(c: AppContext, deps: ServerDeps, opened: OpenedSession): void {
  const secure = deps.config.secureCookies || isTls(c, deps.proxy);
  const maxAge = Math.floor(deps.config.sessionTtlMs / 1000);
  setCookie(c, SESSION_COOKIE, opened.secret, {
    httpOnly: true,
    sameSite: 'Strict',
    secure,
    path: '/',
    maxAge,
  });
  // Readable by the dashboard's JS on purpose: it echoes it in X-CSRF-Token (double-submit).
  setCookie(c, CSRF_COOKIE, opened.csrfToken, {
    httpOnly: false,
    sameSite: 'Strict',
    secure,
    path: '/',
    maxAge,
  });
}

export async function endSession(c: AppContext, deps: ServerDeps): Promise<void> {
  const principal = c.get('principal');
  if (principal?.kind === 'operator') await deps.accountsService.sessions.close(principal.session.idHash);
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  deleteCookie(c, CSRF_COOKIE, { path: '/' });
}

export function actorId(principal: Principal | null): string {
  if (!principal) return 'anonymous';
  return principal.kind === 'operator' ? `operator:${principal.operator.id}` : `token:${principal.token.id}`;
}

export function actorOf(c: AppContext, deps: ServerDeps): Actor {
  return { id: actorId(c.get('principal')), ip: clientIp(c, deps.proxy) };
}

export interface AuditInput {
  action: string;
  orgId: string | null;
  target: string | null;
  outcome: 'success' | 'failure';
  details: Record<string, unknown>;
  actor?: string;
}

/** Appends to the store's append-only audit log; the outcome travels in details (the log has no column). */
export async function audit(c: AppContext, deps: ServerDeps, entry: AuditInput): Promise<void> {
  await deps.accounts.auditLog.append({
    actor: entry.actor ?? actorId(c.get('principal')),
    orgId: entry.orgId,
    action: entry.action,
    target: entry.target,
    details: { ...entry.details, outcome: entry.outcome },
    ip: clientIp(c, deps.proxy),
    at: deps.clock(),
  });
}

/** The device cookie's hash when this browser signed in as `operator` before (accounts' `knownDevice`). */
export async function knownDevice(
  c: AppContext,
  deps: ServerDeps,
  operator: Operator | undefined,
): Promise<string | null> {
  return deps.accountsService.sessions.knownDevice(getCookie(c, DEVICE_COOKIE), operator?.id);
}

/** Issues (or refreshes) the device cookie after a successful sign-in. */
export async function rememberDevice(c: AppContext, deps: ServerDeps, operator: Operator): Promise<void> {
  setDeviceCookie(c, deps, await deps.accountsService.sessions.rememberDevice(operator.id));
}

export function setDeviceCookie(c: AppContext, deps: ServerDeps, secret: string): void {
  setCookie(c, DEVICE_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: deps.config.secureCookies || isTls(c, deps.proxy),
    path: DEVICE_PATH,
    maxAge: Math.floor(DEVICE_TTL_MS / 1000),
  });
}
