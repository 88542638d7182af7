import type { AlertRaiser } from '../../app/index.js';
import type { DuoTransportOptions } from '../../duo/index.js';
import type { Store } from '../../store/index.js';
import type { HealthConfig } from '../config-schema.js';
import { PhaseObserver } from '../probe/phase-observer.js';
import { SecureContexts } from '../probe/secure-contexts.js';
import { probeIntegration } from '../probe/probe-integration.js';
import { targetOf, type ProbeSubject } from '../probe/probe-targets.js';
import type { ProbeOutcome } from '../probe/probe-types.js';
import { healthRepository, type BucketOutcome, type HealthRepository } from '../store/health-repository.js';
import {
  initialState,
  step,
  type AlertKind,
  type StateMachineConfig,
  type StepResult,
} from '../state/state-machine.js';
import { maintenanceRepository, type MaintenanceRepository } from '../store/maintenance-repository.js';
import { maintenanceAt } from './maintenance.js';

export interface MonitorLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface HealthMonitorOptions {
  store: Store;
  config: HealthConfig;
  transport: DuoTransportOptions;
  alerts: AlertRaiser;
  logger?: MonitorLogger;
  /** Wall clock, epoch ms. */
  now?: () => number;
  /** Per organization: factors failing against their baseline (the per-factor health), as sentences. */
  factorIssues?: (orgId: string) => readonly string[];
}

export function machineConfig(c: HealthConfig): StateMachineConfig {
  return {
    retries: c.retries,
    recoveries: c.recoveries,
    latencyP95ThresholdMs: c.latency.p95ThresholdMs,
    latencyWindowMs: c.latency.windowMinutes * 60_000,
    latencyMinSamples: c.latency.minSamples,
    clockSkewAlertS: c.clockSkewAlertSeconds,
  };
}

const ALERT: Record<
  AlertKind,
  { rule: string; severity: 'low' | 'medium' | 'high' | 'critical'; title: string }
> = {
  down: { rule: 'health.down', severity: 'critical', title: 'Duo integration DOWN' },
  degraded: { rule: 'health.degraded', severity: 'high', title: 'Duo integration DEGRADED' },
  recovered: { rule: 'health.recovered', severity: 'low', title: 'Duo integration recovered' },
  clock_skew: {
    rule: 'health.clock_skew',
    severity: 'medium',
    title: 'Clock skew against Duo over the limit',
  },
};

/** The last probe as status and the dashboard show it (never a key). */
function probeSummary(o: ProbeOutcome): Record<string, unknown> {
  return {
    at: o.at.toISOString(),
    check: o.check,
    healthy: o.healthy,
    reason: o.reason,
    ping: { ok: o.ping.ok, ms: o.ping.ms, code: o.ping.code },
    signed: {
      ok: o.signed.ok,
      ms: o.signed.ms,
      code: o.signed.code,
      http_status: o.signed.httpStatus,
      stat: o.signed.stat,
    },
    phases_ms: o.signed.phases,
    clock_skew_s: o.clockSkewS,
  };
}

/**
 * Probes integrations and keeps what follows from each probe: the state row, the uptime buckets, the
 * transitions, and the alerts (raised through the shared alert raiser, so they go to the same channels as
 * detections). One monitor serves `serve`'s probe loop, `health status` and the fail-mode advisor.
 */
export class HealthMonitor {
  readonly repo: HealthRepository;
  /** Windows scheduled through the REST API / Health page; config windows come from the config. */
  readonly maintenance: MaintenanceRepository;
  readonly observer = new PhaseObserver();
  readonly #secureContexts = new SecureContexts();
  readonly #o: HealthMonitorOptions;
  readonly #now: () => number;
  #lastPrune = 0;

  constructor(options: HealthMonitorOptions) {
    this.#o = options;
    this.repo = healthRepository(options.store);
    this.maintenance = maintenanceRepository(options.store);
    this.#now = options.now ?? (() => Date.now());
  }

  get config(): HealthConfig {
    return this.#o.config;
  }

  /** One probe of one integration, recorded. Undefined when the integration was removed meanwhile. */
  async probe(subject: ProbeSubject, signal?: AbortSignal): Promise<ProbeOutcome | undefined> {
    const target = await targetOf(this.#o.store, subject);
    if (target === undefined) return undefined;
    const outcome = await probeIntegration(target, {
      transport: this.#o.transport,
      observer: this.observer,
      secureContexts: this.#secureContexts,
      timeoutMs: this.#o.config.timeoutSeconds * 1000,
      ...(signal === undefined ? {} : { signal }),
    });
    await this.record(subject, outcome);
    return outcome;
  }

  /** Runs one outcome through the state machine and stores everything that follows from it. */
  async record(subject: ProbeSubject, outcome: ProbeOutcome): Promise<StepResult> {
    const at = outcome.at.getTime();
    const stored = await this.repo.state(subject.integrationId);
    const prev = stored?.machine ?? initialState(at);
    // A config window or a scheduled one: both silence alerts and count apart from uptime, alike.
    const window =
      maintenanceAt(this.#o.config.maintenance, subject, at) ??
      (await this.maintenance.at(subject.orgId, subject.integrationId, at));
    const result = step(
      prev,
      {
        at,
        healthy: outcome.healthy,
        reason: outcome.reason,
        latencyMs: outcome.healthy ? outcome.signed.ms : null,
        clockSkewS: outcome.clockSkewS,
        maintenance: window !== undefined,
        factorIssues: this.#o.factorIssues?.(subject.orgId) ?? [],
      },
      machineConfig(this.#o.config),
    );
    const { next } = result;
    await this.repo.saveState({
      orgId: subject.orgId,
      integrationId: subject.integrationId,
      state: next.state,
      since: next.since,
      machine: next,
      lastProbe: probeSummary(outcome),
      updatedAt: this.#now(),
    });
    const counted: BucketOutcome =
      next.state === 'MAINTENANCE'
        ? 'maintenance'
        : next.base === 'DOWN'
          ? 'down'
          : next.base === 'DEGRADED'
            ? 'degraded'
            : // PENDING counts as up, as Uptime Kuma does: the retries exist so one lost probe is not an outage.
              'up';
    await this.repo.count(
      subject.orgId,
      subject.integrationId,
      at,
      counted,
      outcome.healthy ? outcome.signed.ms : null,
    );
    if (result.transition !== null)
      await this.repo.addTransition({
        orgId: subject.orgId,
        integrationId: subject.integrationId,
        at,
        ...result.transition,
      });
    for (const a of result.alerts) {
      const spec = ALERT[a.kind];
      await this.#o.alerts
        .raise({
          orgId: subject.orgId,
          source: 'health',
          rule: spec.rule,
          title: `${spec.title}: ${subject.label} (${subject.apiHost})`,
          severity: spec.severity,
          entity: subject.integrationId,
          firstSeen: outcome.at,
          lastSeen: outcome.at,
          fields: {
            org: subject.orgSlug,
            integration: subject.integrationId,
            kind: subject.kind,
            api_host: subject.apiHost,
            state: next.state,
            reason: a.reason,
            clock_skew_s: outcome.clockSkewS,
            check: outcome.check,
          },
          dedupeKey: `${spec.rule}:${subject.integrationId}:${String(next.since)}`,
        })
        .catch((error: unknown) =>
          this.#o.logger?.error({ err: error, rule: spec.rule }, 'raising a health alert failed'),
        );
    }
    if (at - this.#lastPrune > 3_600_000) {
      this.#lastPrune = at;
      await this.repo.prune(at);
    }
    return result;
  }

  close(): void {
    this.observer.close();
  }
}
