import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { MiddlewareHandler } from 'hono';
import type { Actor } from '../services/contract.js';
import { ROLE_RANK } from '../accounts/index.js';
import type { Operator, Session } from '../accounts/index.js';
import { clientIp, isTls } from './client-ip.js';
import type { AppContext, AppEnv, Principal, ServerDeps } from './context.js';
import { csrfFailed, ApiError } from './errors.js';
import { newSecret, safeEqual, sha256 } from '../accounts/index.js';

export const SESSION_COOKIE = 'dw_session';
export const CSRF_COOKIE = 'dw_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** Marks a browser that completed a sign-in; only ever sent to the session route. */
export const DEVICE_COOKIE = 'dw_device';
const DEVICE_PATH = '/api/v1/session';
/** A device stays known this long after its last sign-in. */
export const DEVICE_TTL_MS = 90 * 24 * 60 * 60_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves who is asking (Bearer API token or session cookie) and enforces CSRF on state-changing requests
 * made with a session: the X-CSRF-Token header must equal the token bound to the session (and the
 * double-submit cookie). Bearer requests carry no ambient credential, so they need no CSRF token.
 */
export function resolvePrincipal(deps: ServerDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('principal', null);
    const now = deps.clock();
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match?.[1])
        throw new ApiError(401, 'bad_authorization', 'Authorization must be "Bearer <token>".');
      // findByHash leaves out expired tokens; a revoked token is deleted.
      const token = await deps.accounts.apiTokens.findByHash(sha256(match[1]), now);
      if (!token) throw new ApiError(401, 'invalid_token', 'The API token is unknown, revoked or expired.');
      // A token never outlives its creator's rights: it stops when they are disabled or lose the role.
      // Tokens from before creators were recorded have none and are honoured (docs/server.md).
      if (
        token.createdBy !== null &&
        (await deps.accountsService.tokens.creatorRank(token)) < ROLE_RANK[token.role]
      )
        throw new ApiError(
          401,
          'invalid_token',
          "The API token's creator no longer holds its role here; ask for a new token.",
        );
      // Recording use at most once a minute keeps a busy automation from writing on every request.
      if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000) {
        await deps.accounts.apiTokens.touch(token.orgId, token.id, now);
      }
      c.set('principal', { kind: 'token', token });
      return next();
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie) {
      const idHash = sha256(cookie);
      const session = await deps.accounts.sessions.find(idHash, now);
      const operator = session ? await deps.accounts.operators.get(session.operatorId) : undefined;
      if (session && operator && !operator.disabled) {
        const memberships = await deps.accounts.memberships.listForOperator(operator.id);
        c.set('principal', { kind: 'operator', operator, memberships, session });
        if (!SAFE_METHODS.has(c.req.method) && !isLogin(c)) checkCsrf(c, session.csrfHash);
        // Sliding expiry, written at most once per tenth of the lifetime.
        const ttl = deps.config.sessionTtlMs;
        if (session.expiresAt.getTime() - now.getTime() < ttl * 0.9) {
          await deps.accounts.sessions.extend(idHash, new Date(now.getTime() + ttl));
        }
      } else if (session) {
        await deps.accounts.sessions.delete(idHash);
      }
    }
    return next();
  };
}

function isLogin(c: AppContext): boolean {
  return c.req.method === 'POST' && new URL(c.req.url).pathname === '/api/v1/session';
}

/** The session stores only the CSRF token's hash; the header must hash to it and match the cookie. */
function checkCsrf(c: AppContext, expectedHash: string): void {
  const header = c.req.header(CSRF_HEADER) ?? '';
  const cookie = getCookie(c, CSRF_COOKIE);
  if (
    !header ||
    !safeEqual(sha256(header), expectedHash) ||
    (cookie !== undefined && !safeEqual(cookie, header))
  ) {
    throw csrfFailed();
  }
}

/** The CSRF token from the double-submit cookie, when it belongs to this session (for GET /session). */
export function sessionCsrf(c: AppContext, session: Session): string | null {
  const cookie = getCookie(c, CSRF_COOKIE);
  return cookie !== undefined && safeEqual(sha256(cookie), session.csrfHash) ? cookie : null;
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

export async function startSession(
  c: AppContext,
  deps: ServerDeps,
  operator: Operator,
): Promise<{ csrfToken: string; expiresAt: Date; idHash: string }> {
  const value = newSecret(deps.random);
  const csrfToken = newSecret(deps.random);
  const now = deps.clock();
  const expiresAt = new Date(now.getTime() + deps.config.sessionTtlMs);
  await deps.accounts.sessions.create({
    idHash: sha256(value),
    operatorId: operator.id,
    csrfHash: sha256(csrfToken),
    expiresAt,
    ip: clientIp(c, deps.proxy),
  });
  const secure = deps.config.secureCookies || isTls(c, deps.proxy);
  const maxAge = Math.floor(deps.config.sessionTtlMs / 1000);
  setCookie(c, SESSION_COOKIE, value, { httpOnly: true, sameSite: 'Strict', secure, path: '/', maxAge });
  // Readable by the dashboard's JS on purpose: it echoes it in X-CSRF-Token (double-submit).
  setCookie(c, CSRF_COOKIE, csrfToken, { httpOnly: false, sameSite: 'Strict', secure, path: '/', maxAge });
  return { csrfToken, expiresAt, idHash: sha256(value) };
}

export async function endSession(c: AppContext, deps: ServerDeps): Promise<void> {
  const principal = c.get('principal');
  if (principal?.kind === 'operator') await deps.accounts.sessions.delete(principal.session.idHash);
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

/**
 * The device cookie's hash when this browser completed a sign-in as `operator` before (and recently): such a
 * client is throttled on its own key, not held by a lock strangers put on the username.
 */
export async function knownDevice(
  c: AppContext,
  deps: ServerDeps,
  operator: Operator | undefined,
): Promise<string | null> {
  const cookie = getCookie(c, DEVICE_COOKIE);
  if (!operator || !cookie) return null;
  const hash = sha256(cookie);
  const since = new Date(deps.clock().getTime() - DEVICE_TTL_MS);
  const found = await deps.accounts.loginDevices.find(hash, since);
  return found?.operatorId === operator.id ? hash : null;
}

/** Issues (or refreshes) the device cookie after a successful sign-in. */
export async function rememberDevice(c: AppContext, deps: ServerDeps, operator: Operator): Promise<void> {
  // Always a fresh value: a value planted in the browser beforehand must not become a known device.
  const value = newSecret(deps.random);
  await deps.accounts.loginDevices.remember(sha256(value), operator.id, deps.clock());
  setCookie(c, DEVICE_COOKIE, value, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: deps.config.secureCookies || isTls(c, deps.proxy),
    path: DEVICE_PATH,
    maxAge: Math.floor(DEVICE_TTL_MS / 1000),
  });
}
