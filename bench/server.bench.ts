import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Registry } from 'prom-client';
import { hashPassword } from '../src/accounts/index.js';
import { createServerApp, createLogger, listen } from '../src/server/index.js';
import { createServices, DuoClients } from '../src/services/index.js';
import type { SignalRecord } from '../src/shared/index.js';
import { openStore } from '../src/store/index.js';

/**
 * Server benchmark (docs/server.md): p95 latency of the main pages and API calls with 100 organizations and a year
 * of evidence history (one record per core signal per day: 182,500 records), under concurrent load from
 * autocannon on 127.0.0.1. The REAL stack below the HTTP layer: the lead's services over the SQLite store;
 * Duo is never called (reads only). Target: p95 < 100 ms. BENCH_SECONDS bounds each scenario (default 4).
 */
const ORGS = 100;
const DAYS = 365;
const DAY = 86_400_000;
const SIGNALS = [
  'mfa_enrollment',
  'global_policy',
  'admin_inventory',
  'account_settings',
  'auth_log_aggregate',
];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = 10;

function record(orgId: string, signalId: string, day: number, now: number): SignalRecord {
  const at = new Date(now - (DAYS - day) * DAY);
  const wobble = (day * 7 + signalId.length) % 10;
  return {
    orgId,
    integrationId: null,
    id: signalId,
    status: wobble > 8 ? 'fail' : wobble > 6 ? 'warning' : 'pass',
    metrics:
      signalId === 'mfa_enrollment'
        ? {
            total: 500,
            enrolled: 480 - wobble,
            enrollmentSharePct: 96 - wobble / 5,
            bypassCount: wobble % 3,
            bypassMembers: [{ username: 'u1', realname: null }],
          }
        : {
            total: 1000 + wobble,
            failureRatePct: wobble,
            factors: { duo_push: 700, webauthn_credential: 300 },
          },
    controls: { names: ['Logical access'], soc2: ['CC6.1'], iso27001: ['A.5.17'], nist80053: ['IA-2'] },
    truncated: false,
    notes: [],
    extended: false,
    runId: null,
    startedAt: new Date(at.getTime() - 900).toISOString(),
    finishedAt: at.toISOString(),
  };
}

export default async function run(): Promise<
  Array<{ name: string; value: number; unit: string; note?: string }>
> {
  const dir = await mkdtemp(join(tmpdir(), 'duowatch-server-bench-'));
  const store = await openStore({ dataDir: dir, env: {} });
  const clients = new DuoClients({ transport: {} });
  const services = createServices({ store, clients });
  const rows: Array<{
    name: string;
    value: number;
    unit: string;
    note?: string;
    target?: { op: '<'; value: number };
  }> = [];
  try {
    const now = Date.now();
    const seedStart = performance.now();
    for (let i = 0; i < ORGS; i += 1) {
      const org = await store.organizations.create({
        slug: `org-${String(i).padStart(3, '0')}`,
        name: `Organization ${i}`,
      });
      const records: SignalRecord[] = [];
      for (let day = 0; day < DAYS; day += 1)
        for (const s of SIGNALS) records.push(record(org.id, s, day, now));
      await store.evidence.insertMany(records);
    }
    const seedMs = performance.now() - seedStart;
    // The benchmark's own operator; the production default scrypt cost, since login is measured only once.
    const op = await store.operators.create({
      username: 'bench',
      passwordHash: await hashPassword('bench passphrase 1'),
      superadmin: true,
    });
    void op;
    const app = createServerApp({
      services,
      store,
      metrics: new Registry(),
      logger: createLogger({ level: 'warn' }),
    });
    const server = await listen(app, { host: '127.0.0.1', port: 0 });
    try {
      const login = await fetch(`${server.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bench', password: 'bench passphrase 1' }),
      });
      if (login.status !== 200) throw new Error(`bench login failed: ${login.status}`);
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const year = new Date(now - DAYS * DAY).toISOString();
      const scenarios: Array<[string, string]> = [
        ['dashboard page GET /', '/'],
        ['dashboard script GET /org.js', '/org.js'],
        ['GET /api/v1/orgs (100 orgs, worst status each)', '/api/v1/orgs'],
        ['GET /api/v1/orgs/:org/evidence (latest)', '/api/v1/orgs/org-042/evidence'],
        ['GET history, 30 days (default)', '/api/v1/orgs/org-042/evidence/mfa_enrollment/history'],
        [
          'GET history, 365 days',
          `/api/v1/orgs/org-042/evidence/auth_log_aggregate/history?from=${encodeURIComponent(year)}`,
        ],
        ['GET /api/v1/orgs/:org/runs', '/api/v1/orgs/org-042/runs'],
      ];
      for (const [name, path] of scenarios) {
        const result = await new Promise<autocannon.Result>((resolve, reject) => {
          autocannon(
            // One worker thread: the load generator gets its own event loop, not the server's.
            {
              url: server.url + path,
              connections: CONNECTIONS,
              duration: SECONDS,
              headers: { cookie },
              workers: 1,
            },
            (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
          );
        });
        rows.push({
          // autocannon's histogram has no p95 bucket; p97.5 is reported as a conservative upper bound of it.
          name: `p97.5 (≥ p95) ${name}`,
          value: result.latency.p97_5,
          unit: 'ms',
          note: `${CONNECTIONS} connections × ${SECONDS} s: ${result.requests.total} requests, ${result.requests.average} req/s, p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms${result.non2xx ? `, ${result.non2xx} non-2xx` : ''}`,
          target: { op: '<', value: 100 },
        });
      }
      rows.push({
        name: 'seed: 100 orgs × 5 signals × 365 days',
        value: seedMs / 1000,
        unit: 's',
        note: `${ORGS * DAYS * SIGNALS.length} evidence records, SQLite`,
      });
    } finally {
      await server.close();
    }
  } finally {
    await clients.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
