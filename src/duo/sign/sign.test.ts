import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pythonJson, signRequest, formatDuoDate, parseDuoDate } from './index.js';

interface Vector {
  name: string;
  ikey: string;
  skey: string;
  method: string;
  host: string;
  path: string;
  date: string;
  sigVersion: 2 | 4 | 5;
  digest: 'sha512' | 'sha1';
  paramsMode: 'query' | 'form' | 'json';
  params: Record<string, unknown>;
  headers: Record<string, string>;
  expected: { authorization: string; canonical: string; body: string | null };
}

const vectors = (
  JSON.parse(readFileSync(new URL('./fixtures/duo-signing-vectors.json', import.meta.url), 'utf8')) as {
    vectors: Vector[];
  }
).vectors;

describe('signRequest against the official vectors', () => {
  it('has the vectors to check', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(17);
  });
  for (const v of vectors) {
    it(v.name, () => {
      const out = signRequest({
        ikey: v.ikey,
        skey: v.skey,
        method: v.method,
        host: v.host,
        path: v.path,
        date: v.date,
        sigVersion: v.sigVersion,
        digest: v.digest,
        paramsMode: v.paramsMode,
        params: v.params,
        headers: v.headers,
      });
      expect(out.canonical).toBe(v.expected.canonical);
      expect(out.authorization).toBe(v.expected.authorization);
      expect(out.body).toBe(v.expected.body);
    });
  }
});

describe('pythonJson', () => {
  it('sorts keys by code point and escapes like ensure_ascii', () => {
    expect(pythonJson({ b: 1, a: ['x', null, true], '\u{10000}': 1, '\uffff': 2 }, { compact: true })).toBe(
      '{"a":["x",null,true],"b":1,"\\uffff":2,"\\ud800\\udc00":1}',
    );
  });
  it('writes default separators for responses', () => {
    expect(pythonJson({ stat: 'OK', response: { a: [1, 2], b: {} } }, { compact: false })).toBe(
      '{"response": {"a": [1, 2], "b": {}}, "stat": "OK"}',
    );
  });
  it('formats floats as Python repr does', () => {
    expect(pythonJson([1.5, 1e-5, 1e16 + 0.5, 0.0001, 123456789012345680000], { compact: true })).toBe(
      '[1.5,1e-05,1e+16,0.0001,1.2345678901234568e+20]',
    );
  });
  it('escapes DEL and control characters', () => {
    expect(pythonJson('\u007f\u0001\n/', { compact: true })).toBe('"\\u007f\\u0001\\n/"');
  });
});

describe('Duo dates', () => {
  it('formats as Python formatdate', () => {
    expect(formatDuoDate(new Date(Date.UTC(2012, 7, 21, 17, 29, 18)))).toBe(
      'Tue, 21 Aug 2012 17:29:18 -0000',
    );
  });
  it('parses every offset form official clients send', () => {
    const t = Date.UTC(2012, 7, 21, 17, 29, 18);
    expect(parseDuoDate('Tue, 21 Aug 2012 17:29:18 -0000')).toBe(t);
    expect(parseDuoDate('Tue, 21 Aug 2012 17:29:18 GMT')).toBe(t);
    expect(parseDuoDate('Tue, 21 Aug 2012 19:29:18 +0200')).toBe(t);
    expect(parseDuoDate('yesterday')).toBeNull();
  });
});

describe('percent-encoding', () => {
  it('matches the byte-wise UTF-8 encoding for every printable ASCII character and beyond', async () => {
    const { percentEncode } = await import('./canon-params.js');
    for (let c = 0; c < 0x250; c++) {
      const ch = String.fromCharCode(c);
      const bytes = [...Buffer.from(ch, 'utf8')]
        .map((b) =>
          /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
            ? String.fromCharCode(b)
            : '%' + b.toString(16).toUpperCase().padStart(2, '0'),
        )
        .join('');
      expect(percentEncode(ch)).toBe(bytes);
    }
    expect(percentEncode('\u{1F600}')).toBe('%F0%9F%98%80');
    expect(percentEncode('a\ud800b')).toBe('a%EF%BF%BDb');
  });
});

describe('input checks', () => {
  const base = { ikey: 'DIX', skey: 's', host: 'api-x.duosecurity.com', path: '/p', date: 'd' };
  it('rejects version 3, sha1 beyond v2, non X-Duo headers and case duplicates', () => {
    expect(() => signRequest({ ...base, method: 'GET', sigVersion: 3 as 2 })).toThrow(/not supported/);
    expect(() => signRequest({ ...base, method: 'GET', sigVersion: 5, digest: 'sha1' })).toThrow(/sha1/);
    expect(() => signRequest({ ...base, method: 'GET', headers: { Foo: 'x' } })).toThrow(/X-Duo/);
    expect(() =>
      signRequest({ ...base, method: 'GET', headers: { 'X-Duo-A': '1', 'x-duo-a': '2' } }),
    ).toThrow(/repeated/);
  });
  it('chooses the Python defaults by method and version', () => {
    expect(signRequest({ ...base, method: 'post', params: { a: 1 } }).body).toBe('{"a":1}');
    expect(signRequest({ ...base, method: 'POST', sigVersion: 2, params: { a: 'b c' } }).form).toBe(
      'a=b%20c',
    );
    expect(signRequest({ ...base, method: 'GET', params: { a: [2, 1] } }).query).toBe('a=1&a=2');
  });
});
