import type { CliIo } from '../../../cli/index.js';
import { withRuntime } from '../../../cli/runtime.js';
import { HealthError } from '../../errors.js';
import { SecureContexts } from '../../probe/secure-contexts.js';
import { PhaseObserver } from '../../probe/phase-observer.js';
import { probeIntegration } from '../../probe/probe-integration.js';
import { mapBounded, resolveOrg, subjectsOf, targetOf } from '../../probe/probe-targets.js';
import { toScripted, type ProbeOutcome } from '../../probe/probe-types.js';
import { healthStatus } from '../../monitor/status.js';
import { healthRepository } from '../../store/health-repository.js';
import type { ProbeCommandOptions, StatusCommandOptions } from './command.js';

const fmt = (ms: number | null): string => (ms === null ? '-' : ms.toFixed(1));

function printTable(io: CliIo, outcomes: readonly ProbeOutcome[]): void {
  io.stdout.write(
    `${'integration'.padEnd(38)} ${'kind'.padEnd(8)} ${'ping'.padEnd(6)} ${'signed'.padEnd(12)} ${['dns', 'connect', 'tls', 'ttfb', 'total'].map((h) => h.padStart(8)).join('')}  skew_s  result\n`,
  );
  for (const o of outcomes) {
    const p = o.signed.phases;
    const signed = o.signed.ok ? 'ok' : `FAIL${o.signed.code === null ? '' : ` ${String(o.signed.code)}`}`;
    io.stdout.write(
      `${o.integrationId.padEnd(38)} ${o.kind.padEnd(8)} ${(o.ping.ok ? 'ok' : 'FAIL').padEnd(6)} ${signed.padEnd(12)} ${[p.dns, p.connect, p.tls, p.ttfb, p.total].map((v) => fmt(v).padStart(8)).join('')}  ${(o.clockSkewS === null ? '-' : String(o.clockSkewS)).padStart(6)}  ${o.healthy ? 'HEALTHY' : 'UNHEALTHY'}: ${o.reason}\n`,
    );
  }
}

/** `duowatch health probe --org X [--json]`: every integration of the organization, once, now. */
export async function runProbe(io: CliIo, opts: ProbeCommandOptions): Promise<void> {
  await withRuntime(io, opts, async (rt) => {
    const org = await resolveOrg(rt.store, opts.org);
    const subjects = await subjectsOf(rt.store, org);
    const observer = new PhaseObserver();
    const secureContexts = new SecureContexts();
    try {
      const outcomes = (
        await mapBounded(subjects, rt.config.health.concurrency, async (s) => {
          const target = await targetOf(rt.store, s);
          return target === undefined
            ? undefined
            : probeIntegration(target, {
                transport: rt.clients.transportOptions,
                observer,
                secureContexts,
                timeoutMs: rt.config.health.timeoutSeconds * 1000,
              });
        })
      ).filter((o): o is ProbeOutcome => o !== undefined);
      if (opts.json === true) io.stdout.write(JSON.stringify(outcomes.map(toScripted), null, 2) + '\n');
      else printTable(io, outcomes);
      if (outcomes.some((o) => !o.healthy))
        throw new HealthError('health.unhealthy', 'at least one integration is not healthy (see reason)', {
          exitCode: 3,
        });
    } finally {
      observer.close();
    }
  });
}

/** `duowatch health status [--org X] [--json]`: states as the scheduled probes left them, uptime, latency. */
export async function runStatus(io: CliIo, opts: StatusCommandOptions): Promise<void> {
  await withRuntime(io, opts, async (rt) => {
    const org = opts.org === undefined ? undefined : await resolveOrg(rt.store, opts.org);
    const repo = healthRepository(rt.store);
    const rows = await healthStatus(rt.store, repo, rt.config.health, Date.now(), org?.id);
    if (opts.json === true) {
      io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      return;
    }
    if (rows.length === 0) io.stdout.write('no integrations\n');
    const pct = (v: number | null): string => (v === null ? '-' : `${v.toFixed(3)} %`);
    for (const r of rows)
      io.stdout.write(
        `${r.org.padEnd(16)} ${r.integration.padEnd(38)} ${r.kind.padEnd(8)} ${r.state.padEnd(11)} up 24h ${pct(r.uptime['24h']).padStart(10)}  7d ${pct(r.uptime['7d']).padStart(10)}  30d ${pct(r.uptime['30d']).padStart(10)}  p95 24h ${r.latency_ms['24h'].p95 === null ? '-' : `${String(r.latency_ms['24h'].p95)} ms`}  (SLO ${String(r.slo.target)} %)  ${r.reason}\n`,
      );
  });
}
