/**
 * Duo's Universal Prompt (Web SDK v4, OIDC) from duowatch's side (docs/verify.md "Universal Prompt"): the
 * health check and the code exchange, each authenticated with a client-assertion JWT signed HS512 with the
 * client secret, and the authorize URL carrying a signed request JWT (state, nonce, username). `fetch` is
 * injected: `serve` passes one over the same guarded Duo transport as every other Duo call.
 */
import { randomBytes } from 'node:crypto';
import { signHs512 } from '../../shared/jwt-hs512.js';
import { checkIdToken, UniversalError } from './id-token.js';

export interface UniversalClientOptions {
  clientId: string;
  clientSecret: string;
  /** `api-XXXX.duosecurity.com` (a port is allowed, for the emulator). */
  apiHost: string;
  redirectUri: string;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  clock?: () => number;
  random?: (n: number) => Buffer;
  timeoutMs?: number;
}

/** Duo could not be asked (network, timeout, 5xx, an unreadable answer): the fail-mode policy decides. */
export class UniversalUnavailable extends Error {
  readonly failure: 'down' | 'timeout';
  constructor(failure: 'down' | 'timeout', message: string) {
    super(message);
    this.name = 'UniversalUnavailable';
    this.failure = failure;
  }
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface UniversalClient {
  healthCheck(): Promise<void>;
  authUrl(duoUsername: string, state: string, nonce: string): string;
  /** Exchanges the code and verifies the id_token; answers its claims. */
  exchange(code: string, expect: { nonce: string; duoUsername: string }): Promise<Record<string, unknown>>;
}

export function createUniversalClient(o: UniversalClientOptions): UniversalClient {
  const now = o.clock ?? Date.now;
  const random = o.random ?? randomBytes;
  const base = `https://${o.apiHost}`;
  const nowS = (): number => Math.floor(now() / 1000);
  const assertion = (aud: string): string =>
    signHs512(
      {
        iss: o.clientId,
        sub: o.clientId,
        aud,
        jti: random(18).toString('hex'),
        iat: nowS(),
        exp: nowS() + 300,
      },
      o.clientSecret,
    );

  async function post(
    path: string,
    form: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    let res: Response;
    try {
      res = await o.fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'duowatch' },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
    } catch (e) {
      const timeout = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw new UniversalUnavailable(
        timeout ? 'timeout' : 'down',
        `Duo ${path} did not answer${timeout ? ' in time' : ''}`,
      );
    }
    if (res.status >= 500)
      throw new UniversalUnavailable('down', `Duo ${path} answered HTTP ${String(res.status)}`);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new UniversalUnavailable('down', `Duo ${path} answered something that is not JSON`);
    }
    if (typeof body !== 'object' || body === null)
      throw new UniversalUnavailable('down', `Duo ${path} answered no object`);
    return { status: res.status, body: body as Record<string, unknown> };
  }

  /** Duo's own words for a refusal, never anything we sent (no secrets, no tokens). */
  const why = (b: Record<string, unknown>): string =>
    [b['message'] ?? b['error'], b['message_detail'] ?? b['error_description']]
      .filter((x) => typeof x === 'string')
      .join(': ') || 'no reason given';

  return {
    async healthCheck() {
      const path = '/oauth/v1/health_check';
      const { status, body } = await post(path, {
        client_id: o.clientId,
        client_assertion: assertion(`${base}${path}`),
      });
      if (body['stat'] === 'OK') return;
      // Duo answered and refused us (a wrong client id or secret): not an outage, so never a fail-open.
      if (status >= 400 && status < 500)
        throw new UniversalError('universal_refused', `Duo refused duowatch's health check: ${why(body)}`);
      throw new UniversalUnavailable('down', `Duo's health check failed: ${why(body)}`);
    },
    authUrl(duoUsername, state, nonce) {
      const request = signHs512(
        {
          response_type: 'code',
          scope: 'openid',
          exp: nowS() + 300,
          client_id: o.clientId,
          redirect_uri: o.redirectUri,
          state,
          nonce,
          duo_uname: duoUsername,
          iss: o.clientId,
          aud: base,
          use_duo_code_attribute: true,
        },
        o.clientSecret,
      );
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: o.clientId,
        request,
        redirect_uri: o.redirectUri,
        scope: 'openid',
      });
      return `${base}/oauth/v1/authorize?${q.toString()}`;
    },
    async exchange(code, expect) {
      const path = '/oauth/v1/token';
      const { status, body } = await post(path, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: o.redirectUri,
        client_id: o.clientId,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion(`${base}${path}`),
      });
      if (status !== 200 || typeof body['id_token'] !== 'string' || body['token_type'] !== 'Bearer')
        throw new UniversalError('universal_token', `Duo refused the code: ${why(body)}`);
      return checkIdToken(body['id_token'], {
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        issuer: `${base}${path}`,
        nonce: expect.nonce,
        duoUsername: expect.duoUsername,
        nowS: nowS(),
      });
    },
  };
}
