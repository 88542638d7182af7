import { DuoApiError, type DuoClient } from '../duo/index.js';
import type { IntegrationKind } from '../shared/index.js';
import { connectionProbe } from './connection-probe.js';
import { fixFor, SKEW_FAIL_MS, SKEW_WARN_MS, testConnection, type Clock } from './test-connection.js';
import type { TestCheck, TestReport } from './types.js';

/**
 * Test before Save for every kind of integration. Admin applications get the full report (clock,
 * signature, one check per grant the evidence signals need). The other kinds get ping (server time and skew)
 * and the one signed call that proves their key, secret and application type: Auth API `/auth/v2/check`,
 * Device API the management system's cache list (which also proves the mkey), Accounts API the child list.
 */
export async function testIntegration(
  client: DuoClient,
  kind: IntegrationKind,
  opts: { clock?: Clock; signal?: AbortSignal; mkey?: string | null } = {},
): Promise<TestReport> {
  if (kind === 'admin') {
    return testConnection(connectionProbe(client), {
      ...(opts.clock === undefined ? {} : { clock: opts.clock }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
  }
  const sig = opts.signal === undefined ? {} : { signal: opts.signal };
  const checks: TestCheck[] = [];
  let clockSkewMs: number | null = null;
  let serverTime: string | null = null;
  let latencyMs: number | null = null;
  try {
    const ping = await client.auth.ping(sig);
    clockSkewMs = ping.clockSkewMs ?? null;
    latencyMs = ping.latencyMs;
    serverTime = new Date(ping.time * 1000).toISOString();
    const abs = Math.abs(clockSkewMs ?? 0);
    checks.push({
      id: 'clock',
      label: 'Server time and clock skew',
      status: abs > SKEW_FAIL_MS ? 'fail' : abs > SKEW_WARN_MS ? 'warn' : 'pass',
      message: `Duo's clock is ${serverTime}; skew ${(abs / 1000).toFixed(1)} s.`,
    });
  } catch (error) {
    checks.push(failed('reachability', 'Reach the API hostname', error));
  }
  if (checks.every((c) => c.status !== 'fail')) {
    try {
      if (kind === 'auth') await client.auth.check(sig);
      else if (kind === 'accounts') await client.accounts.list(sig);
      else await client.device.listCaches(opts.mkey ?? '', sig);
      checks.push({
        id: 'signature',
        label: 'Keys and signature accepted',
        status: 'pass',
        message: 'Duo accepted a signed request.',
      });
    } catch (error) {
      checks.push(failed('signature', 'Keys and signature accepted', error));
    }
  }
  return { ok: checks.every((c) => c.status !== 'fail'), checks, clockSkewMs, serverTime, latencyMs };
}

function failed(id: string, label: string, error: unknown): TestCheck {
  const code = error instanceof DuoApiError ? error.duoCode : undefined;
  const message = error instanceof Error ? error.message : 'unknown error';
  return {
    id,
    label,
    status: 'fail',
    ...(code === undefined ? {} : { code }),
    message,
    fix: fixFor(code),
  };
}
