import { Gauge, type Registry } from 'prom-client';
import type { ProbeSubject } from './probe/probe-targets.js';
import type { ProbeOutcome } from './probe/probe-types.js';
import { HEALTH_STATES, type HealthState } from './state/state-machine.js';
import type { IntegrationStatus } from './monitor/status.js';

export interface LatestProbe {
  subject: ProbeSubject;
  outcome: ProbeOutcome;
  state: HealthState;
}

const PHASES = ['dns', 'connect', 'tls', 'ttfb', 'total'] as const;

/**
 * Prometheus gauges named as blackbox_exporter names them (`probe_success`, `probe_duration_seconds` by
 * phase, `probe_http_status_code`), one series per integration, plus our state and uptime. Values are read at
 * scrape time from the latest probes and a status snapshot at most a minute old.
 */
export function registerHealthMetrics(
  registry: Registry,
  latest: () => Iterable<LatestProbe>,
  status: () => Promise<readonly IntegrationStatus[]>,
): void {
  const registers = [registry];
  const labels = (p: LatestProbe) => ({
    org: p.subject.orgSlug,
    integration: p.subject.integrationId,
    kind: p.subject.kind,
  });
  const once = (name: string, make: () => void): void => {
    if (registry.getSingleMetric(name) === undefined) make();
  };
  once(
    'probe_success',
    () =>
      new Gauge({
        name: 'probe_success',
        help: 'Whether the last probe passed (unsigned ping and the signed check)',
        labelNames: ['org', 'integration', 'kind'],
        registers,
        collect() {
          this.reset();
          for (const p of latest()) this.set(labels(p), p.outcome.healthy ? 1 : 0);
        },
      }),
  );
  once(
    'probe_duration_seconds',
    () =>
      new Gauge({
        name: 'probe_duration_seconds',
        help: 'Duration of the last signed check by phase (dns, connect, tls, ttfb, total)',
        labelNames: ['org', 'integration', 'kind', 'phase'],
        registers,
        collect() {
          this.reset();
          for (const p of latest())
            for (const phase of PHASES) {
              const ms = p.outcome.signed.phases[phase];
              if (ms !== null) this.set({ ...labels(p), phase }, ms / 1000);
            }
        },
      }),
  );
  once(
    'probe_http_status_code',
    () =>
      new Gauge({
        name: 'probe_http_status_code',
        help: 'HTTP status of the last signed check (0 when no reply arrived)',
        labelNames: ['org', 'integration', 'kind'],
        registers,
        collect() {
          this.reset();
          for (const p of latest()) this.set(labels(p), p.outcome.signed.httpStatus ?? 0);
        },
      }),
  );
  once(
    'duowatch_health_clock_skew_seconds',
    () =>
      new Gauge({
        name: 'duowatch_health_clock_skew_seconds',
        help: "Duo's clock minus ours at the last probe",
        labelNames: ['org', 'integration', 'kind'],
        registers,
        collect() {
          this.reset();
          for (const p of latest())
            if (p.outcome.clockSkewS !== null) this.set(labels(p), p.outcome.clockSkewS);
        },
      }),
  );
  once(
    'duowatch_health_state',
    () =>
      new Gauge({
        name: 'duowatch_health_state',
        help: 'Current health state (1 for the state the integration is in)',
        labelNames: ['org', 'integration', 'kind', 'state'],
        registers,
        collect() {
          this.reset();
          for (const p of latest())
            for (const s of HEALTH_STATES) this.set({ ...labels(p), state: s }, s === p.state ? 1 : 0);
        },
      }),
  );
  once(
    'duowatch_health_uptime_ratio',
    () =>
      new Gauge({
        name: 'duowatch_health_uptime_ratio',
        help: 'Share of probes up over the window (maintenance excluded)',
        labelNames: ['org', 'integration', 'kind', 'window'],
        registers,
        async collect() {
          this.reset();
          for (const s of await status())
            for (const w of ['24h', '7d', '30d'] as const) {
              const v = s.uptime[w];
              if (v !== null)
                this.set({ org: s.org, integration: s.integration, kind: s.kind, window: w }, v / 100);
            }
        },
      }),
  );
}
