/**
 * The emulator's Universal Prompt (OIDC) over real TLS, driven by Duo's official Node client
 * (@duosecurity/duo_universal, unmodified) where it has a call for it. The one thing the test changes is the
 * client's TLS trust: the package pins Duo's public CAs in its own HTTPS agent, so the test hands its axios
 * instance an agent that connects to the emulator's loopback port and trusts the emulator's CA (the client's
 * hostname check of `api-….duosecurity.com` stays). The prompt page itself is a browser's job; the test posts
 * its form as a browser would.
 */
import { readFile } from 'node:fs/promises';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { Agent as HttpsAgent, request, type RequestOptions } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@duosecurity/duo_universal';
import { signHs512 } from '../../shared/jwt-hs512.js';
import { createEmulator, type Emulator, type Listening } from '../index.js';

let emu: Emulator;
let server: Listening;
let agent: HttpsAgent;
let host: string;
let apiHost: string;
let clientId: string;
let secret: string;
let username: string;
const REDIRECT = 'https://127.0.0.1:9/duo-callback';

interface Answer {
  status: number;
  location: string | undefined;
  text: string;
}

function send(method: string, path: string, form?: Record<string, string>): Promise<Answer> {
  const body = form === undefined ? undefined : new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      `https://${apiHost}${path}`,
      {
        method,
        agent,
        headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function client(): Client {
  const c = new Client({ clientId, clientSecret: secret, apiHost, redirectUrl: REDIRECT });
  (c as unknown as { axios: { defaults: { httpsAgent: HttpsAgent } } }).axios.defaults.httpsAgent = agent;
  return c;
}

/** Opens the prompt from an authorize URL and presses its button; answers Duo's redirect back. */
async function prompt(authUrl: string): Promise<URL> {
  const page = await send('GET', authUrl.slice(`https://${apiHost}`.length));
  expect(page.status).toBe(200);
  const sid = /name="sid" value="([^"]+)"/.exec(page.text)?.[1];
  expect(sid).toBeDefined();
  const back = await send('POST', '/frame/v4/prompt', { sid: sid ?? '', factor: 'push' });
  expect(back.status).toBe(302);
  return new URL(back.location ?? '');
}

beforeAll(async () => {
  emu = await createEmulator({ seed: 'oidc', tenants: 1, users: 12 });
  server = await emu.listen({ port: 0 });
  const ca = await readFile(server.caFile, 'utf8');
  const port = server.port;
  class LoopbackAgent extends HttpsAgent {
    override createConnection(options: RequestOptions): TLSSocket {
      return connect({ ...(options as ConnectionOptions), host: '127.0.0.1', port, ca });
    }
  }
  agent = new LoopbackAgent({ keepAlive: false });
  const t = emu.credentials()[0];
  if (t === undefined) throw new Error('no tenant');
  host = t.hostname;
  apiHost = `${host}:${String(port)}`;
  const app = emu.control.addApplication(host, 'websdk', { name: 'duowatch' });
  clientId = app.ikey;
  secret = app.skey;
  const user = emu.world
    .tenant(host)
    .users()
    .find((u) => u.status === 'active' && u.phones.some((p) => p.capabilities.includes('push')));
  if (user === undefined) throw new Error('no push user');
  username = user.username;
});

afterAll(async () => {
  await server.close();
});

describe('Universal Prompt (OIDC) with the official client', () => {
  it('health check, prompt approved, code exchanged once for an id_token naming the user', async () => {
    const duo = client();
    const health = await duo.healthCheck();
    expect(health.stat).toBe('OK');
    emu.control.setUserBehaviour(host, username, { kind: 'approve', afterS: 0 });
    const state = duo.generateState();
    const back = await prompt(await duo.createAuthUrl(username, state));
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe(state);
    const code = back.searchParams.get('duo_code') ?? '';
    expect(code.length).toBeGreaterThan(20);
    const token = await duo.exchangeAuthorizationCodeFor2FAResult(code, username);
    expect(token.preferred_username).toBe(username);
    expect(token.auth_result).toMatchObject({ result: 'allow', status: 'allow' });
    expect(token.auth_context).toMatchObject({ result: 'success', factor: 'duo_push' });
    // A code is single-use.
    await expect(duo.exchangeAuthorizationCodeFor2FAResult(code, username)).rejects.toThrow(/invalid_grant/);
  });

  it('a denied push comes back as access_denied with the state, and no code', async () => {
    const duo = client();
    emu.control.setUserBehaviour(host, username, { kind: 'deny', afterS: 0 });
    const state = duo.generateState();
    const back = await prompt(await duo.createAuthUrl(username, state));
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe(state);
    expect(back.searchParams.get('duo_code')).toBeNull();
  });

  it('refuses a health check signed with the wrong secret, or for another audience', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const claims = (aud: string) => ({
      iss: clientId,
      sub: clientId,
      aud,
      jti: `j-${aud}-${String(Math.random())}`,
      iat: nowS,
      exp: nowS + 300,
    });
    const good = `https://${apiHost}/oauth/v1/health_check`;
    const wrongKey = await send('POST', '/oauth/v1/health_check', {
      client_id: clientId,
      client_assertion: signHs512(claims(good), `${secret}x`),
    });
    expect(wrongKey.status).toBe(400);
    expect(JSON.parse(wrongKey.text)).toMatchObject({ stat: 'FAIL', message: 'invalid_client' });
    const wrongAud = await send('POST', '/oauth/v1/health_check', {
      client_id: clientId,
      client_assertion: signHs512(claims(`https://${apiHost}/oauth/v1/token`), secret),
    });
    expect(wrongAud.status).toBe(400);
    const once = signHs512(claims(good), secret);
    expect(
      (await send('POST', '/oauth/v1/health_check', { client_id: clientId, client_assertion: once })).status,
    ).toBe(200);
    // The same assertion (same jti) twice is a replay.
    expect(
      (await send('POST', '/oauth/v1/health_check', { client_id: clientId, client_assertion: once })).status,
    ).toBe(400);
  });

  it('validates the authorize request JWT: state length, scope, signature, client', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const base = {
      response_type: 'code',
      scope: 'openid',
      exp: nowS + 300,
      client_id: clientId,
      redirect_uri: REDIRECT,
      state: 's'.repeat(36),
      duo_uname: username,
    };
    const authorize = (claims: Record<string, unknown>, key = secret, id = clientId) =>
      send(
        'GET',
        `/oauth/v1/authorize?${new URLSearchParams({ response_type: 'code', client_id: id, request: signHs512(claims, key) }).toString()}`,
      );
    expect((await authorize(base)).status).toBe(200);
    for (const [claims, key, id, error] of [
      [{ ...base, state: 's'.repeat(21) }, secret, clientId, 'invalid_request'],
      [{ ...base, scope: 'profile' }, secret, clientId, 'invalid_scope'],
      [{ ...base, exp: nowS - 3600 }, secret, clientId, 'invalid_request'],
      [base, `${secret}x`, clientId, 'invalid_request'],
      [base, secret, emu.credentials()[0]?.auth.ikey ?? '', 'invalid_client'],
    ] as const) {
      const r = await authorize(claims, key, id);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.text)).toMatchObject({ error });
    }
  });

  it('a Duo outage fault fails the health check', async () => {
    const f = emu.control.addFault({ kind: 'error', status: 503, path: '/oauth/v1/health_check' });
    try {
      await expect(client().healthCheck()).rejects.toThrow();
    } finally {
      emu.control.removeFault(f.id);
    }
  });
});
