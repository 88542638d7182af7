import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { signRequest, basicAuthorization } from '../../duo/sign/index.js';
import { DUO_ERRORS, DuoApiError, WRONG_INTEGRATION_TYPE, type DuoErrorCode } from './duo-errors.js';
import { parseFormPairs } from './params.js';
import { duoResponse } from './respond.js';
import { parseAuthorization, verifyRequest, type RawRequest } from './verify.js';

const IKEY = 'DIWJ8X6AEYOR5OMC6TQ1';
const SKEY = 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep';
const HOST = 'api-xxxxxxxx.duosecurity.com';
const NOW = Date.UTC(2026, 10, 22, 19, 0, 0);
const DATE = 'Sun, 22 Nov 2026 19:00:00 -0000';
const lookup = (ikey: string): string | undefined => (ikey === IKEY ? SKEY : undefined);

function raw(
  partial: Omit<Partial<RawRequest>, 'headers'> & { headers: Record<string, string> },
): RawRequest {
  return {
    method: partial.method ?? 'GET',
    host: partial.host ?? HOST,
    path: partial.path ?? '/admin/v1/users',
    query: partial.query ?? '',
    headers: new Headers(partial.headers),
    body: partial.body ?? new Uint8Array(),
  };
}

describe('golden Duo error bodies (docs/duo-wire.md §3)', () => {
  const golden: Record<DuoErrorCode, string> = {
    40001: '{"code": 40001, "message": "Missing required request parameters", "stat": "FAIL"}',
    40002: '{"code": 40002, "message": "Invalid request parameters", "stat": "FAIL"}',
    40101: '{"code": 40101, "message": "Missing request credentials", "stat": "FAIL"}',
    40102: '{"code": 40102, "message": "Invalid integration key in request credentials", "stat": "FAIL"}',
    40103: '{"code": 40103, "message": "Invalid signature in request credentials", "stat": "FAIL"}',
    40104: '{"code": 40104, "message": "Missing request timestamp", "stat": "FAIL"}',
    40301: '{"code": 40301, "message": "Access forbidden", "stat": "FAIL"}',
    40401: '{"code": 40401, "message": "Resource not found", "stat": "FAIL"}',
    42901: '{"code": 42901, "message": "Too Many Requests", "stat": "FAIL"}',
    50001: '{"code": 50001, "message": "Unknown internal server error", "stat": "FAIL"}',
  };
  for (const code of Object.keys(golden).map(Number) as DuoErrorCode[]) {
    it(`${String(code)} renders byte-exact with status ${String(DUO_ERRORS[code].status)}`, async () => {
      const res = new DuoApiError(code).toResponse();
      expect(res.status).toBe(DUO_ERRORS[code].status);
      expect(await res.text()).toBe(golden[code]);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('retry-after')).toBeNull();
    });
  }
  it('renders details as message_detail', async () => {
    expect(await new DuoApiError(40301, WRONG_INTEGRATION_TYPE).toResponse().text()).toBe(
      '{"code": 40301, "message": "Access forbidden", "message_detail": "Wrong integration type for this API.", "stat": "FAIL"}',
    );
    expect(await new DuoApiError(40002, 'mintime must be within the past 180 days').toResponse().text()).toBe(
      '{"code": 40002, "message": "Invalid request parameters", "message_detail": "mintime must be within the past 180 days", "stat": "FAIL"}',
    );
  });
});

describe('responses', () => {
  it('are Python json.dumps bytes with Duo headers and a SHA-1 Etag on GET', async () => {
    const res = duoResponse(
      { stat: 'OK', response: { b: [1, 'é'], a: null } },
      { method: 'GET', dateMs: NOW },
    );
    const text = await res.text();
    expect(text).toBe('{"response": {"a": null, "b": [1, "\\u00e9"]}, "stat": "OK"}');
    expect(res.headers.get('etag')).toBe(`"${createHash('sha1').update(text).digest('hex')}"`);
    expect(res.headers.get('server')).toBe('Duo/1.0');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect(res.headers.get('date')).toBe(new Date(NOW).toUTCString());
    const post = duoResponse({ stat: 'OK', response: {} }, { method: 'POST' });
    expect(post.headers.get('etag')).toBeNull();
  });
});

describe('params', () => {
  it('treat + as space, keep repeated keys and blanks', () => {
    expect(parseFormPairs('a=b+c&x=1&x=2&e=&f&%C3%A9=%2B')).toEqual([
      ['a', 'b c'],
      ['x', '1'],
      ['x', '2'],
      ['e', ''],
      ['f', ''],
      ['é', '+'],
    ]);
  });
});

describe('verifyRequest (docs/duo-wire.md §2)', () => {
  const params = { username: 'a b', limit: '10', users: ['DU2', 'DU1'] };

  it('accepts v2 SHA-512 and v2 SHA-1 GETs with a non-canonical + query', () => {
    for (const digest of ['sha512', 'sha1'] as const) {
      const s = signRequest({
        ikey: IKEY,
        skey: SKEY,
        method: 'GET',
        host: HOST,
        path: '/admin/v1/users',
        params,
        date: DATE,
        sigVersion: 2,
        digest,
      });
      // Python-style wire query: insertion order and + for space, not canonical.
      const r = verifyRequest(
        raw({ query: 'username=a+b&limit=10&users=DU2&users=DU1', headers: s.headers }),
        lookup,
        NOW,
      );
      expect(r).toMatchObject({ ok: true, version: digest === 'sha1' ? 'v2-sha1' : 'v2', ikey: IKEY });
    }
  });

  it('accepts Python 5.6.1 v5 GETs: insertion-ordered query with + for space', () => {
    const s = signRequest({
      ikey: IKEY,
      skey: SKEY,
      method: 'GET',
      host: HOST,
      path: '/admin/v1/users',
      params: { username: 'a b', limit: '10' },
      date: DATE,
    });
    const r = verifyRequest(raw({ query: 'username=a+b&limit=10', headers: s.headers }), lookup, NOW);
    expect(r).toMatchObject({ ok: true, version: 'v5' });
  });

  it('accepts a v2 form post', () => {
    const s = signRequest({
      ikey: IKEY,
      skey: SKEY,
      method: 'POST',
      host: HOST,
      path: '/auth/v2/preauth',
      params: { username: 'bob' },
      date: DATE,
      sigVersion: 2,
    });
    const r = verifyRequest(
      raw({ method: 'POST', path: '/auth/v2/preauth', headers: s.headers, body: Buffer.from(s.form ?? '') }),
      lookup,
      NOW,
    );
    expect(r).toMatchObject({ ok: true, version: 'v2', pairs: [['username', 'bob']] });
  });

  it('accepts v4 and v5 JSON posts hashing the raw body, and v5 with X-Duo-Date and X-Duo-* headers', () => {
    const s4 = signRequest({
      ikey: IKEY,
      skey: SKEY,
      method: 'POST',
      host: HOST,
      path: '/admin/v2/x',
      params: { b: 1, a: 'é' },
      date: DATE,
      sigVersion: 4,
    });
    expect(
      verifyRequest(
        raw({ method: 'POST', path: '/admin/v2/x', headers: s4.headers, body: Buffer.from(s4.body ?? '') }),
        lookup,
        NOW,
      ),
    ).toMatchObject({ ok: true, version: 'v4' });
    const s5 = signRequest({
      ikey: IKEY,
      skey: SKEY,
      method: 'POST',
      host: HOST,
      path: '/admin/v2/x',
      params: { a: 1 },
      sigVersion: 5,
      headers: { 'X-Duo-Date': DATE, 'X-Duo-Extra': 'v' },
    });
    const ok = verifyRequest(
      raw({ method: 'POST', path: '/admin/v2/x', headers: s5.headers, body: Buffer.from(s5.body ?? '') }),
      lookup,
      NOW,
    );
    expect(ok).toMatchObject({ ok: true, version: 'v5' });
    // A changed X-Duo-* header breaks the v5 header hash.
    const tampered = verifyRequest(
      raw({
        method: 'POST',
        path: '/admin/v2/x',
        headers: { ...s5.headers, 'X-Duo-Extra': 'w' },
        body: Buffer.from(s5.body ?? ''),
      }),
      lookup,
      NOW,
    );
    expect(tampered).toMatchObject({ ok: false });
    if (!tampered.ok) expect(tampered.error.duoCode).toBe(40103);
    // Re-serialized (but equivalent) JSON is a different body: the server hashes raw bytes.
    const reserialized = verifyRequest(
      raw({ method: 'POST', path: '/admin/v2/x', headers: s5.headers, body: Buffer.from('{"a": 1}') }),
      lookup,
      NOW,
    );
    expect(reserialized.ok).toBe(false);
  });

  it('accepts v5 GETs with a trailing ? and Postman-style v5 POSTs with params in the URL and an empty body', () => {
    const g = signRequest({
      ikey: IKEY,
      skey: SKEY,
      method: 'GET',
      host: HOST,
      path: '/admin/v1/users',
      params: {},
      date: DATE,
      sigVersion: 5,
    });
    expect(verifyRequest(raw({ query: '', headers: g.headers }), lookup, NOW)).toMatchObject({
      ok: true,
      version: 'v5',
    });
    const p = signRequest({
      ikey: IKEY,
      skey: SKEY,
      method: 'POST',
      host: HOST,
      path: '/accounts/v1/account/list',
      params: { a: 'x y' },
      date: DATE,
      sigVersion: 5,
      paramsMode: 'query',
    });
    expect(
      verifyRequest(
        raw({ method: 'POST', path: '/accounts/v1/account/list', query: 'a=x%20y', headers: p.headers }),
        lookup,
        NOW,
      ),
    ).toMatchObject({ ok: true, version: 'v5' });
  });

  it('rejects with the right codes', () => {
    const s = signRequest({
      ikey: IKEY,
      skey: SKEY,
      method: 'GET',
      host: HOST,
      path: '/admin/v1/users',
      params: {},
      date: DATE,
      sigVersion: 2,
    });
    const code = (r: ReturnType<typeof verifyRequest>): number | null => (r.ok ? null : r.error.duoCode);
    expect(code(verifyRequest(raw({ headers: { Date: DATE } }), lookup, NOW))).toBe(40101);
    expect(
      code(verifyRequest(raw({ headers: { ...s.headers, Authorization: 'Basic !!!' } }), lookup, NOW)),
    ).toBe(40101);
    expect(
      code(
        verifyRequest(
          raw({ headers: { ...s.headers, Authorization: basicAuthorization('DIUNKNOWN', 'ab') } }),
          lookup,
          NOW,
        ),
      ),
    ).toBe(40102);
    const noDate: Record<string, string> = { Authorization: s.headers['Authorization'] ?? '' };
    expect(code(verifyRequest(raw({ headers: noDate }), lookup, NOW))).toBe(40104);
    expect(code(verifyRequest(raw({ headers: { ...s.headers, Date: 'yesterday' } }), lookup, NOW))).toBe(
      40104,
    );
    // Bad signature, wrong host, wrong skey.
    expect(
      code(verifyRequest(raw({ host: 'api-other.duosecurity.com', headers: s.headers }), lookup, NOW)),
    ).toBe(40103);
    expect(code(verifyRequest(raw({ headers: s.headers }), () => 'other-secret', NOW))).toBe(40103);
    // Stale: 301 s off either way; 300 s still passes.
    expect(code(verifyRequest(raw({ headers: s.headers }), lookup, NOW + 301_000))).toBe(40103);
    expect(code(verifyRequest(raw({ headers: s.headers }), lookup, NOW - 301_000))).toBe(40103);
    expect(code(verifyRequest(raw({ headers: s.headers }), lookup, NOW + 300_000))).toBeNull();
  });

  it('splits Authorization on the first colon', () => {
    const header = 'Basic ' + Buffer.from('DIKEY:sig:with:colons').toString('base64');
    expect(parseAuthorization(header)).toEqual({ ikey: 'DIKEY', signature: 'sig:with:colons' });
  });
});
