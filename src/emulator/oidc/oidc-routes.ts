/**
 * Duo's Universal Prompt (Web SDK v4, OIDC) for a `websdk` application (docs/emulator.md "Universal Prompt"):
 * `POST /oauth/v1/health_check`, `GET /oauth/v1/authorize` (a minimal prompt page), the prompt's own form
 * post that lets the simulated user answer a push (their behaviour from the control API decides, as for the
 * Auth API), and `POST /oauth/v1/token` (single-use code for an id_token). Requests are not HMAC-signed like
 * the other APIs: the client proves itself with JWTs signed HS512 with its client secret.
 */
import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { JwtError, peekClaims, signHs512, verifyHs512 } from '../../shared/jwt-hs512.js';
import type { EmulatorApplication, EmulatorClock, Tenant } from '../world/index.js';
import type { FaultPlan } from '../faults/index.js';
import { preHandlerFault } from '../app/fault-effects.js';
import type { TenantRegistry } from '../app/tenant-registry.js';
import { oidcError, promptPage, resultPage } from './oidc-pages.js';

const CODE_TTL_MS = 60_000;
const PROMPT_TTL_MS = 10 * 60_000;
const MAX_PENDING = 10_000;
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface Prompt {
  host: string;
  clientId: string;
  redirectUri: string;
  state: string;
  nonce: string | null;
  username: string;
  useDuoCode: boolean;
  expiresAt: number;
}

interface Grant {
  host: string;
  clientId: string;
  redirectUri: string;
  username: string;
  nonce: string | null;
  expiresAt: number;
  authTime: number;
  result: { result: string; status: string; status_msg: string };
  factor: string;
  txid: string;
}

export interface OidcDeps {
  registry: TenantRegistry;
  clock: EmulatorClock;
  faults: FaultPlan;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: (n: number) => Buffer;
}

/** The host a client addressed, port kept: Duo's clients use `https://<api host>` as audience and issuer. */
const rawHost = (c: Context): string => (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase();
const bareHost = (c: Context): string => rawHost(c).replace(/:\d+$/, '');

/** Bounded maps: the oldest entries go first when a flood of prompts would otherwise grow memory. */
function bounded<V>(m: Map<string, V>, key: string, v: V): void {
  if (m.size >= MAX_PENDING) {
    const oldest = m.keys().next().value;
    if (oldest !== undefined) m.delete(oldest);
  }
  m.set(key, v);
}

export function mountOidc(app: Hono, deps: OidcDeps): void {
  const random = deps.random ?? randomBytes;
  const prompts = new Map<string, Prompt>();
  const grants = new Map<string, Grant>();
  const usedAssertions = new Map<string, number>();
  const id = (): string => random(24).toString('base64url');

  /** Faults (down, slow, hang…) act on these paths as on the rest of the API. */
  async function fault(c: Context): Promise<Response | null> {
    const fired = deps.faults.decide({
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      host: bareHost(c),
    });
    const early = await preHandlerFault(fired, {
      c,
      now: deps.clock.now(),
      sleep: deps.sleep,
      signal: c.req.raw.signal,
    });
    return early?.response ?? null;
  }

  const tenantOf = (c: Context): Tenant | undefined => deps.registry.byHost(bareHost(c));
  const webSdkApp = (t: Tenant | undefined, clientId: string) => {
    const a = t?.application(clientId);
    return a?.kind === 'websdk' ? a : undefined;
  };

  /** A client assertion: iss = sub = client_id, aud = this endpoint's URL, unexpired, each jti once. */
  function checkAssertion(
    c: Context,
    assertion: string,
    clientId: string | undefined,
    path: string,
  ): { error: string; detail: string } | { app: EmulatorApplication } {
    let claims: Record<string, unknown>;
    try {
      claims = peekClaims(assertion);
    } catch {
      return { error: 'invalid_client', detail: 'client_assertion is not a JWT' };
    }
    const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
    if (clientId !== undefined && clientId !== iss)
      return { error: 'invalid_client', detail: 'client_id does not match the assertion' };
    const a = webSdkApp(tenantOf(c), iss);
    if (a === undefined) return { error: 'invalid_client', detail: 'Invalid Client ID' };
    const nowS = Math.floor(deps.clock.now() / 1000);
    try {
      verifyHs512(assertion, a.skey, {
        nowS,
        expect: { iss: a.ikey, sub: a.ikey, aud: `https://${rawHost(c)}${path}` },
      });
    } catch (e) {
      return {
        error: 'invalid_client',
        detail: e instanceof JwtError ? e.message : 'bad assertion',
      };
    }
    const jti = claims['jti'];
    if (typeof jti !== 'string' || jti === '')
      return { error: 'invalid_client', detail: 'the assertion has no jti' };
    const seen = `${a.ikey}:${jti}`;
    if (usedAssertions.has(seen)) return { error: 'invalid_client', detail: 'the assertion was replayed' };
    for (const [k, exp] of usedAssertions) if (exp < nowS - 120) usedAssertions.delete(k);
    bounded(usedAssertions, seen, typeof claims['exp'] === 'number' ? claims['exp'] : nowS);
    return { app: a };
  }

  app.post('/oauth/v1/health_check', async (c) => {
    const early = await fault(c);
    if (early !== null) return early;
    const form = await c.req.parseBody();
    const clientId = typeof form['client_id'] === 'string' ? form['client_id'] : undefined;
    const assertion = typeof form['client_assertion'] === 'string' ? form['client_assertion'] : '';
    const nowS = Math.floor(deps.clock.now() / 1000);
    const checked = checkAssertion(c, assertion, clientId, '/oauth/v1/health_check');
    if ('error' in checked)
      return c.json(
        {
          stat: 'FAIL',
          code: 40002,
          timestamp: nowS,
          message: checked.error,
          message_detail: checked.detail,
        },
        400,
      );
    return c.json({ stat: 'OK', response: { timestamp: nowS } });
  });

  app.get('/oauth/v1/authorize', async (c) => {
    const early = await fault(c);
    if (early !== null) return early;
    const q = c.req.query();
    if (q['response_type'] !== 'code')
      return oidcError(c, 'unsupported_response_type', 'response_type must be code');
    const clientId = q['client_id'] ?? '';
    const a = webSdkApp(tenantOf(c), clientId);
    if (a === undefined) return oidcError(c, 'invalid_client', 'Invalid Client ID');
    let claims: Record<string, unknown>;
    try {
      claims = verifyHs512(q['request'] ?? '', a.skey, { nowS: Math.floor(deps.clock.now() / 1000) });
    } catch (e) {
      return oidcError(c, 'invalid_request', e instanceof JwtError ? e.message : 'bad request JWT');
    }
    const str = (k: string): string | undefined => (typeof claims[k] === 'string' ? claims[k] : undefined);
    const state = str('state');
    const redirectUri = str('redirect_uri');
    const username = str('duo_uname');
    const nonce = str('nonce') ?? null;
    if (str('client_id') !== clientId) return oidcError(c, 'invalid_request', 'client_id does not match');
    if (str('response_type') !== 'code') return oidcError(c, 'invalid_request', 'response_type must be code');
    if (!(str('scope') ?? '').split(' ').includes('openid'))
      return oidcError(c, 'invalid_scope', 'scope must include openid');
    if (state === undefined || state.length < 22 || state.length > 1024)
      return oidcError(c, 'invalid_request', 'state must be between 22 and 1024 characters');
    if (nonce !== null && (nonce.length < 16 || nonce.length > 1024))
      return oidcError(c, 'invalid_request', 'nonce must be between 16 and 1024 characters');
    if (username === undefined || username === '')
      return oidcError(c, 'invalid_request', 'duo_uname is required');
    let redirect: URL;
    try {
      redirect = new URL(redirectUri ?? '');
    } catch {
      return oidcError(c, 'invalid_request', 'redirect_uri is not a URL');
    }
    if (q['redirect_uri'] !== undefined && q['redirect_uri'] !== redirectUri)
      return oidcError(c, 'invalid_request', 'redirect_uri does not match the request');
    if (
      redirect.protocol !== 'https:' &&
      redirect.hostname !== '127.0.0.1' &&
      redirect.hostname !== 'localhost'
    )
      return oidcError(c, 'invalid_request', 'redirect_uri must be https');
    const sid = id();
    bounded(prompts, sid, {
      host: bareHost(c),
      clientId,
      redirectUri: redirect.toString(),
      state,
      nonce,
      username,
      useDuoCode: claims['use_duo_code_attribute'] === true,
      expiresAt: deps.clock.now() + PROMPT_TTL_MS,
    });
    return c.html(promptPage(sid, username));
  });

  /** The prompt's "Send Me a Push": the simulated user answers as their behaviour says, then back to the app. */
  app.post('/frame/v4/prompt', async (c) => {
    const early = await fault(c);
    if (early !== null) return early;
    const form = await c.req.parseBody();
    const sid = typeof form['sid'] === 'string' ? form['sid'] : '';
    const p = prompts.get(sid);
    prompts.delete(sid);
    const tenant = tenantOf(c);
    if (p === undefined || p.host !== bareHost(c) || tenant === undefined || p.expiresAt < deps.clock.now())
      return c.html(resultPage('This Duo prompt has expired. Go back and sign in again.'), 400);
    const back = (params: Record<string, string>): Response => {
      const u = new URL(p.redirectUri);
      for (const [k, v] of Object.entries({ ...params, state: p.state })) u.searchParams.set(k, v);
      return c.redirect(u.toString(), 302);
    };
    const denied = (why: string) => back({ error: 'access_denied', error_description: why });
    const pre = tenant.preauth({ username: p.username });
    if ('error' in pre) return denied(pre.error.message);
    let outcome: { result: string; status: string; status_msg: string };
    let factor = 'duo_push';
    if (pre.result === 'allow') {
      outcome = { result: 'allow', status: 'allow', status_msg: pre.status_msg };
      factor = 'not_applicable';
    } else if (pre.result !== 'auth') {
      return denied(pre.status_msg);
    } else {
      const r = await tenant.auth(
        { username: p.username, factor: 'push', device: 'auto' },
        { signal: c.req.raw.signal },
      );
      if ('error' in r) return denied(r.error.message);
      if (r.result !== 'allow') return denied(r.status_msg || 'Access denied');
      outcome = { result: r.result, status: r.status, status_msg: r.status_msg };
    }
    const code = id();
    const now = deps.clock.now();
    bounded(grants, code, {
      host: p.host,
      clientId: p.clientId,
      redirectUri: p.redirectUri,
      username: p.username,
      nonce: p.nonce,
      expiresAt: now + CODE_TTL_MS,
      authTime: Math.floor(now / 1000),
      result: outcome,
      factor,
      txid: random(16).toString('hex'),
    });
    return back(p.useDuoCode ? { duo_code: code } : { code });
  });

  app.post('/oauth/v1/token', async (c) => {
    const early = await fault(c);
    if (early !== null) return early;
    const form = await c.req.parseBody();
    const field = (k: string): string => (typeof form[k] === 'string' ? form[k] : '');
    const bad = (error: string, description: string, status: 400 | 401 = 400) =>
      c.json({ error, error_description: description }, status);
    if (field('grant_type') !== 'authorization_code')
      return bad('unsupported_grant_type', 'grant_type must be authorization_code');
    if (field('client_assertion_type') !== CLIENT_ASSERTION_TYPE)
      return bad('invalid_client', 'client_assertion_type is not jwt-bearer', 401);
    const checked = checkAssertion(
      c,
      field('client_assertion'),
      form['client_id'] === undefined ? undefined : field('client_id'),
      '/oauth/v1/token',
    );
    if ('error' in checked) return bad(checked.error, checked.detail, 401);
    const code = field('code');
    const g = grants.get(code);
    // Single use: a code is gone after its first exchange, whatever the outcome.
    grants.delete(code);
    const now = deps.clock.now();
    if (g === undefined || g.host !== bareHost(c) || g.expiresAt < now || g.clientId !== checked.app.ikey)
      return bad('invalid_grant', 'The authorization code is invalid or has expired');
    if (field('redirect_uri') !== g.redirectUri) return bad('invalid_grant', 'redirect_uri does not match');
    const nowS = Math.floor(now / 1000);
    const issuer = `https://${rawHost(c)}/oauth/v1/token`;
    const idToken = signHs512(
      {
        iss: issuer,
        aud: g.clientId,
        sub: g.username,
        exp: nowS + 300,
        iat: nowS,
        auth_time: g.authTime,
        preferred_username: g.username,
        ...(g.nonce === null ? {} : { nonce: g.nonce }),
        auth_result: g.result,
        auth_context: {
          result: g.result.result === 'allow' ? 'success' : 'denied',
          reason: g.factor === 'not_applicable' ? 'bypass_user' : 'user_approved',
          factor: g.factor,
          txid: g.txid,
          timestamp: g.authTime,
          user: { name: g.username },
          application: { key: g.clientId, name: 'Web SDK' },
          event_type: 'authentication',
        },
      },
      checked.app.skey,
    );
    return c.json({
      id_token: idToken,
      access_token: random(24).toString('base64url'),
      expires_in: 3600,
      token_type: 'Bearer',
    });
  });
}
