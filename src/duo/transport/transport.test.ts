import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuoClient, DuoApiError, DuoConfigError, type DuoClientOptions } from '../index.js';
import {
  startConnectProxy,
  startTlsServer,
  duoOk,
  type TestServer,
} from '../test-support/servers.test-helpers.js';
import { makeTestPki, type TestPki } from '../test-support/tls-ca.test-helpers.js';
import { createGuardedConnector, type Resolver } from './connector.js';

const HOST = 'api-test0001.duosecurity.com';
const creds = {
  ikey: 'DIXXXXXXXXXXXXXXXXXX',
  skey: 'transport-test-secret-key-0123456789abcdef',
  host: HOST,
};
const noRetry = { transientDelaysMs: [] } as const;

let pki: TestPki;
let otherCa: TestPki;
let wrongName: TestPki;
let server: TestServer;

beforeAll(async () => {
  pki = await makeTestPki([HOST]);
  otherCa = await makeTestPki([HOST], 'some other CA');
  wrongName = await makeTestPki(['api-other999.duosecurity.com']);
  server = await startTlsServer(pki, (req, res) => {
    if (req.url.startsWith('/redirect')) {
      res.writeHead(302, { Location: 'https://api-evil.duosecurity.com/admin/v1/settings' }).end();
    } else if (req.url.startsWith('/html')) {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>Gateway says hi</body></html>');
    } else if (req.url.startsWith('/truncated')) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
      res.write('{"stat": "OK", "response": {"lockout_');
      setTimeout(() => (res.socket as Socket).destroy(), 20);
    } else if (req.url.startsWith('/hang')) {
      // never answers
    } else {
      duoOk(res, { lockout_threshold: 10, name: 'Test' }, { Date: new Date().toUTCString() });
    }
  });
});
afterAll(async () => {
  await server.close();
});

function viaOverride(extra: Partial<DuoClientOptions> = {}, ca: string = pki.caPem) {
  return createDuoClient({
    ...creds,
    retry: noRetry,
    transport: {
      resolve: { [HOST]: { address: '127.0.0.1', port: server.port } },
      extraCaPem: [ca],
      allowPrivateAddresses: true,
    },
    ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('TLS transport against a local server', () => {
  it('reaches the server through the resolve override, with Host, SNI and signature for the hostname', async () => {
    const client = viaOverride();
    const settings = await client.admin.settings();
    expect(settings.lockout_threshold).toBe(10);
    const seen = server.seen.at(-1);
    expect(seen?.headers.host).toBe(HOST);
    expect(seen?.headers['user-agent']).toMatch(/^duowatch\/\d/);
    expect(seen?.headers.authorization).toMatch(/^Basic /);
    expect(client.clockSkewMs()).toBeTypeOf('number');
    await client.close();
  });

  it('refuses a loopback override unless private addresses are explicitly allowed', () => {
    expect(() =>
      createDuoClient({
        ...creds,
        transport: { resolve: { [HOST]: { address: '127.0.0.1', port: server.port } } },
      }),
    ).toThrow(DuoConfigError);
  });

  it('refuses a certificate from an untrusted CA', async () => {
    const client = viaOverride({}, otherCa.caPem);
    const error = await failure(client.admin.settings());
    expect(error).toBeInstanceOf(DuoApiError);
    expect((error as DuoApiError).kind).toBe('network');
    expect(error.message).toMatch(/TLS|certificate/i);
    await client.close();
  });

  it('refuses a certificate for another name, even from a trusted CA', async () => {
    const other = await startTlsServer(wrongName, (_req, res) => duoOk(res, {}));
    const client = createDuoClient({
      ...creds,
      retry: noRetry,
      transport: {
        resolve: { [HOST]: { address: '127.0.0.1', port: other.port } },
        extraCaPem: [wrongName.caPem],
        allowPrivateAddresses: true,
      },
    });
    const error = await failure(client.admin.settings());
    expect((error as DuoApiError).kind).toBe('network');
    expect(other.seen).toHaveLength(0);
    await client.close();
    await other.close();
  });

  it('trusts only the pinned Duo roots by default, so the test CA is refused', async () => {
    const client = createDuoClient({
      ...creds,
      retry: noRetry,
      transport: {
        resolve: { [HOST]: { address: '127.0.0.1', port: server.port } },
        allowPrivateAddresses: true,
      },
    });
    const error = await failure(client.admin.settings());
    expect((error as DuoApiError).kind).toBe('network');
    await client.close();
  });

  it('never follows a redirect', async () => {
    const client = viaOverride();
    const before = server.seen.length;
    const error = await failure(client.request({ method: 'GET', path: '/redirect' }));
    expect((error as DuoApiError).kind).toBe('bad_response');
    expect(error.message).toMatch(/redirect refused/);
    expect(server.seen.length - before).toBe(1);
    await client.close();
  });

  it('turns HTML and a reply cut short into bad_response', async () => {
    const client = viaOverride();
    const html = await failure(client.request({ method: 'GET', path: '/html' }));
    expect((html as DuoApiError).kind).toBe('bad_response');
    expect(html.message).toMatch(/HTML/);
    const cut = await failure(client.request({ method: 'GET', path: '/truncated' }));
    expect((cut as DuoApiError).kind).toBe('bad_response');
    await client.close();
  });

  it('times out a request that gets no reply', async () => {
    const client = viaOverride({ timeoutMs: 300 });
    const error = await failure(client.request({ method: 'GET', path: '/hang' }));
    expect((error as DuoApiError).kind).toBe('timeout');
    await client.close();
  });

  it('stops at once when the caller aborts', async () => {
    const client = viaOverride();
    const controller = new AbortController();
    const pending = client.request({ method: 'GET', path: '/hang', signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    await client.close();
  });
});

describe('DNS guard', () => {
  const guarded = (answers: string[]) => {
    const resolver: Resolver = () =>
      Promise.resolve(
        answers.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) })),
      );
    return createDuoClient({ ...creds, retry: noRetry, transport: { resolver, extraCaPem: [pki.caPem] } });
  };

  it.each([
    ['private', ['10.0.0.5']],
    ['loopback', ['127.0.0.1']],
    ['IPv6 loopback', ['::1']],
    ['IPv4-mapped IPv6', ['::ffff:127.0.0.1']],
    ['cloud metadata', ['169.254.169.254']],
    ['AWS IPv6 metadata', ['fd00:ec2::254']],
    ['CGNAT', ['100.64.3.4']],
    ['link-local', ['fe80::1']],
    ['multicast', ['224.0.0.251']],
    ['unspecified', ['0.0.0.0']],
    ['a public answer mixed with a private one', ['52.1.2.3', '192.168.1.10']],
  ])('refuses a %s answer before connecting', async (_name, answers) => {
    const before = server.seen.length;
    const client = guarded(answers);
    const error = await failure(client.admin.settings());
    expect(error).toBeInstanceOf(DuoConfigError);
    expect((error as DuoConfigError).code).toBe('duo_forbidden_address');
    expect(server.seen.length).toBe(before);
    await client.close();
  });

  it('resolves at every connection and dials only the vetted address (rebinding refused)', async () => {
    const answers = ['93.184.216.34', '127.0.0.1'];
    let lookups = 0;
    const dialled: Array<{ hostname: string; servername: string | undefined; port: string }> = [];
    const connector = createGuardedConnector({
      resolver: () => Promise.resolve([{ address: answers[lookups++] ?? '127.0.0.1', family: 4 }]),
      base: (opts, cb) => {
        dialled.push({ hostname: opts.hostname, servername: opts.servername, port: opts.port });
        cb(new Error('no network in tests'), null);
      },
      resolveMap: new Map(),
      allowPrivateAddresses: true, // must not matter: it only covers the explicit override map
    });
    const connect = (): Promise<Error | null> =>
      new Promise((resolve) => {
        connector({ hostname: HOST, host: HOST, protocol: 'https:', port: '443' }, (...args) =>
          resolve(args[0]),
        );
      });
    expect((await connect())?.message).toBe('no network in tests');
    expect(dialled).toEqual([{ hostname: '93.184.216.34', servername: HOST, port: '443' }]);
    const second = await connect();
    expect(second?.message).toMatch(/127\.0\.0\.1 is in the loopback range/);
    expect(dialled).toHaveLength(1);
  });

  it('refuses a literal IP without looking anything up', async () => {
    let lookups = 0;
    const connector = createGuardedConnector({
      resolver: () => {
        lookups += 1;
        return Promise.resolve([]);
      },
      base: (_o, cb) => cb(new Error('dialled'), null),
      resolveMap: new Map(),
      allowPrivateAddresses: false,
    });
    const err = await new Promise<Error | null>((resolve) =>
      connector({ hostname: '8.8.8.8', protocol: 'https:', port: '443' }, (...args) => resolve(args[0])),
    );
    expect(err?.message).toMatch(/literal IP/);
    expect(lookups).toBe(0);
  });
});

describe('CONNECT proxy', () => {
  it('tunnels through the proxy to the hostname with TLS verified end to end', async () => {
    const proxy = await startConnectProxy(server.port);
    const client = createDuoClient({
      ...creds,
      retry: noRetry,
      transport: { proxy: { url: `http://127.0.0.1:${String(proxy.port)}` }, extraCaPem: [pki.caPem] },
    });
    const settings = await client.admin.settings();
    expect(settings.name).toBe('Test');
    expect(proxy.connects).toEqual([`${HOST}:443`]);
    await client.close();
    await proxy.close();
  });

  it('still refuses an untrusted certificate behind the proxy', async () => {
    const proxy = await startConnectProxy(server.port);
    const client = createDuoClient({
      ...creds,
      retry: noRetry,
      transport: { proxy: { url: `http://127.0.0.1:${String(proxy.port)}` }, extraCaPem: [otherCa.caPem] },
    });
    const error = await failure(client.admin.settings());
    expect(error).toBeInstanceOf(DuoApiError);
    expect(proxy.connects).toHaveLength(1);
    await client.close();
    await proxy.close();
  });

  it('goes direct (and through the DNS guard) for NO_PROXY hosts', async () => {
    const proxy = await startConnectProxy(server.port);
    const client = createDuoClient({
      ...creds,
      retry: noRetry,
      transport: {
        proxy: { url: `http://127.0.0.1:${String(proxy.port)}`, noProxy: ['.duosecurity.com'] },
        resolver: () => Promise.resolve([{ address: '10.1.2.3', family: 4 }]),
      },
    });
    const error = await failure(client.admin.settings());
    expect((error as DuoConfigError).code).toBe('duo_forbidden_address');
    expect(proxy.connects).toHaveLength(0);
    await client.close();
    await proxy.close();
  });
});
