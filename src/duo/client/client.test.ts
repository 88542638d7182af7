import { describe, expect, it } from 'vitest';
import {
  createDuoClient,
  DuoApiError,
  LimiterRegistry,
  SLOT_MARGIN_MS,
  parseDuoDate,
  signRequest,
  type DuoClientOptions,
  type RequestLogEvent,
} from '../index.js';
import {
  fail,
  fakeClock,
  fakeDispatcher,
  ok,
  type FakeHandler,
  type FakeRequest,
} from '../test-support/fakes.test-helpers.js';

const creds = {
  ikey: 'DICLIENTTESTIKEY0001',
  skey: 'client-test-skey-0123456789abcdefghijklmnopqrst',
  host: 'api-cli00001.duosecurity.com',
};

function setup(handler: FakeHandler, extra: Partial<DuoClientOptions> = {}) {
  const clock = fakeClock();
  const fake = fakeDispatcher(handler);
  const client = createDuoClient({
    ...creds,
    dispatcher: fake.dispatcher,
    clock,
    random: () => 0.5,
    ...extra,
  });
  return { client, clock, seen: fake.seen };
}

const TOO_MANY = fail(429, 42901, 'Too Many Requests');

/** Re-signs what the fake received and checks the Authorization header matches. */
function expectValidSignature(req: FakeRequest, sigVersion: 2 | 5 = 5): void {
  const date = req.headers['Date'] ?? '';
  const params: Record<string, string[]> = {};
  for (const [k, v] of req.query) (params[k] ??= []).push(v);
  const isJson = req.headers['Content-Type'] === 'application/json';
  const form =
    sigVersion === 2 && req.method !== 'GET' ? Object.fromEntries(new URLSearchParams(req.body)) : {};
  const expected = signRequest({
    ...creds,
    method: req.method,
    path: req.path,
    date,
    sigVersion,
    params: isJson ? (JSON.parse(req.body) as Record<string, unknown>) : { ...params, ...form },
  });
  expect(req.headers['Authorization']).toBe(expected.authorization);
  if (isJson) expect(req.body).toBe(expected.body);
}

describe('signing on the wire', () => {
  it('signs GETs with v5 by default, params in the query', async () => {
    const { client, seen } = setup(() => ok([], {}));
    const pages = client.admin.users.list({ username: 'ana maria', maxPages: 1 });
    for await (const _ of pages) break;
    const req = seen[0];
    expect(req?.query.get('username')).toBe('ana maria');
    expect(req?.query.get('limit')).toBe('300');
    expectValidSignature(req as FakeRequest);
  });

  it('sends POSTs as Python-identical JSON bodies', async () => {
    const { client, seen } = setup(() =>
      ok({ result: 'auth', status_msg: 'Account is active', devices: [] }),
    );
    await client.auth.preauth({ username: 'ßüñ', ipaddr: '203.0.113.5' });
    const req = seen[0] as FakeRequest;
    expect(req.body).toBe('{"ipaddr":"203.0.113.5","username":"\\u00df\\u00fc\\u00f1"}');
    expectValidSignature(req);
  });

  it('can sign with v2 and a form body', async () => {
    const { client, seen } = setup(() => ok({ txid: 'tx-1' }), { sigVersion: 2 });
    await client.auth.authAsync({ username: 'ana', factor: 'push', device: 'auto' });
    const req = seen[0] as FakeRequest;
    expect(req.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expectValidSignature(req, 2);
  });

  it('sends /auth/v2/ping unsigned and learns the skew from its time', async () => {
    const { client, clock, seen } = setup(() => ok({ time: Math.floor(clock.now() / 1000) + 120 }));
    const ping = await client.auth.ping();
    expect(seen[0]?.headers['Authorization']).toBeUndefined();
    expect(ping.clockSkewMs).toBeGreaterThanOrEqual(119_000);
    expect(ping.clockSkewMs).toBeLessThanOrEqual(121_000);
    expect(client.clockSkewMs()).toBe(ping.clockSkewMs);
  });

  it('signs with the corrected time only when asked', async () => {
    const date = (c: ReturnType<typeof fakeClock>) => new Date(c.now() + 300_000).toUTCString();
    for (const signWithServerTime of [false, true]) {
      let clockRef = fakeClock();
      const { client, clock, seen } = setup(() => ({ ...ok({}), headers: { Date: date(clockRef) } }), {
        signWithServerTime,
      });
      clockRef = clock;
      await client.admin.settings();
      await client.admin.settings();
      const sent = parseDuoDate(seen[1]?.headers['Date'] ?? '') ?? 0;
      expect(Math.abs(sent - clock.now()) > 200_000).toBe(signWithServerTime);
    }
  });

  it('adds account_id to every request of a child account, on the child host', async () => {
    const { client, seen } = setup(() =>
      ok([{ account_id: 'DA1', api_hostname: 'api-child001.duosecurity.com', name: 'C' }]),
    );
    const [child] = await client.accounts.list();
    const childClient = client.forChildAccount(child ?? { account_id: '', api_hostname: '' });
    await childClient.request({ method: 'GET', path: '/admin/v1/settings' });
    expect(seen[1]?.origin).toBe('https://api-child001.duosecurity.com');
    expect(seen[1]?.query.get('account_id')).toBe('DA1');
  });
});

describe('timeouts', () => {
  it('gives synchronous auth and auth_status their own long timeouts', async () => {
    const { client, seen } = setup(
      (req) => {
        if (req.path !== '/auth/v2/auth') return ok({ result: 'waiting' });
        return req.body.includes('"async":"1"')
          ? ok({ txid: 'tx' })
          : ok({ result: 'allow', status: 'allow' });
      },
      { timeoutMs: 10_000, syncAuthTimeoutMs: 75_000, authStatusTimeoutMs: 65_000 },
    );
    await client.auth.auth({ username: 'ana', factor: 'push', device: 'auto' });
    await client.auth.authStatus('tx');
    await client.auth.authAsync({ username: 'ana', factor: 'push', device: 'auto' });
    expect(seen.map((r) => r.timeoutMs)).toEqual([75_000, 65_000, 10_000]);
    expect(JSON.parse(seen[0]?.body ?? '{}')).toMatchObject({ async: '0' });
  });
});

describe('retries with a fake clock', () => {
  it('follows the official 429 schedule with jitter, then succeeds', async () => {
    const { client, clock } = setup((_r, n) => (n <= 6 ? TOO_MANY : ok({ name: 'x' })));
    await client.admin.settings();
    expect(clock.sleeps).toEqual([1500, 2500, 4500, 8500, 16_500, 32_500]);
  });

  it('gives up after the seventh 429 with rate_limited', async () => {
    const { client, clock, seen } = setup(() => TOO_MANY);
    await expect(client.admin.settings()).rejects.toMatchObject({ kind: 'rate_limited', duoCode: 42901 });
    expect(seen).toHaveLength(7);
    expect(clock.sleeps).toHaveLength(6);
  });

  it('stops when the next wait would pass the deadline', async () => {
    const { client, clock, seen } = setup(() => TOO_MANY, { retry: { deadlineMs: 5000 } });
    await expect(client.admin.settings()).rejects.toBeInstanceOf(DuoApiError);
    expect(clock.sleeps).toEqual([1500, 2500]);
    expect(seen).toHaveLength(3);
  });

  it('uses a configured schedule', async () => {
    const { client, clock } = setup((_r, n) => (n <= 2 ? TOO_MANY : ok({})), {
      retry: { rateLimitDelaysMs: [30_000, 60_000], jitterMs: 0 },
    });
    await client.admin.settings();
    expect(clock.sleeps).toEqual([30_000, 60_000]);
  });

  it('retries 5xx and network errors for GET only, with a small budget', async () => {
    const network = Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' });
    const get = setup(() => network);
    await expect(get.client.admin.settings()).rejects.toMatchObject({ kind: 'network' });
    expect(get.seen).toHaveLength(3);
    const post = setup(() => fail(500, 50001, 'Unknown internal server error'));
    await expect(post.client.auth.preauth({ username: 'a' })).rejects.toMatchObject({ kind: 'server_error' });
    expect(post.seen).toHaveLength(1);
  });

  it('does not retry auth failures', async () => {
    const { client, seen } = setup(() => fail(401, 40103, 'Invalid signature in request credentials'));
    await expect(client.admin.settings()).rejects.toMatchObject({ kind: 'auth_failed' });
    expect(seen).toHaveLength(1);
  });
});

describe('client-side limiter', () => {
  const authLog = { mintime: 1, maxtime: 2, maxPages: 1 };
  const page = ok({ authlogs: [], metadata: { next_offset: null } });

  it('spaces auth-log calls a minute apart across clients sharing a registry', async () => {
    const clock = fakeClock();
    const limiter = new LimiterRegistry({ clock });
    const fake = fakeDispatcher(() => page);
    const make = () => createDuoClient({ ...creds, dispatcher: fake.dispatcher, clock, limiter });
    const [a, b] = [make(), make()];
    await Promise.all([
      (async () => {
        for await (const _ of a.logs.authentication(authLog));
      })(),
      (async () => {
        for await (const _ of b.logs.authentication(authLog));
      })(),
    ]);
    expect(fake.seen).toHaveLength(2);
    expect(clock.sleeps).toEqual([60_000 + SLOT_MARGIN_MS]);
  });

  it('keeps separate budgets per credential and per log endpoint', async () => {
    const clock = fakeClock();
    const limiter = new LimiterRegistry({ clock });
    const fake = fakeDispatcher(() => ok({ items: [], metadata: {} }));
    const one = createDuoClient({ ...creds, dispatcher: fake.dispatcher, clock, limiter });
    const two = createDuoClient({
      ...creds,
      ikey: 'DIOTHERKEY0000000002',
      dispatcher: fake.dispatcher,
      clock,
      limiter,
    });
    for await (const _ of one.logs.telephony(authLog));
    for await (const _ of one.logs.activity(authLog));
    for await (const _ of two.logs.telephony(authLog));
    expect(clock.sleeps).toEqual([]);
  });

  it('refuses locally, without waiting, when the slot lies past the deadline', async () => {
    const clock = fakeClock();
    const limiter = new LimiterRegistry({ clock });
    const fake = fakeDispatcher(() => page);
    const client = createDuoClient({
      ...creds,
      dispatcher: fake.dispatcher,
      clock,
      limiter,
      retry: { deadlineMs: 30_000 },
    });
    for await (const _ of client.logs.authentication(authLog));
    const second = client.logs.authentication(authLog);
    await expect(
      (async () => {
        for await (const _ of second);
      })(),
    ).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(fake.seen).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('no secret reaches logs or errors', () => {
  it('scans every error and log line from a run of failures', async () => {
    const lines: string[] = [];
    const log = (e: RequestLogEvent) => lines.push(JSON.stringify(e));
    const scenarios: FakeHandler[] = [
      () => fail(401, 40103, `bad sig for ${creds.skey}`),
      () =>
        fail(
          400,
          40002,
          'Invalid request parameters',
          `got Authorization: Basic ${Buffer.from(creds.ikey + ':abc').toString('base64')}`,
        ),
      () => ({ status: 200, body: `<html>${creds.skey}</html>` }),
      () =>
        Object.assign(new Error(`connect failed for ${creds.ikey}:${creds.skey}`), { code: 'ECONNRESET' }),
      () => TOO_MANY,
    ];
    const errors: unknown[] = [];
    const seenAuth: string[] = [];
    for (const handler of scenarios) {
      const { client, seen } = setup(handler, { log, retry: { deadlineMs: 3000 } });
      await client.admin.settings().catch((e: unknown) => errors.push(e));
      seenAuth.push(...seen.map((r) => r.headers['Authorization'] ?? ''));
    }
    expect(errors).toHaveLength(scenarios.length);
    const dump = [
      ...lines,
      ...errors.map((e) => {
        const err = e as Error & { cause?: Error };
        return [
          err.message,
          String(err),
          JSON.stringify(err),
          err.stack,
          err.cause?.message,
          err.cause?.stack,
        ].join('\n');
      }),
    ].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [creds.skey, creds.ikey, ...seenAuth.filter((a) => a !== '')])
      expect(dump).not.toContain(secret);
    expect(dump).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
  });
});
