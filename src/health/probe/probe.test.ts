import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator, type TenantCredentials } from '../../emulator/index.js';
import type { DuoTransportOptions } from '../../duo/index.js';
import { PhaseObserver } from './phase-observer.js';
import { probeIntegration } from './probe-integration.js';
import { toScripted, type ProbeTarget } from './probe-types.js';

// The probe against the emulator over real TLS, through the same guarded transport as every Duo request.
let emulator: Emulator;
let listening: Awaited<ReturnType<Emulator['listen']>>;
let creds: TenantCredentials;
let dir: string;
let transport: DuoTransportOptions;
const observer = new PhaseObserver();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duowatch-probe-'));
  emulator = await createEmulator({ seed: 'probe-test', users: 10, rateLimit: false });
  listening = await emulator.listen({ tlsDir: join(dir, 'tls') });
  const first = emulator.credentials()[0];
  if (first === undefined) throw new Error('no tenant');
  creds = first;
  transport = {
    resolve: { [creds.hostname]: { address: listening.address, port: listening.port } },
    extraCaPem: [readFileSync(listening.caFile, 'utf8')],
    allowPrivateAddresses: true,
  };
});

afterEach(() => {
  emulator.control.clearFaults();
  emulator.control.setOffset(0);
});

afterAll(async () => {
  observer.close();
  await listening.close();
  rmSync(dir, { recursive: true, force: true });
});

function target(
  kind: 'auth' | 'admin' | 'device' | 'accounts',
  over: Partial<ProbeTarget> = {},
): ProbeTarget {
  const app = creds[kind];
  return {
    orgId: 'o1',
    integrationId: `i-${kind}`,
    kind,
    apiHost: creds.hostname,
    mkey: kind === 'device' ? creds.device.mkey : null,
    ikey: app.ikey,
    skey: app.skey,
    ...over,
  };
}

describe('probeIntegration', () => {
  it('passes for every integration kind, with every phase measured on a fresh TLS connection', async () => {
    for (const kind of ['auth', 'admin', 'device', 'accounts'] as const) {
      const o = await probeIntegration(target(kind), { transport, observer });
      expect(o.reason).toBe('ok');
      expect(o.healthy).toBe(true);
      expect(o.signed).toMatchObject({ ok: true, httpStatus: 200, stat: 'OK', code: null });
      const p = o.signed.phases;
      // Pinned host: no lookup happens, so dns is 0; the rest are real event times.
      expect(p.dns).toBe(0);
      for (const v of [p.connect, p.tls, p.ttfb, p.total]) expect(v).toBeGreaterThan(0);
      expect((p.connect ?? 0) + (p.tls ?? 0) + (p.ttfb ?? 0)).toBeLessThanOrEqual(p.total ?? 0);
      expect(Math.abs(o.clockSkewS ?? 99)).toBeLessThan(2);
    }
  });

  it('reports a wrong secret key as ping ok, signed failing, not healthy', async () => {
    const o = await probeIntegration(target('auth', { skey: 'x'.repeat(40) }), { transport, observer });
    expect(o.ping.ok).toBe(true);
    expect(o.signed).toMatchObject({ ok: false, httpStatus: 401, code: 40103 });
    expect(o.healthy).toBe(false);
    expect(o.reason).toMatch(/^ping answers but the signed GET \/auth\/v2\/check failed/);
    expect(JSON.stringify(o)).not.toContain('x'.repeat(40));
  });

  it('times a DNS lookup through the guard, and reports a lookup failure', async () => {
    const lookups: string[] = [];
    const withDns: DuoTransportOptions = {
      ...transport,
      resolve: {},
      resolver: async (host) => {
        lookups.push(host);
        await new Promise((r) => setTimeout(r, 5));
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      },
    };
    const o = await probeIntegration(target('auth'), { transport: withDns, observer });
    expect(lookups).toEqual([creds.hostname, creds.hostname]);
    expect(o.healthy).toBe(false);
    expect(o.ping.ok).toBe(false);
    expect(o.signed).toMatchObject({ ok: false, errorKind: 'network', code: null });
    expect(o.signed.phases.dns).toBeGreaterThanOrEqual(4);
    expect(o.signed.phases.connect).toBeNull();
    expect(o.reason).toMatch(/^unreachable: network.*ENOTFOUND/);
  });

  it('reports a 5xx, a hang (timeout) and a TLS failure as unhealthy with their cause', async () => {
    const fault = emulator.control.addFault({ kind: 'error', path: '/auth/v2/check', status: 503 });
    let o = await probeIntegration(target('auth'), { transport, observer });
    expect(o.signed).toMatchObject({ ok: false, httpStatus: 503, code: 50001 });
    expect(o.ping.ok).toBe(true);
    emulator.control.removeFault(fault.id);

    emulator.control.addFault({ kind: 'hang' });
    o = await probeIntegration(target('auth'), { transport, observer, timeoutMs: 300 });
    expect(o.signed).toMatchObject({ ok: false, errorKind: 'timeout' });
    expect(o.ping).toMatchObject({ ok: false, errorKind: 'timeout' });
    expect(o.signed.ms).toBeGreaterThanOrEqual(290);
    expect(o.signed.phases.tls).toBeGreaterThan(0);
    expect(o.signed.phases.ttfb).toBeNull();
    emulator.control.clearFaults();

    const untrusted = { ...transport, extraCaPem: [] };
    o = await probeIntegration(target('auth'), { transport: untrusted, observer });
    expect(o.healthy).toBe(false);
    expect(o.signed.message).toMatch(/TLS verification failed/);
    expect(o.signed.phases.connect).toBeGreaterThan(0);
    expect(o.signed.phases.tls).toBeNull();
  });

  it("measures clock skew from the server time, and fails the signed check beyond Duo's window", async () => {
    emulator.control.setOffset(45_000);
    let o = await probeIntegration(target('auth'), { transport, observer });
    expect(o.clockSkewS).toBeGreaterThan(43);
    expect(o.clockSkewS).toBeLessThan(47);
    expect(o.healthy).toBe(true);
    expect(o.reason).toMatch(/clock differs from Duo's by 4\d(\.\d)? s/);
    emulator.control.setOffset(-900_000);
    o = await probeIntegration(target('auth'), { transport, observer });
    expect(o.clockSkewS).toBeLessThan(-898);
    expect(o.signed.ok).toBe(false);
    expect(o.healthy).toBe(false);
  });

  it('prints exactly the scripted keys', async () => {
    const o = toScripted(await probeIntegration(target('admin'), { transport, observer }));
    expect(Object.keys(o)).toEqual([
      'integration',
      'kind',
      'ping',
      'signed',
      'phases_ms',
      'clock_skew_s',
      'healthy',
      'reason',
    ]);
    expect(Object.keys(o.ping)).toEqual(['ok', 'ms']);
    expect(Object.keys(o.signed)).toEqual(['ok', 'code', 'ms']);
    expect(Object.keys(o.phases_ms)).toEqual(['dns', 'connect', 'tls', 'ttfb', 'total']);
  });
});
