import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RunView } from '../services/contract.js';
import { CREDENTIAL_STATES } from '../shared/index.js';
import type { MetricsRepository } from '../store/index.js';

/** What a finished run needs to be counted (the store's run rows and the services' run views both fit). */
export interface ObservedRun {
  id: string;
  kind: string;
  status: string;
  finishedAt: Date | string | null;
  durationMs: number | null;
  errorKind: string | null;
}

/**
 * Prometheus metrics on an injected registry (no prom-client global default registry, docs/conventions.md §3).
 *
 * A scrape costs the same however many organizations there are: counters are maintained, not recomputed.
 * `refresh` (called before a scrape, and doing real work at most once per `refreshMs`) reads only the runs
 * finished since the last refresh (after a cursor, at most `batch` of them) and one grouped count of
 * credential states. `observeRun` lets the scheduler report runs as they finish; each run is counted once.
 */
export interface ServerMetrics {
  registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  observeRun(run: ObservedRun | RunView): void;
  refresh(source: MetricsRepository): Promise<void>;
}

export interface MetricsOptions {
  clock?: () => Date;
  /** Minimum time between two refreshes from the database (default 15 s). */
  refreshMs?: number;
  /** Most runs read per refresh (default 1000); the rest wait for the next one. */
  batch?: number;
}

function metric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

const SEEN_MAX = 20_000;

export function createMetrics(registry: Registry, options: MetricsOptions = {}): ServerMetrics {
  const clock = options.clock ?? (() => new Date());
  const refreshMs = options.refreshMs ?? 15_000;
  const batch = options.batch ?? 1000;
  // Runs finished before the process started were counted by its predecessor; counters start at zero.
  let cursor = { at: clock(), id: '' };
  let lastRefresh = -Infinity;
  let refreshing: Promise<void> | null = null;
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

  const observeRun = (run: ObservedRun | RunView): void => {
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

  const pull = async (source: MetricsRepository): Promise<void> => {
    for (const run of await source.runsFinishedAfter(cursor, batch)) {
      observeRun(run);
      cursor = { at: run.finishedAt, id: run.id };
    }
    const counts = await source.credentialStates();
    for (const state of new Set([...CREDENTIAL_STATES, ...Object.keys(counts)]))
      credentials.set({ state }, counts[state] ?? 0);
  };

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    observeRun,
    async refresh(source) {
      const now = clock().getTime();
      // Concurrent scrapes share one refresh; frequent scrapes reuse the last one.
      if (refreshing === null && now - lastRefresh >= refreshMs) {
        lastRefresh = now;
        refreshing = pull(source).finally(() => {
          refreshing = null;
        });
      }
      if (refreshing !== null) await refreshing;
    },
  };
}
