/**
 * Availability probing at scale (docs/benchmarks.md): 1 000 Auth API integrations probed each minute from one process
 * (ping + signed /auth/v2/check, each on a fresh TLS connection, every result recorded in SQLite: state row,
 * three buckets, the stored probe history; the maintenance-window lookup). Measures CPU and memory per probe and the scheduling jitter (start minus scheduled time).
 * The emulator runs in a child process with Duo's rate limits OFF. HEALTH_BENCH_SECONDS (default 60) sets
 * the run length; integrations are spread over the minute by their offsets, so 60 s is one full cycle.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { capabilityMigrations } from '../src/app/index.js';
import { HEALTH_DEFAULTS } from '../src/health/config-schema.js';
import { probeLeaseTtlMs } from '../src/health/monitor/probe-lease.js';
import { HealthMonitor } from '../src/health/monitor/monitor.js';
import { startProbeLoop } from '../src/health/monitor/probe-loop.js';
import { RecentProbes } from '../src/health/monitor/recent-probes.js';
import { allSubjects } from '../src/health/probe/probe-targets.js';
import { openStore } from '../src/store/index.js';
import type { BenchRow } from './run.js';
import { raiserOf } from '../src/app/index.js';

const INTEGRATIONS = 1000;

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
}

export default async function run(): Promise<BenchRow[]> {
  const seconds = Number(process.env['HEALTH_BENCH_SECONDS'] ?? '60');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./health-emulator.child.ts', import.meta.url))],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('error', reject);
  });
  const emu = JSON.parse(line) as {
    host: string;
    address: string;
    port: number;
    caFile: string;
    ikey: string;
    skey: string;
  };
  const dir = mkdtempSync(join(tmpdir(), 'duowatch-health-bench-'));
  const store = await openStore({ dataDir: dir, env: {}, migrations: capabilityMigrations });
  try {
    const org = await store.organizations.create({ slug: 'bench', name: 'Bench' });
    for (let i = 0; i < INTEGRATIONS; i++)
      await store.integrations.create(org.id, {
        kind: 'auth',
        apiHost: emu.host,
        ikey: emu.ikey,
        skey: emu.skey,
        label: `auth-${String(i)}`,
      });
    const monitor = new HealthMonitor({
      store,
      config: { ...HEALTH_DEFAULTS },
      transport: {
        resolve: { [emu.host]: { address: emu.address, port: emu.port } },
        extraCaPem: [readFileSync(emu.caFile, 'utf8')],
        allowPrivateAddresses: true,
      },
      alerts: raiserOf(() => Promise.resolve()),
    });
    let finished = 0;
    let finishedInWindow = 0;
    let healthy = 0;
    const durations: number[] = [];
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let rssPeak = rss0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 250);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const windowEnd = t0 + seconds * 1000;
    const ttl = probeLeaseTtlMs(HEALTH_DEFAULTS);
    const recent = new RecentProbes(store);
    loopDelay.enable();
    // As `serve` runs it: the lease claim before each probe (one upsert on SQLite), then probe and record.
    const loop = startProbeLoop({
      subjects: () => allSubjects(store),
      intervalMs: 60_000,
      concurrency: HEALTH_DEFAULTS.concurrency,
      claim: (s) => monitor.repo.claimProbe(s.integrationId, 'bench', Date.now(), ttl),
      probe: async (s) => {
        const started = performance.now();
        const o = await monitor.probe(s);
        // As `serve` does: the probe's phases into the stored history (the dashboard's phase chart).
        if (o !== undefined)
          await recent.add(o, (await monitor.repo.state(s.integrationId))?.state ?? 'PENDING');
        const ended = performance.now();
        durations.push(ended - started);
        finished += 1;
        if (ended <= windowEnd) finishedInWindow += 1;
        if (o?.healthy === true) healthy += 1;
      },
    });
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const stats = loop.stats();
    await loop.stop();
    loopDelay.disable();
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    monitor.close();
    const jitter = loop.jitterSamples();
    const lateness = loop.latenessSamples();
    const cpuMsPerProbe = (cpu.user + cpu.system) / 1000 / Math.max(1, finished);
    const note = `${String(finished)} probes (${String(healthy)} healthy), ${String(finishedInWindow)} finished inside the ${String(seconds)} s window; ${String(INTEGRATIONS)} integrations, interval 60 s, concurrency ${String(HEALTH_DEFAULTS.concurrency)}, emulator in a child process, rate limits off, SQLite`;
    return [
      {
        name: 'health: probes completed per minute (inside the window)',
        value: Math.round((finishedInWindow / seconds) * 60),
        unit: 'probes/min',
        note,
        higherIsBetter: true,
        target: { op: '>', value: seconds >= 60 ? 0.97 * INTEGRATIONS : 0 },
      },
      {
        name: 'health: slots skipped (missed under overload + overlapped)',
        value: stats.missed + stats.overlapped,
        unit: 'slots',
        note: `missed ${String(stats.missed)}, overlapped ${String(stats.overlapped)}, started ${String(stats.started)}`,
      },
      { name: 'health: probe duration p50', value: Math.round(quantile(durations, 0.5)), unit: 'ms' },
      { name: 'health: probe duration p99', value: Math.round(quantile(durations, 0.99)), unit: 'ms' },
      {
        name: 'health: CPU per probe (ping + signed check + record)',
        value: Math.round(cpuMsPerProbe * 100) / 100,
        unit: 'ms',
        note: 'user + system CPU of the probing process / probes',
      },
      {
        name: 'health: CPU share of one core while probing',
        value: Math.round(((cpu.user + cpu.system) / 1e6 / wallS) * 1000) / 10,
        unit: '%',
      },
      {
        name: 'health: RSS growth over the run (peak − start)',
        value: Math.round((rssPeak - rss0) / 1024 / 1024),
        unit: 'MiB',
      },
      {
        name: 'health: RSS growth per in-flight probe',
        value: Math.round(((rssPeak - rss0) / 1024 / HEALTH_DEFAULTS.concurrency) * 10) / 10,
        unit: 'KiB',
        note: 'peak growth / concurrency',
      },
      {
        name: 'health: timer lateness p99 (slot noticed − slot)',
        value: Math.round(quantile(lateness, 0.99)),
        unit: 'ms',
      },
      {
        name: 'health: event-loop delay p99',
        value: Math.round(loopDelay.percentile(99) / 1e6),
        unit: 'ms',
        note: 'perf_hooks monitorEventLoopDelay over the run',
      },
      { name: 'health: scheduling jitter p50', value: Math.round(quantile(jitter, 0.5)), unit: 'ms' },
      {
        name: 'health: scheduling jitter p99 (probe start − slot)',
        value: Math.round(quantile(jitter, 0.99)),
        unit: 'ms',
        target: { op: '<', value: 1000 },
      },
      { name: 'health: scheduling jitter max', value: Math.round(quantile(jitter, 1)), unit: 'ms' },
    ];
  } finally {
    await store.close();
    child.stdin?.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
