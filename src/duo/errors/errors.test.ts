import { describe, expect, it } from 'vitest';
import { createDuoClient, DuoApiError, type DuoErrorKind } from '../index.js';
import { fakeClock, fakeDispatcher, fail, type FakeReply } from '../test-support/fakes.test-helpers.js';
import { classifyDuoFailure } from './classify.js';

const creds = {
  ikey: 'DIABCDEFGHIJKLMNOPQR',
  skey: 'errors-test-skey-abcdefghijklmnopqrstuvwxyz0123',
  host: 'api-errs0001.duosecurity.com',
};

async function errorFor(reply: FakeReply, headers: Record<string, string> = {}): Promise<DuoApiError> {
  const clock = fakeClock();
  const { dispatcher } = fakeDispatcher(() => ({ ...reply, headers: { ...reply.headers, ...headers } }));
  const client = createDuoClient({
    ...creds,
    dispatcher,
    clock,
    retry: { rateLimitDelaysMs: [], transientDelaysMs: [] },
  });
  try {
    await client.admin.settings();
  } catch (error) {
    if (error instanceof DuoApiError) return error;
    throw error;
  }
  throw new Error('expected a DuoApiError');
}

// docs/duo-wire.md §3, every row.
const TABLE: Array<[number, number, string, DuoErrorKind]> = [
  [400, 40001, 'Missing required request parameters', 'invalid_request'],
  [400, 40002, 'Invalid request parameters', 'invalid_request'],
  [401, 40101, 'Missing request credentials', 'auth_failed'],
  [401, 40102, 'Invalid integration key in request credentials', 'auth_failed'],
  [401, 40103, 'Invalid signature in request credentials', 'auth_failed'],
  [401, 40104, 'Missing request timestamp', 'clock_skew'],
  [403, 40301, 'Access forbidden', 'permission_denied'],
  [404, 40401, 'Resource not found', 'not_found'],
  [429, 42901, 'Too Many Requests', 'rate_limited'],
  [500, 50001, 'Unknown internal server error', 'server_error'],
];

describe('every Duo error code maps to its kind', () => {
  it.each(TABLE)('HTTP %i code %i (%s) → %s', async (status, code, message, kind) => {
    const error = await errorFor(fail(status, code, message, 'some detail'));
    expect(error.kind).toBe(kind);
    expect(error.httpStatus).toBe(status);
    expect(error.duoCode).toBe(code);
    expect(error.duoMessage).toBe(message);
    expect(error.detail).toBe('some detail');
    expect(error.code).toBe(`duo_${kind}`);
    expect(error.message).toContain(message);
  });

  it('blames the clock for 40103 when the reply Date shows more than a minute of skew', async () => {
    const ahead = new Date(fakeClock().now() + 10 * 60_000).toUTCString();
    const error = await errorFor(fail(401, 40103, 'Invalid signature in request credentials'), {
      Date: ahead,
    });
    expect(error.kind).toBe('clock_skew');
    expect(error.clockSkewMs).toBeGreaterThan(9 * 60_000);
  });

  it('keeps 40103 as auth_failed when the clocks agree', async () => {
    const now = new Date(fakeClock().now()).toUTCString();
    expect((await errorFor(fail(401, 40103, 'Invalid signature'), { Date: now })).kind).toBe('auth_failed');
  });

  it('tolerates a missing or empty code by falling back to the status', async () => {
    expect((await errorFor(fail(403, '', 'Access forbidden'))).kind).toBe('permission_denied');
    expect((await errorFor(fail(401, undefined))).kind).toBe('auth_failed');
    expect(
      (await errorFor({ status: 503, body: '<html>down</html>', headers: { 'content-type': 'text/html' } }))
        .kind,
    ).toBe('server_error');
    expect(classifyDuoFailure(418, undefined)).toBe('invalid_request');
  });
});

describe('malformed replies become bad_response', () => {
  it.each([
    ['non-JSON text', 'this is not json'],
    ['HTML', '<!DOCTYPE html><html><body>Bad gateway</body></html>'],
    ['truncated JSON', '{"stat": "OK", "response": {"lockout_thres'],
    ['JSON without an envelope', '{"hello": 1}'],
    ['an envelope with the wrong shape', '{"stat": "OK", "response": {"lockout_threshold": "ten"}}'],
    ['an empty body', ''],
  ])('%s', async (_name, body) => {
    const error = await errorFor({ status: 200, body });
    expect(error.kind).toBe('bad_response');
    expect(error.message).toContain('GET /admin/v1/settings');
  });
});

describe('text from Duo is made safe', () => {
  it('strips ANSI escapes and control characters from message and detail', async () => {
    const error = await errorFor(
      fail(400, 40002, '\u001b[31mInvalid\u001b[0m request\u0007', 'no\u0000 capable\u001b]0;x device'),
    );
    expect(error.duoMessage).toBe('Invalid request');
    // eslint-disable-next-line no-control-regex -- the point is to find control characters
    expect(error.message).not.toMatch(/[\u0000-\u0008\u001b\u007f]/);
    // eslint-disable-next-line no-control-regex -- the point is to find control characters
    expect(error.detail).not.toMatch(/[\u0000-\u0008\u001b]/);
  });

  it('redacts the skey, ikey and Basic credentials given back in text', async () => {
    const auth = 'Basic ' + Buffer.from(`${creds.ikey}:deadbeef`).toString('base64');
    const error = await errorFor(fail(400, 40002, `echo ${creds.skey} ${creds.ikey}`, `header was ${auth}`));
    const all = [error.message, error.detail, JSON.stringify(error), String(error), error.stack].join('\n');
    expect(all).not.toContain(creds.skey);
    expect(all).not.toContain(creds.ikey);
    expect(all).not.toContain(auth);
    expect(all).toContain('[redacted]');
  });

  it('toJSON carries kind, status and code but no request secrets', () => {
    const error = new DuoApiError({
      kind: 'rate_limited',
      httpStatus: 429,
      duoCode: 42901,
      duoMessage: 'Too Many Requests',
    });
    expect(error.toJSON()).toEqual({
      code: 'duo_rate_limited',
      message: error.message,
      kind: 'rate_limited',
      httpStatus: 429,
      duoCode: 42901,
    });
    expect(error.retryable).toBe(true);
  });
});
