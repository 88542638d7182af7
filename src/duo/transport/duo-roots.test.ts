import { X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { validateApiHostname } from './hostname.js';
import { DUO_PINNED_ROOTS, DUO_ROOTS_MISSING } from './duo-roots.js';
import { duoTransportOptionsFromEnv, parseResolveList } from './env-options.js';
import { bypassesProxy } from './proxy.js';
import { DuoDispatcher } from './dispatcher.js';

describe('pinned roots', () => {
  it('are exactly the 15 certificates the official Node client pins', () => {
    const bundle = (
      createRequire(import.meta.url)('@duosecurity/duo_api/lib/constants.js') as { DUO_PINNED_CERT: string }
    ).DUO_PINNED_CERT;
    const official = (
      bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []
    ).map((p) => new X509Certificate(p).fingerprint256);
    const ours = DUO_PINNED_ROOTS.map((p) => new X509Certificate(p).fingerprint256);
    expect(ours).toHaveLength(15);
    expect(DUO_ROOTS_MISSING).toEqual([]);
    expect([...ours].sort()).toEqual([...official].sort());
  });
});

describe('API hostname validation', () => {
  it('accepts an API hostname, lower-cased', () => {
    expect(validateApiHostname('API-1234ABCD.duosecurity.com')).toBe('api-1234abcd.duosecurity.com');
  });
  it.each([
    ['https://api-1234abcd.duosecurity.com', /scheme/],
    ['api-1234abcd.duosecurity.com/', /trailing slash/],
    ['api-1234abcd.duosecurity.com/admin', /path/],
    ['api-1234abcd.duosecurity.com:443', /port/],
    [' api-1234abcd.duosecurity.com', /whitespace/],
    ['admin-1234abcd.duosecurity.com', /Admin Panel/],
    ['api-1234abcd.duosecurity.com.evil.net', /\.duosecurity\.com/],
    ['evilduosecurity.com', /\.duosecurity\.com/],
    ['52.1.2.3', /IP address/],
    ['[::1]', /IP address/],
    ['', /empty/],
  ])('refuses %j naming the problem', (host, why) => {
    expect(() => validateApiHostname(host)).toThrow(why);
  });
  it('refuses before any request: building a client with a bad host throws', () => {
    expect(
      () =>
        new DuoDispatcher({ resolve: { 'https://api-x.duosecurity.com': { address: '1.2.3.4', port: 1 } } }),
    ).toThrow(/scheme/);
  });
});

describe('environment options', () => {
  it('reads the emulator override, CA file and private-address switch', () => {
    const opts = duoTransportOptionsFromEnv(
      {
        DUOWATCH_DUO_RESOLVE:
          'api-emu00001.duosecurity.com=127.0.0.1:8443, api-emu00002.duosecurity.com=[::1]:9443',
        DUOWATCH_DUO_CA_FILE: '/ca.pem',
        DUOWATCH_ALLOW_PRIVATE_ADDRESSES: 'true',
        HTTPS_PROXY: 'http://proxy.corp:3128',
        NO_PROXY: 'localhost,.internal',
      },
      (p) => (p === '/ca.pem' ? '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n' : ''),
    );
    expect(opts.resolve).toEqual({
      'api-emu00001.duosecurity.com': { address: '127.0.0.1', port: 8443 },
      'api-emu00002.duosecurity.com': { address: '::1', port: 9443 },
    });
    expect(opts.allowPrivateAddresses).toBe(true);
    expect(opts.extraCaPem).toHaveLength(1);
    expect(opts.proxy).toEqual({ url: 'http://proxy.corp:3128', noProxy: ['localhost', '.internal'] });
  });
  it('rejects malformed entries with a clear error', () => {
    expect(() => parseResolveList('api-x.duosecurity.com:443')).toThrow(/hostname=address:port/);
    expect(() => duoTransportOptionsFromEnv({ DUOWATCH_ALLOW_PRIVATE_ADDRESSES: 'yes' })).toThrow(
      /true or false/,
    );
    expect(() => duoTransportOptionsFromEnv({ DUOWATCH_DUO_CA_FILE: '/x' }, () => 'nope')).toThrow(/no PEM/);
  });
  it('matches NO_PROXY entries by suffix', () => {
    expect(bypassesProxy('api-x.duosecurity.com', ['duosecurity.com'])).toBe(true);
    expect(bypassesProxy('api-x.duosecurity.com', ['.duosecurity.com'])).toBe(true);
    expect(bypassesProxy('api-x.duosecurity.com', ['*'])).toBe(true);
    expect(bypassesProxy('api-x.duosecurity.com', ['security.com', 'example.org'])).toBe(false);
  });
});
