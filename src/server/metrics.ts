import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DuowatchServices, RunView } from '../services/contract.js';

/**
 * Prometheus metrics on an injected registry (no prom-client global default registry, docs/conventions.md §3).
 * Runs are observed from the service layer's run list at scrape time (each run counted once, by id), and
 * `observeRun` lets the scheduler report runs as they finish; both paths share the same dedupe.
 */
export interface ServerMetrics {
  registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  observeRun(run: RunView): void;
  /** Pulls runs and credential states from the services; called before each scrape. */
  refresh(services: DuowatchServices): Promise<void>;
}

function metric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

const STATES = ['ok', 'auth_failed', 'rate_limited', 'clock_skew'] as const;
const SEEN_MAX = 20_000;

export function createMetrics(registry: Registry): ServerMetrics {
  const registers = [registry];
  const requests = metric(
    registry,
    'duowatch_http_requests_total',
    () =>
      new Counter({
        name: 'duowatch_http_requests_total',
        help: 'HTTP requests by route and status',
        labelNames: ['method', 'route', 'status'],
        registers,
      }),
  );
  const latency = metric(
    registry,
    'duowatch_http_request_duration_seconds',
    () =>
      new Histogram({
        name: 'duowatch_http_request_duration_seconds',
        help: 'HTTP request latency',
        labelNames: ['method', 'route'],
        registers,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      }),
  );
  const runs = metric(
    registry,
    'duowatch_runs_total',
    () =>
      new Counter({
        name: 'duowatch_runs_total',
        help: 'Finished job runs by kind and status',
        labelNames: ['kind', 'status'],
        registers,
      }),
  );
  const runErrors = metric(
    registry,
    'duowatch_run_errors_total',
    () =>
      new Counter({
        name: 'duowatch_run_errors_total',
        help: 'Failed job runs by kind and error kind',
        labelNames: ['kind', 'error_kind'],
        registers,
      }),
  );
  const runDuration = metric(
    registry,
    'duowatch_run_duration_seconds',
    () =>
      new Histogram({
        name: 'duowatch_run_duration_seconds',
        help: 'Job run duration',
        labelNames: ['kind'],
        registers,
        buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      }),
  );
  const credentials = metric(
    registry,
    'duowatch_credentials',
    () =>
      new Gauge({
        name: 'duowatch_credentials',
        help: 'Duo integrations by credential state',
        labelNames: ['state'],
        registers,
      }),
  );
  const seen = new Set<string>();

  const observeRun = (run: RunView): void => {
    if (run.finishedAt === null || seen.has(run.id)) return;
    seen.add(run.id);
    if (seen.size > SEEN_MAX) {
      const first = seen.values().next();
      if (first.done !== true) seen.delete(first.value);
    }
    runs.inc({ kind: run.kind, status: run.status });
    if (run.durationMs !== null) runDuration.observe({ kind: run.kind }, run.durationMs / 1000);
    if (run.errorKind !== null) runErrors.inc({ kind: run.kind, error_kind: run.errorKind });
  };

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    observeRun,
    async refresh(services) {
      const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<string, number>;
      for (const org of await services.orgs.list()) {
        for (const run of await services.runs.list(org.id, { limit: 50 })) observeRun(run);
        for (const integration of await services.integrations.list(org.id)) {
          counts[integration.health.state] = (counts[integration.health.state] ?? 0) + 1;
        }
      }
      for (const [state, n] of Object.entries(counts)) credentials.set({ state }, n);
    },
  };
}
