import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Membership, Operator } from '../accounts-store.js';
import {
  actorId,
  audit,
  endSession,
  knownDevice,
  rememberDevice,
  sessionCsrf,
  startSession,
} from '../auth.js';
import { principalOf } from '../access.js';
import { clientIp } from '../client-ip.js';
import type { AppContext, AppEnv, ServerDeps } from '../context.js';
import { body, defineRoute, input, json, mount, reply } from '../define-route.js';
import { ApiError } from '../errors.js';
import { hashPassword, needsRehash, verifyPassword } from '../password.js';
import type { User } from '../schemas.js';
import { LoginBody, Ok, PasswordChange, SessionState } from '../schemas.js';
import type { z } from '@hono/zod-openapi';

export async function userView(
  deps: ServerDeps,
  operator: Operator,
  memberships: Membership[],
): Promise<z.input<typeof User>> {
  const slugs = memberships.length
    ? new Map((await deps.services.orgs.list()).map((o) => [o.id, o.slug]))
    : new Map<string, string>();
  return {
    id: operator.id,
    username: operator.username,
    isAdmin: operator.superadmin,
    disabled: operator.disabled,
    createdAt: operator.createdAt.toISOString(),
    memberships: memberships.map((m) => ({
      orgId: m.orgId,
      orgSlug: slugs.get(m.orgId) ?? null,
      role: m.role,
    })),
  };
}

export function mountSession(app: OpenAPIHono<AppEnv>, deps: ServerDeps): void {
  const login = defineRoute(deps, 'public', {
    method: 'post',
    path: '/api/v1/session',
    tags: ['session'],
    summary: 'Sign in with a username and password',
    request: body(LoginBody),
    responses: {
      200: json(SessionState, 'Signed in (or, later, a further step such as Duo 2FA is required).'),
      429: json(SessionState, 'Too many failed attempts; see Retry-After.'),
    },
  });
  mount(app, login, async (c) => {
    const { username, password } = input(c, 'json', LoginBody);
    const ip = clientIp(c, deps.proxy);
    const target = username.slice(0, 100);
    const operator = await deps.accounts.operators.findByUsername(username);
    const device = await knownDevice(c, deps, operator);
    // Counted before the password is checked, so concurrent guesses cannot slip past the lock.
    const gate = await deps.throttle.begin(deps.throttle.loginKeys(username, ip, device));
    if (!gate.allowed) {
      // One audit row per key and lock, however many attempts the lock turns away.
      if (gate.firstInLock) {
        await audit(c, deps, {
          action: 'session.login',
          orgId: null,
          target,
          outcome: 'failure',
          details: { reason: 'throttled', lock: gate.key.split(':')[0] ?? 'unknown' },
        });
      }
      throw throttled(gate.retryAfterMs);
    }

    // Step 1: the password. Always run scrypt, even for unknown users, so timing does not reveal accounts.
    const valid = await verifyPassword(password, operator?.passwordHash ?? (await deps.dummyHash));
    if (!operator || !valid || operator.disabled) {
      deps.throttle.fail(gate.ticket);
      const reason = !operator ? 'unknown_user' : operator.disabled ? 'disabled' : 'bad_password';
      await audit(c, deps, {
        action: 'session.login',
        orgId: null,
        target,
        outcome: 'failure',
        details: { reason },
      });
      throw new ApiError(401, 'invalid_credentials', 'Wrong username or password.');
    }
    await deps.throttle.succeed(gate.ticket);
    if (needsRehash(operator.passwordHash, deps.config.scrypt)) {
      // The stored hash predates the current cost; the password is in hand only now, so upgrade it now.
      await deps.accounts.operators.setPasswordHash(
        operator.id,
        await hashPassword(password, deps.config.scrypt),
      );
    }

    // Step 2 (not yet): a second factor such as Duo 2FA goes here. It would answer
    // `state: "pending", next: "duo_2fa"` without a session and call completeLogin once the factor passes.

    return completeLogin(c, deps, operator);
  });

  const me = defineRoute(deps, 'operator', {
    method: 'get',
    path: '/api/v1/session',
    tags: ['session'],
    summary: 'The signed-in operator, memberships and CSRF token',
    responses: { 200: json(SessionState, 'The current session.') },
  });
  mount(app, me, async (c) => {
    const p = principalOf(c);
    if (p.kind !== 'operator') throw new ApiError(403, 'session_required', 'API tokens have no session.');
    return reply(c, SessionState, {
      state: 'authenticated',
      next: null,
      user: await userView(deps, p.operator, p.memberships),
      csrfToken: sessionCsrf(c, p.session),
      expiresAt: p.session.expiresAt.toISOString(),
    });
  });

  const logout = defineRoute(deps, 'operator', {
    method: 'delete',
    path: '/api/v1/session',
    tags: ['session'],
    summary: 'Sign out',
    responses: { 200: json(Ok, 'Signed out.') },
  });
  mount(app, logout, async (c) => {
    const actor = actorId(c.get('principal'));
    await endSession(c, deps);
    await audit(c, deps, {
      action: 'session.logout',
      actor,
      orgId: null,
      target: null,
      outcome: 'success',
      details: {},
    });
    return reply(c, Ok, { ok: true });
  });

  const password = defineRoute(deps, 'operator', {
    method: 'post',
    path: '/api/v1/session/password',
    tags: ['session'],
    summary: 'Change your password (signs out your other sessions)',
    request: body(PasswordChange),
    responses: {
      200: json(SessionState, 'Password changed; a fresh session.'),
      429: json(SessionState, 'Too many wrong current passwords; see Retry-After.'),
    },
  });
  mount(app, password, async (c) => {
    const p = principalOf(c);
    if (p.kind !== 'operator') throw new ApiError(403, 'session_required', 'API tokens cannot do this.');
    const { currentPassword, newPassword } = input(c, 'json', PasswordChange);
    // A stolen session must not become an unlimited oracle for the current password.
    const gate = await deps.throttle.begin(deps.throttle.passwordChangeKeys(p.operator.id));
    if (!gate.allowed) {
      if (gate.firstInLock) {
        await audit(c, deps, {
          action: 'user.password',
          orgId: null,
          target: p.operator.username,
          outcome: 'failure',
          details: { reason: 'throttled' },
        });
      }
      throw throttled(gate.retryAfterMs);
    }
    if (!(await verifyPassword(currentPassword, p.operator.passwordHash))) {
      deps.throttle.fail(gate.ticket);
      await audit(c, deps, {
        action: 'user.password',
        orgId: null,
        target: p.operator.username,
        outcome: 'failure',
        details: { reason: 'bad_password' },
      });
      throw new ApiError(400, 'invalid_credentials', 'The current password is wrong.');
    }
    await deps.throttle.succeed(gate.ticket);
    await deps.accounts.operators.setPasswordHash(
      p.operator.id,
      await hashPassword(newPassword, deps.config.scrypt),
    );
    await deps.accounts.sessions.deleteForOperator(p.operator.id);
    // Devices that knew the old password are strangers again; this one stays known.
    await deps.accounts.loginDevices.forgetOperator(p.operator.id);
    await rememberDevice(c, deps, p.operator);
    const { csrfToken, expiresAt } = await startSession(c, deps, p.operator);
    await audit(c, deps, {
      action: 'user.password',
      orgId: null,
      target: p.operator.username,
      outcome: 'success',
      details: {},
    });
    return reply(c, SessionState, {
      state: 'authenticated',
      next: null,
      user: await userView(deps, p.operator, p.memberships),
      csrfToken,
      expiresAt: expiresAt.toISOString(),
    });
  });
}

const throttled = (waitMs: number): ApiError => {
  const seconds = Math.ceil(waitMs / 1000);
  return new ApiError(429, 'login_throttled', `Too many failed attempts; try again in ${seconds} s.`, {
    headers: { 'retry-after': String(seconds) },
  });
};

/**
 * The end of a successful sign-in (after every factor): a session, a remembered device, the audit row and
 * the answer. A second-factor step calls this once the factor passes.
 */
export async function completeLogin(c: AppContext, deps: ServerDeps, operator: Operator): Promise<Response> {
  await deps.accounts.operators.recordLogin(operator.id, deps.clock());
  await rememberDevice(c, deps, operator);
  const { csrfToken, expiresAt } = await startSession(c, deps, operator);
  await audit(c, deps, {
    action: 'session.login',
    actor: `operator:${operator.id}`,
    orgId: null,
    target: operator.username,
    outcome: 'success',
    details: {},
  });
  const memberships = await deps.accounts.memberships.listForOperator(operator.id);
  return reply(c, SessionState, {
    state: 'authenticated',
    next: null,
    user: await userView(deps, operator, memberships),
    csrfToken,
    expiresAt: expiresAt.toISOString(),
  });
}
