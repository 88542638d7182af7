import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { CollectedEvent } from '../src/app/index.js';
import { createEngine, type Detection } from '../src/detect/engine.js';
import { MIX_NOW, MIX_SEED, tenantEvents } from '../src/detect/bench-mix.test-helpers.js';
import { toLine } from '../src/detect/emulator-events.test-helpers.js';
import { foldDetections } from '../src/detect/fold.js';
import { toNewAlert } from '../src/detect/live.js';
import { alertOutbox } from '../src/alerts/outbox.js';
import { alertRepository } from '../src/alerts/alerts.repository.js';
import { testStore } from '../src/alerts/test-store.test-helpers.js';
import { openGeo, type GeoLookup } from '../src/detect/geo.js';
import { parseCollectedLine } from '../src/detect/replay.js';
import { catalogue } from '../src/detect/rules/index.js';
import { vpnEgressNetwork } from '../src/emulator/world/index.js';
import { median, runEngine, timedOnce } from './detect-throughput.js';
import type { BenchRow } from './run.js';

/**
 * Detections (docs/detect.md "Numbers"):
 * 1. throughput over a realistic mix from the emulator (1,000 users × 30 days, scenario-free baseline plus
 *    every attack scenario), all rules on with the offline GeoIP database; parse-only cost of the same lines in
 *    the same run; in a process of its own (detect-throughput.ts);
 * 2. false positives per rule on the scenario-free 30 days (target 0 for high and critical);
 * 3. peak RSS for 100k users × 30 days of synthetic logins, in its own process (BENCH_SCALE scales the users).
 * 4. storing the mix's detections as alerts in SQLite, as `serve` does: one transaction per detection (how
 *    `serve` raised them before) against one per batch (`raiseMany`), the same alerts either way.
 * 5. the same engine over the same number of events from ten 100-user tenants (each its own engine) and from one
 *    1,000-user tenant: how much the engine slows as its per-user state grows (likely the CPU cache).
 * DETECT_BENCH_ONLY=fp runs part 2 alone (a rule change's false positives in seconds), =throughput part 1 alone,
 * =alerts part 4 alone, =size part 5 alone, =state part 3 alone.
 */
const DAY = 86_400_000;
const NOW = MIX_NOW;
const scale = Number(process.env['BENCH_SCALE'] ?? '1');
const SEED = MIX_SEED;
const only = process.env['DETECT_BENCH_ONLY'];
const HEAP_CAP_MB = 300;

/** The state part in its own process: its peak RSS is the engine's alone. */
interface StateResult {
  events: number;
  peakRssMb: number;
  retainedHeapMb: number;
  entities: number;
  evicted: number;
}

/**
 * A part in a process of its own, as a deployment runs the engine: plain JavaScript under `node`, not under the
 * `tsx` loader (which holds about 37 MB of its own). Bundled next to the results, where `node_modules` resolves
 * as from `bench/`. Returns the child's last line of output, parsed.
 */
async function runChild(
  name: string,
  args: readonly string[],
  nodeArgs: readonly string[] = [],
): Promise<unknown> {
  const outfile = fileURLToPath(new URL(`./results/${name}.child.mjs`, import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL(`./${name}.child.ts`, import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, outfile, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${name} child exited with ${String(code)}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as unknown);
    });
  });
}

const stateChild = async (users: number): Promise<StateResult> =>
  // A deployment caps the heap; V8 then collects before growing, so peak RSS follows what is held.
  (await runChild(
    'detect-state',
    [String(users)],
    [`--max-old-space-size=${HEAP_CAP_MB}`, '--expose-gc'],
  )) as StateResult;

export default async function detectBench(): Promise<BenchRow[]> {
  const geo = await openGeo();
  const vpn = vpnEgressNetwork(SEED).cidr;
  // Each part in its own function, so one part's events are garbage before the next is measured (130k events
  // of the false-positive baseline kept alive made every collection of the throughput part mark them).
  const rows: BenchRow[] = [];
  if (only === 'size') return tenantSizeRows(geo);
  if (only === 'state') return stateRows();
  if (only !== 'throughput' && only !== 'alerts') rows.push(...(await falsePositiveRows(geo, vpn)));
  if (only === 'fp') return rows;
  if (only !== 'alerts') rows.push(...((await runChild('detect-throughput', [])) as BenchRow[]));
  if (only === 'throughput') return rows;
  rows.push(...(await raiseRows(geo, vpn)));
  if (only === 'alerts') return rows;
  rows.push(...(await stateRows()));
  rows.push(...(await tenantSizeRows(geo)));
  return rows;
}

async function falsePositiveRows(geo: GeoLookup, vpn: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // 2. False positives on the scenario-free baseline: 37 days, the first 7 only teach the baselines (a new
  //    deployment's first collection backfills history the same way), alerts counted over the last 30. The
  //    configuration is what the deployment would have: its VPN egress in trustedNetworks.
  const WARM_DAYS = 7;
  const baseline = tenantEvents(false, 30 + WARM_DAYS);
  const countFrom = NOW - 30 * DAY;
  const fpRun = async (trusted: string[]) => {
    const config = { enabled: true, rules: {}, allow: { trustedNetworks: trusted }, orgs: {} };
    const detections = await createEngine({ geo, config }).process(baseline);
    return foldDetections(detections.filter((d) => d.ts >= countFrom));
  };
  const fp = await fpRun([vpn]);
  for (const rule of catalogue) {
    const mine = fp.filter((a) => a.rule === rule.id);
    // A rule may raise some alerts below its header's severity (a bypass in a company travel destination is
    // medium): the target is on the alerts actually raised at high or critical.
    const bySeverity = new Map<string, number>();
    for (const a of mine) bySeverity.set(a.severity, (bySeverity.get(a.severity) ?? 0) + 1);
    const severe = (bySeverity.get('high') ?? 0) + (bySeverity.get('critical') ?? 0);
    const high = rule.severity === 'high' || rule.severity === 'critical';
    rows.push({
      name: `false positives ${rule.id} (${rule.severity})${high ? ' at high/critical' : ''}`,
      value: high ? severe : mine.length,
      unit: 'alerts / 30 days, 1,000 users',
      higherIsBetter: false,
      ...(high ? { target: { op: '<' as const, value: 1 } } : {}),
      ...(mine.length > 0
        ? { note: `all alerts by severity: ${[...bySeverity].map(([k, n]) => `${k} ${n}`).join(', ')}` }
        : {}),
    });
  }
  const noVpn = (await fpRun([])).filter((a) => a.rule === 'duo.impossible_travel').length;
  rows.push({
    name: 'false positives duo.impossible_travel (high) without the VPN egress trusted',
    value: noVpn,
    unit: 'alerts / 30 days, 1,000 users',
    higherIsBetter: false,
    note: `travellers on the VPN (${vpn}) seem to jump home and back; the deployment lists its egress`,
  });

  return rows;
}

/**
 * 5. Tenant size. The same engine, all rules, over about the same number of events (scenario-free, 30 days,
 *    parsed beforehand, one engine per tenant per round, as in part 1): ten 100-user tenants one after another,
 *    then one 1,000-user tenant, alternating, median of five rounds each. The events cost the same to read either
 *    way; what differs is how much per-user and per-organization state the engine walks between two events of
 *    the same user (docs/detect.md "Throughput, fifth pass").
 */
async function tenantSizeRows(geo: GeoLookup): Promise<BenchRow[]> {
  const parse = (events: readonly CollectedEvent[]) =>
    events.map(toLine).map((l, i) => parseCollectedLine(l, i + 1));
  const small = Array.from({ length: 10 }, (_, k) => parse(tenantEvents(false, 30, 100, `bench-small-${k}`)));
  const large = [parse(tenantEvents(false, 30, 1000, 'bench-large'))];
  const config = { enabled: true, rules: {}, allow: {}, orgs: {} };
  const count = (ts: readonly (readonly CollectedEvent[])[]) => ts.reduce((n, t) => n + t.length, 0);
  // One engine per tenant, one after another, timed together.
  const round = (tenants: readonly (readonly CollectedEvent[])[]): Promise<number> =>
    timedOnce(async () => {
      for (const events of tenants) await runEngine(geo, config, events);
    }, count(tenants));
  for (let w = 0; w < 2; w++) {
    await round(small);
    await round(large);
  }
  const rates = { small: [] as number[], large: [] as number[] };
  for (let r = 0; r < 5; r++) {
    rates.small.push(await round(small));
    rates.large.push(await round(large));
  }
  const note = `scenario-free, 30 days, all ${catalogue.length} rules, median of 5 alternating rounds`;
  return [
    {
      name: 'all rules, ten 100-user tenants',
      value: Math.round(median(rates.small)),
      unit: 'events per CPU-second',
      higherIsBetter: true,
      note: `${count(small).toLocaleString('en')} events; ${note}`,
    },
    {
      name: 'all rules, one 1,000-user tenant',
      value: Math.round(median(rates.large)),
      unit: 'events per CPU-second',
      higherIsBetter: true,
      baseline: { name: 'ten 100-user tenants', value: Math.round(median(rates.small)) },
      note: `${count(large).toLocaleString('en')} events; ${note}`,
    },
  ];
}

async function stateRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // 3. Bounded state, in its own process.
  const users = Math.round(100_000 * scale);
  const state = await stateChild(users);
  rows.push({
    name: `peak RSS, ${users.toLocaleString('en')} users × 30 days (${state.events.toLocaleString('en')} events)`,
    value: state.peakRssMb,
    unit: 'MB',
    higherIsBetter: false,
    target: { op: '<', value: 400 },
    note: `own process (bundled JS under node, no tsx), V8 heap capped at ${HEAP_CAP_MB} MB; baselines serialized as for the database (another process) and not kept; ${state.entities} entities held, ${state.evicted} evicted`,
  });
  rows.push({
    name: `engine state after a full GC, ${users.toLocaleString('en')} users`,
    value: state.retainedHeapMb,
    unit: 'MB heap',
    higherIsBetter: false,
    note: `${Math.round((state.retainedHeapMb * 1024) / Math.max(users, 1))} KB per user (includes ~6 MB of the process's own heap)`,
  });
  return rows;
}

async function raiseRows(geo: GeoLookup, vpn: string): Promise<BenchRow[]> {
  // 4. What `serve` does with a batch's detections: the engine's output for the mix (1,000-event batches, as the
  //    collector publishes them) stored as alerts in a real SQLite file, each detection in its own transaction
  //    (the earlier way) and each batch in one (`raiseMany`). Same alerts, counts and final states either way
  //    (src/alerts/raise-many.test.ts); only the cost and the number of outbox changes differ.
  const events = tenantEvents(true, 30);
  const config = { enabled: true, rules: {}, allow: { trustedNetworks: [vpn] }, orgs: {} };
  const engine = createEngine({ geo, config });
  const batches: Detection[][] = [];
  for (let i = 0; i < events.length; i += 1000) batches.push(await engine.process(events.slice(i, i + 1000)));
  const detections = batches.reduce((n, b) => n + b.length, 0);
  // Every rule firing (a digest's firings in one batch are one detection, with their count).
  const firings = batches.reduce((n, b) => n + b.reduce((k, d) => k + d.count, 0), 0);
  const load0 = loadavg()[0] ?? 0;
  const run = async (mode: 'one' | 'batch') => {
    const env = await testStore();
    try {
      const repo = alertRepository(env.store);
      const request = (d: Detection) => ({
        alert: { ...toNewAlert(d), orgId: env.acme },
        suppressForMs: d.suppressionMs,
      });
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (const batch of batches)
        if (mode === 'one') for (const d of batch) await repo.raise(request(d).alert, request(d));
        else await repo.raiseMany(batch.map(request));
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const changes = (await alertOutbox(env.store).read(env.acme, 0, 1_000_000)).length;
      const alerts = (await repo.list(env.acme, { limit: 1000 })).length;
      return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, changes, alerts };
    } finally {
      await env.close();
    }
  };
  const one = await run('one');
  const batch = await run('batch');
  const load = `load average ${load0.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}`;
  const rate = (r: { wallMs: number }) => Math.round(firings / (r.wallMs / 1000));
  return [
    {
      name: 'store the mix’s detections as alerts (SQLite file), one transaction per batch',
      value: rate(batch),
      unit: 'rule firings/s (wall clock)',
      higherIsBetter: true,
      baseline: { name: 'one transaction per detection', value: rate(one) },
      note: `${firings} firings as ${detections} detections in ${batches.length} batches → ${batch.alerts} alerts (${one.alerts} one by one); outbox changes ${batch.changes} (${one.changes} one by one); CPU ${Math.round(batch.cpuMs)} ms vs ${Math.round(one.cpuMs)} ms; ${load}`,
    },
  ];
}
