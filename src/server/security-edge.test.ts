import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { allowedHostsFor } from './edge.js';
import { PASSWORD } from './harness.test-helpers.js';
import { listen } from './listen.js';
import { realDuo, type RealDuo } from './real-harness.test-helpers.js';

/**
 * The service edge (issue: harden the service edge, items 1, 10, 11, 12): body limits, malformed paths,
 * the allowed-host check and /metrics — against the server over the real services, the emulator and SQLite.
 */
let duo: RealDuo;
beforeAll(async () => {
  duo = await realDuo('security-edge');
});
afterAll(async () => {
  await duo?.close();
});

const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

/** A JSON-looking body of `total` bytes produced on demand, counting what the server actually pulls. */
function countingBody(total: number, chunk = 16 * 1024) {
  const pulled = { bytes: 0 };
  const piece = new TextEncoder().encode('x'.repeat(chunk));
  const head = new TextEncoder().encode('{"username":"');
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const next = sent === 0 ? head : piece;
      sent += next.length;
      pulled.bytes += next.length;
      controller.enqueue(next);
    },
  });
  return { stream, pulled };
}

describe('request body limit (item 1)', () => {
  it('refuses an unauthenticated oversized streamed login body with 413 after reading little of it', async () => {
    const h = await duo.server();
    const total = 8 * 1024 * 1024;
    const { stream, pulled } = countingBody(total);
    const res = await h.app.request('/api/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: { code: 'payload_too_large', message: 'The request body exceeds 65536 bytes.' },
    });
    // 64 KiB plus at most the chunk that crossed the limit and one read ahead.
    expect(pulled.bytes).toBeLessThanOrEqual(64 * 1024 + 2 * 16 * 1024);
    expect(pulled.bytes).toBeLessThan(total / 50);
  });

  it('refuses a declared 300 MB body over a real socket before reading it', async () => {
    const h = await duo.server();
    const server = await listen(h.app, { host: '127.0.0.1', port: 0 });
    try {
      const url = new URL('/api/v1/session', server.url);
      const result = await new Promise<{ status: number; body: string; written: number }>(
        (resolve, reject) => {
          const req = httpRequest(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': String(300 * 1024 * 1024),
            },
          });
          let written = 0;
          req.on('response', (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (body += d));
            res.on('end', () => {
              req.destroy();
              resolve({ status: res.statusCode ?? 0, body, written });
            });
          });
          req.on('error', (error) => {
            // The server may close the connection on the unread body after answering; the answer counts.
            if (written > 0 && (error as NodeJS.ErrnoException).code === 'ECONNRESET') return;
            reject(error);
          });
          // Only the first 256 KiB is ever sent; the server must answer without waiting for the rest.
          const piece = Buffer.alloc(64 * 1024, 0x20);
          for (let i = 0; i < 4; i += 1) {
            req.write(piece);
            written += piece.length;
          }
        },
      );
      expect(result.status).toBe(413);
      expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'payload_too_large' } });
      expect(result.written).toBe(256 * 1024);
    } finally {
      await server.close();
    }
  });

  it('allows a larger body on a path given its own limit (an import upload)', async () => {
    const h = await duo.server({
      options: {
        config: {
          scrypt: { N: 1024, r: 8, p: 1 },
          bodyLimits: [{ path: /^\/api\/v1\/session$/, bytes: 1024 * 1024 }],
        },
      },
    });
    const big = { username: 'owner-a', password: PASSWORD, padding: 'x'.repeat(200 * 1024) };
    expect((await h.call(null, 'POST', '/api/v1/session', big)).status).toBe(200);
    const other = await h.call(null, 'POST', '/api/v1/orgs/acme/sync', { padding: 'x'.repeat(200 * 1024) });
    expect(other.status).toBe(413);
  });
});

describe('malformed paths (item 10)', () => {
  it('answers 400 for a path that does not decode, and logs no server error', async () => {
    const h = await duo.server();
    for (const path of ['/%E0%A4%A', '/api/v1/orgs/%E0%A4%A', '/vendor/uplot/%FF']) {
      const res = await h.app.request(path);
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('malformed_path');
    }
    expect(h.logs.filter((l) => l.includes('request failed') || l.includes('URIError'))).toEqual([]);
  });
});

describe('allowed hosts (item 11)', () => {
  it('refuses a login whose Host and Origin are a rebinding name', async () => {
    const h = await duo.server();
    const res = await h.call(
      null,
      'POST',
      '/api/v1/session',
      { username: 'owner-a', password: PASSWORD },
      { host: 'rebind.evil.example:8080', origin: 'http://rebind.evil.example:8080' },
    );
    expect(res.status).toBe(421);
    expect(await errorCode(res)).toBe('host_not_allowed');
    expect((await h.audit()).filter((e) => e.action === 'session.login')).toEqual([]);
    const local = await h.call(
      null,
      'POST',
      '/api/v1/session',
      { username: 'owner-a', password: PASSWORD },
      { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' },
    );
    expect(local.status).toBe(200);
  });

  it('accepts only the publicUrl host (and extras) when configured; probes answer on any host', async () => {
    const allowed = allowedHostsFor({
      listenHost: '0.0.0.0',
      publicUrl: 'https://DuoWatch.example.com',
      extra: ['metrics.internal'],
    });
    expect(allowed).toEqual(['metrics.internal', 'duowatch.example.com']);
    const h = await duo.server({ options: { config: { allowedHosts: allowed } } });
    const get = (host: string, path = '/api/v1/session') => h.app.request(path, { headers: { host } });
    expect((await get('duowatch.example.com:443')).status).toBe(401);
    expect((await get('metrics.internal')).status).toBe(401);
    expect((await get('localhost')).status).toBe(421);
    expect((await get('10.1.2.3:8080', '/healthz')).status).toBe(200);
    expect((await get('10.1.2.3:8080', '/')).status).toBe(421);
  });

  it('always includes the loopback names for a loopback listener, and checks nothing only when it cannot', () => {
    expect(allowedHostsFor({ listenHost: '127.0.0.1', publicUrl: null, extra: [] })).toEqual([
      'localhost',
      '127.0.0.1',
      '::1',
    ]);
    expect(allowedHostsFor({ listenHost: '::', publicUrl: null, extra: [] })).toBeNull();
  });
});

describe('/metrics (item 12)', () => {
  it('serves maintained counters without walking organizations, and counts runs finished since start', async () => {
    const h = await duo.server();
    // The emulator keeps real time; Test before Save would report the harness's fixed clock as skew.
    h.now.t = Date.now();
    const admin = await h.login('admin-a');
    const candidate = {
      kind: 'admin',
      apiHost: duo.creds.hostname,
      ikey: duo.creds.admin.ikey,
      skey: duo.creds.admin.skey,
    };
    expect((await h.call(admin, 'POST', '/api/v1/orgs/acme/integrations', candidate)).status).toBe(201);
    await h.services.evidence.sync(h.orgs.a.id, {}, { id: 'system' });
    for (let i = 0; i < 20; i += 1)
      await h.services.orgs.create({ slug: `extra-${i}`, name: `Extra ${i}` }, { id: 'system' });

    const walks = [
      vi.spyOn(h.services.orgs, 'list'),
      vi.spyOn(h.services.runs, 'list'),
      vi.spyOn(h.services.integrations, 'list'),
    ];
    const first = await (await h.app.request('/metrics')).text();
    expect(first).toMatch(/duowatch_runs_total\{kind="[a-z_]+",status="succeeded"\} [1-9]/);
    expect(first).toMatch(/duowatch_credentials\{state="ok"\} 1/);
    expect(first).toMatch(/duowatch_credentials\{state="auth_failed"\} 0/);

    // A credential failure shows after the refresh interval, still without a walk over organizations.
    const integration = (await h.services.integrations.list(h.orgs.a.id))[0];
    expect(integration).toBeDefined();
    await h.store.credentialHealth.recordFailure(h.orgs.a.id, integration?.id ?? '', {
      state: 'auth_failed',
      errorKind: 'auth_failed',
      errorMessage: 'secret key rejected',
      until: new Date(h.now.t + 3_600_000),
    });
    for (const w of walks) w.mockClear();
    const cached = await (await h.app.request('/metrics')).text();
    expect(cached).toMatch(/duowatch_credentials\{state="auth_failed"\} 0/);
    h.now.t += 16_000;
    const later = await (await h.app.request('/metrics')).text();
    expect(later).toMatch(/duowatch_credentials\{state="auth_failed"\} 1/);
    for (const w of walks) expect(w).not.toHaveBeenCalled();
    // Counters do not double count on later scrapes.
    const runLine = (text: string) => /duowatch_runs_total\{[^}]*status="succeeded"\} (\d+)/.exec(text)?.[1];
    expect(runLine(later)).toBe(runLine(first));
  });

  it('needs the bearer token when one is configured', async () => {
    const h = await duo.server({ options: { config: { metricsToken: 'scrape-secret-123' } } });
    const none = await h.app.request('/metrics');
    expect(none.status).toBe(401);
    expect(await errorCode(none)).toBe('unauthenticated');
    const wrong = await h.app.request('/metrics', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const right = await h.app.request('/metrics', {
      headers: { authorization: 'Bearer scrape-secret-123' },
    });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('duowatch_http_requests_total');
    for (const line of h.logs) expect(line).not.toContain('scrape-secret-123');
  });
});
