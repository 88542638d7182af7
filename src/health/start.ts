import type { CapabilityContext, StartedCapability } from '../app/index.js';
import { createFailModeAdvisor } from './failmode/advisor.js';
import { FactorHealth } from './factor/factor-health.js';
import { registerHealthMetrics, type LatestProbe } from './metrics.js';
import { HealthMonitor } from './monitor/monitor.js';
import { startProbeLoop, type ProbeLoop } from './monitor/probe-loop.js';
import { RecentProbes } from './monitor/recent-probes.js';
import { probeHolderId, probeLeaseTtlMs } from './monitor/probe-lease.js';
import { demoFaults, type DemoFaults } from './monitor/demo-faults.js';
import { healthStatus, type IntegrationStatus } from './monitor/status.js';
import { allSubjects } from './probe/probe-targets.js';
import { mountHealthRoutes } from './routes.js';

/** The demo organization's slug (runtime's DEMO_SLUG; repeated so the health folder imports no runtime). */
const DEMO_SLUG = 'demo';

/** What `serve` runs for health: the probe loop, factor health, the fail-mode advisor, routes and metrics. */
export function startHealth(ctx: CapabilityContext): StartedCapability {
  const config = ctx.config.health;
  const now = (): number => ctx.clock().getTime();
  const factors = new FactorHealth({
    windowMs: config.factors.windowMinutes * 60_000,
    baselineMs: config.factors.baselineHours * 3_600_000,
    minAttempts: config.factors.minAttempts,
    errorShare: config.factors.errorShare,
    baselineFactor: config.factors.baselineFactor,
  });
  const unsubscribe = ctx.shared.logEvents.subscribe((events) => factors.ingest(events, now()));
  const monitor = new HealthMonitor({
    store: ctx.store,
    config,
    transport: ctx.clients.transportOptions,
    alerts: ctx.shared.alerts,
    logger: ctx.logger,
    now,
    factorIssues: (orgId) => factors.issues(orgId, now()),
  });
  const latest = new Map<string, LatestProbe>();
  const recent = new RecentProbes(ctx.store);
  const demo: DemoFaults | null = ctx.demo === null ? null : demoFaults(ctx.demo.emulator.control);
  const advisor = createFailModeAdvisor({
    store: ctx.store,
    repo: monitor.repo,
    applications: () => config.failMode.applications,
    alerts: ctx.shared.alerts,
    now,
  });
  let snapshot: { at: number; rows: readonly IntegrationStatus[] } | null = null;
  const statusSnapshot = async (): Promise<readonly IntegrationStatus[]> => {
    if (snapshot === null || now() - snapshot.at > 60_000)
      snapshot = { at: now(), rows: await healthStatus(ctx.store, monitor.repo, config, now()) };
    return snapshot.rows;
  };

  let loop: ProbeLoop | null = null;
  // This process's name on the probe leases: several `serve` processes on one database share the probing.
  const holder = probeHolderId();
  if (config.enabled) {
    const ttlMs = probeLeaseTtlMs(config);
    loop = startProbeLoop({
      subjects: () => allSubjects(ctx.store),
      intervalMs: config.intervalSeconds * 1000,
      concurrency: config.concurrency,
      claim: (subject) => monitor.repo.claimProbe(subject.integrationId, holder, now(), ttlMs),
      probe: async (subject) => {
        const outcome = await monitor.probe(subject);
        if (outcome === undefined) {
          latest.delete(subject.integrationId);
          await recent.forget(subject.integrationId);
          return;
        }
        const state = (await monitor.repo.state(subject.integrationId))?.state ?? 'PENDING';
        latest.set(subject.integrationId, { subject, outcome, state });
        await recent.add(outcome, state);
      },
      onError: (error, subject) =>
        ctx.logger.error(
          { err: error, integration: subject?.integrationId },
          'health probe failed to record',
        ),
    });
  }

  return {
    provides: { failMode: advisor },
    mountRoutes(app, deps) {
      registerHealthMetrics(deps.metrics.registry, () => latest.values(), statusSnapshot);
      mountHealthRoutes(app, deps, {
        status: (orgId) => healthStatus(ctx.store, monitor.repo, config, now(), orgId),
        owns: async (orgId, id) => (await ctx.store.integrations.get(orgId, id)) !== undefined,
        transitions: (orgId) => monitor.repo.transitions(orgId, 50),
        buckets: (id, resolution, from, to) => monitor.repo.buckets(id, resolution, from, to),
        decide: (q) => advisor.decideRecorded(q),
        decisions: (orgId, from, to) => monitor.repo.decisions(orgId, from, to),
        policy: (slug) => config.failMode.applications.filter((a) => a.org === undefined || a.org === slug),
        factors: (orgId) => factors.read(orgId, now()),
        maintenance: (slug) => config.maintenance.filter((w) => w.org === slug),
        windows: monitor.maintenance,
        probes: (id) => recent.list(id),
        demoFaults: (slug) => (slug === DEMO_SLUG ? demo : null),
        now,
      });
    },
    startupLines: config.enabled
      ? [
          `health: probing every integration each ${String(config.intervalSeconds)} s (ping + signed check); states in the dashboard's Health page and at /metrics`,
          ...(ctx.demo === null
            ? []
            : [
                'health demo: in another terminal, `duowatch emulator fault down|slow|telephony|clear` (same data directory) takes the demo tenant down, slows it or breaks its telephony, to watch the states change (docs/health.md, "Watching states change")',
              ]),
        ]
      : [
          'health: scheduled probes are off (health.enabled: false); `duowatch health probe --org X` still works',
        ],
    async close() {
      unsubscribe();
      await loop?.stop();
      // Hand the integrations over now instead of when the leases expire.
      if (loop !== null) await monitor.repo.releaseProbes(holder).catch(() => undefined);
      monitor.close();
    },
  };
}
