import type { OpenAPIHono } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Membership, Operator, SecondFactor, SecondFactorOutcome } from '../../accounts/index.js';
import {
  actorId,
  actorOf,
  audit,
  endSession,
  knownDevice,
  rememberDevice,
  sessionCsrf,
  setDeviceCookie,
  setSessionCookies,
  startSession,
} from '../auth.js';
import { principalOf } from '../access.js';
import { clientIp, isTls } from '../client-ip.js';
import type { AppContext, AppEnv, ServerDeps } from '../context.js';
import { body, defineRoute, input, json, mount, reply } from '../define-route.js';
import { ApiError } from '../errors.js';
import type { User } from '../schemas.js';
import { LoginBody, Ok, PasswordChange, SecondStepBody, SessionState } from '../schemas.js';
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
    // A browser that signed in as this user before is throttled on its own key (docs/server.md).
    const known = await deps.accounts.operators.findByUsername(username);
    // Step 1: the password, throttled and audited by the accounts service.
    const check = await deps.accountsService.checkPassword({
      username,
      password,
      ip,
      knownDevice: await knownDevice(c, deps, known),
      actor: actorOf(c, deps),
    });
    if (check.kind === 'throttled') throw throttled(check.retryAfterMs);
    if (check.kind === 'refused')
      throw new ApiError(401, 'invalid_credentials', 'Wrong username or password.');
    const operator = check.operator;

    // Step 2: a second factor (Duo 2FA, docs/verify.md) when the service runs one.
    if (deps.secondFactor === undefined) return completeLogin(c, deps, operator);
    const memberships = await deps.accounts.memberships.listForOperator(operator.id);
    const outcome = await deps.secondFactor.begin(
      {
        id: operator.id,
        username: operator.username,
        superadmin: operator.superadmin,
        roles: memberships.map((m) => m.role),
      },
      ip,
    );
    return secondStepAnswer(c, deps, outcome, operator.username);
  });

  // The step's routes exist only when the service runs a second factor.
  if (deps.secondFactor !== undefined) mountSecondStep(app, deps);
  if (deps.secondFactor?.finishRedirect !== undefined) mountRedirectCallback(app, deps);

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
      csrfToken: sessionCsrf(c, deps, p.session),
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
    // Throttled per operator: a stolen session must not become an unlimited oracle for the current password.
    const changed = await deps.accountsService.changePassword(
      p.operator,
      currentPassword,
      newPassword,
      actorOf(c, deps),
    );
    if (changed.kind === 'throttled') throw throttled(changed.retryAfterMs);
    if (changed.kind === 'refused')
      throw new ApiError(400, 'invalid_credentials', 'The current password is wrong.');
    // Every session and known device ended with the old password; this browser gets fresh ones.
    await rememberDevice(c, deps, p.operator);
    const { csrfToken, expiresAt } = await startSession(c, deps, p.operator);
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
 * the answer. With a second factor, the session records which factor was used (or that none was, and why).
 */
export async function completeLogin(
  c: AppContext,
  deps: ServerDeps,
  operator: Operator,
  second?: Extract<SecondFactorOutcome, { kind: 'allow' }>,
): Promise<Response> {
  // Recorded, remembered and opened by the accounts service; the cookies are the server's part.
  const { session, device } = await deps.accountsService.signIn(operator, clientIp(c, deps.proxy));
  setDeviceCookie(c, deps, device);
  setSessionCookies(c, deps, session);
  const { csrfToken, expiresAt, idHash } = session;
  if (second !== undefined) await deps.secondFactor?.recordSession(idHash, second);
  const factor =
    second === undefined ? null : { mfa: second.mfa, factor: second.factor, reason: second.reason };
  await audit(c, deps, {
    action: 'session.login',
    actor: `operator:${operator.id}`,
    orgId: null,
    target: operator.username,
    outcome: 'success',
    details: factor === null ? {} : { secondFactor: factor },
  });
  const memberships = await deps.accounts.memberships.listForOperator(operator.id);
  return reply(c, SessionState, {
    state: 'authenticated',
    next: null,
    user: await userView(deps, operator, memberships),
    csrfToken,
    expiresAt: expiresAt.toISOString(),
    secondFactor: factor,
  });
}

const STEP_COOKIE = 'dw_2fa';

function mountSecondStep(app: OpenAPIHono<AppEnv>, deps: ServerDeps): void {
  const stepState = defineRoute(deps, 'public', {
    method: 'get',
    path: '/api/v1/session/2fa',
    tags: ['session'],
    summary: 'The Duo second step: waits (up to 25 s) for an outstanding push or call to change',
    responses: { 200: json(SessionState, 'Still pending, or signed in.') },
  });
  mount(app, stepState, async (c) => {
    const { sf, challenge } = pendingStep(c, deps);
    return secondStepAnswer(c, deps, await sf.poll(challenge, 25_000), null);
  });
  const stepChoose = defineRoute(deps, 'public', {
    method: 'post',
    path: '/api/v1/session/2fa',
    tags: ['session'],
    summary: 'The Duo second step: push, passcode, SMS passcodes or a phone call',
    request: body(SecondStepBody),
    responses: { 200: json(SessionState, 'Still pending, or signed in.') },
  });
  mount(app, stepChoose, async (c) => {
    const { sf, challenge } = pendingStep(c, deps);
    const choice = input(c, 'json', SecondStepBody);
    return secondStepAnswer(c, deps, await sf.act(challenge, choice), null);
  });
}

/**
 * Duo's Universal Prompt returns the browser here (a top-level GET, not a fetch): the step checks the state
 * against the pending sign-in, exchanges the code and opens the session; the browser then goes to the
 * dashboard (`/`), or back to the sign-in page with `?login_error=<code>`.
 */
function mountRedirectCallback(app: OpenAPIHono<AppEnv>, deps: ServerDeps): void {
  const route = defineRoute(deps, 'public', {
    method: 'get',
    path: '/api/v1/session/duo/callback',
    tags: ['session'],
    summary: "Duo's Universal Prompt returns here with state and duo_code (or error)",
    responses: { 302: { description: 'To the dashboard, signed in, or back to the sign-in page.' } },
  });
  mount(app, route, async (c) => {
    const q = c.req.query();
    let code: string;
    try {
      const { sf, challenge } = pendingStep(c, deps);
      if (sf.finishRedirect === undefined)
        throw new ApiError(404, 'no_second_step', 'This sign-in does not use the Universal Prompt.');
      const outcome = await sf.finishRedirect(challenge, {
        state: q['state'],
        code: q['duo_code'] ?? q['code'],
        error: q['error'],
        errorDescription: q['error_description'],
      });
      await secondStepAnswer(c, deps, outcome, null);
      return c.redirect('/', 302);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      code = error.code;
    }
    deleteCookie(c, STEP_COOKIE, { path: '/api/v1/session' });
    return c.redirect(`/?login_error=${encodeURIComponent(code)}`, 302);
  });
}

function pendingStep(c: AppContext, deps: ServerDeps): { sf: SecondFactor; challenge: string } {
  const challenge = getCookie(c, STEP_COOKIE);
  if (deps.secondFactor === undefined || challenge === undefined || challenge === '')
    throw new ApiError(401, 'no_second_step', 'No sign-in is waiting for a second factor; sign in again.');
  return { sf: deps.secondFactor, challenge };
}

/** Turns the second factor's decision into the answer: signed in, refused, or still pending. */
async function secondStepAnswer(
  c: AppContext,
  deps: ServerDeps,
  outcome: SecondFactorOutcome,
  username: string | null,
): Promise<Response> {
  const secure = deps.config.secureCookies || isTls(c, deps.proxy);
  if (outcome.kind === 'pending') {
    const redirect = outcome.view.redirectUrl;
    setCookie(c, STEP_COOKIE, outcome.challenge, {
      httpOnly: true,
      // Duo's Universal Prompt comes back by a cross-site top-level GET, which a Strict cookie would miss;
      // the callback's state is bound to this cookie, so Lax stays safe from login CSRF.
      sameSite: redirect === undefined ? 'Strict' : 'Lax',
      secure,
      path: '/api/v1/session',
    });
    return reply(c, SessionState, {
      state: 'pending',
      next: 'duo_2fa',
      user: null,
      csrfToken: null,
      expiresAt: null,
      secondStep: {
        state: outcome.view.state,
        message: outcome.view.message,
        ...(redirect === undefined ? {} : { redirectUrl: redirect }),
        factors: [...outcome.view.factors],
        devices: outcome.view.devices.map((d) => ({ ...d, capabilities: [...d.capabilities] })),
      },
    });
  }
  deleteCookie(c, STEP_COOKIE, { path: '/api/v1/session' });
  if (outcome.kind === 'deny') {
    await audit(c, deps, {
      action: 'session.login',
      orgId: null,
      target: username,
      outcome: 'failure',
      details: { reason: 'second_factor', code: outcome.code },
    });
    throw new ApiError(403, outcome.code, outcome.message);
  }
  const operator = await deps.accounts.operators.get(outcome.operatorId);
  if (operator === undefined || operator.disabled)
    throw new ApiError(401, 'invalid_credentials', 'The account is no longer available.');
  return completeLogin(c, deps, operator, outcome);
}
