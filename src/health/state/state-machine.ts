import { percentile } from './latency-histogram.js';

/** Uptime Kuma's states plus DEGRADED (slow or a failing factor), which it lacks. */
export type HealthState = 'UP' | 'PENDING' | 'DOWN' | 'DEGRADED' | 'MAINTENANCE';
export const HEALTH_STATES: readonly HealthState[] = ['UP', 'PENDING', 'DOWN', 'DEGRADED', 'MAINTENANCE'];

export interface StateMachineConfig {
  /** Failed probes in a row before DOWN; fewer leave the integration PENDING. */
  retries: number;
  /** Good probes in a row before DOWN becomes UP again (and clear evaluations before DEGRADED ends). */
  recoveries: number;
  latencyP95ThresholdMs: number;
  latencyWindowMs: number;
  latencyMinSamples: number;
  clockSkewAlertS: number;
}

/** What is remembered between probes of one integration (stored as one row). */
export interface MonitorState {
  /** The state shown, MAINTENANCE while a window is open. */
  state: HealthState;
  /** The availability state underneath (what uptime and alerts follow). */
  base: Exclude<HealthState, 'MAINTENANCE'>;
  since: number;
  reason: string;
  failStreak: number;
  okStreak: number;
  /** Evaluations in a row without a degrading condition (hysteresis out of DEGRADED). */
  clearStreak: number;
  /** Successful probe latencies inside the window: [epoch ms, ms]. */
  latencies: Array<[number, number]>;
  /** The last state an alert was raised for (UP = nothing outstanding). */
  alerted: 'UP' | 'DOWN' | 'DEGRADED';
  skewAlerted: boolean;
  lastProbeAt: number | null;
}

export function initialState(now: number): MonitorState {
  return {
    state: 'PENDING',
    base: 'PENDING',
    since: now,
    reason: 'not probed yet',
    failStreak: 0,
    okStreak: 0,
    clearStreak: 0,
    latencies: [],
    alerted: 'UP',
    skewAlerted: false,
    lastProbeAt: null,
  };
}

export interface ProbeObservation {
  at: number;
  healthy: boolean;
  reason: string;
  /** The signed check's total time (only counted when healthy). */
  latencyMs: number | null;
  clockSkewS: number | null;
  /** A maintenance window covers this moment. */
  maintenance: boolean;
  /** Factors failing against their baseline (per-factor health), as sentences. */
  factorIssues: readonly string[];
}

export type AlertKind = 'down' | 'degraded' | 'recovered' | 'clock_skew';

export interface StepResult {
  next: MonitorState;
  /** Set when the shown state changed. */
  transition: { from: HealthState; to: HealthState; reason: string } | null;
  alerts: Array<{ kind: AlertKind; reason: string }>;
}

/**
 * One probe through the state machine (pure: the clock is the observation's `at`). UP → PENDING on a failure
 * below the retry count → DOWN at the retry count; out of DOWN only after `recoveries` good probes in a row;
 * DEGRADED when the window's p95 is above the threshold or a factor fails, and back to UP after `recoveries`
 * clear probes. Alerts fire on the transitions that matter, never inside a maintenance window; what was
 * outstanding when a window opened is compared again when it closes.
 */
export function step(prev: MonitorState, o: ProbeObservation, cfg: StateMachineConfig): StepResult {
  const s: MonitorState = { ...prev, latencies: [...prev.latencies], lastProbeAt: o.at };
  s.latencies = s.latencies.filter(([t]) => t > o.at - cfg.latencyWindowMs);
  const alerts: StepResult['alerts'] = [];
  let reason: string;
  if (o.healthy) {
    s.okStreak += 1;
    s.failStreak = 0;
    if (o.latencyMs !== null) s.latencies.push([o.at, o.latencyMs]);
  } else {
    s.failStreak += 1;
    s.okStreak = 0;
  }

  const p95 =
    s.latencies.length >= cfg.latencyMinSamples
      ? percentile(
          s.latencies.map(([, ms]) => ms),
          0.95,
        )
      : null;
  const degradedBy: string[] = [];
  if (p95 !== null && p95 > cfg.latencyP95ThresholdMs)
    degradedBy.push(
      `slow: p95 ${String(Math.round(p95))} ms over ${String(Math.round(cfg.latencyWindowMs / 60_000))} min is above ${String(cfg.latencyP95ThresholdMs)} ms`,
    );
  degradedBy.push(...o.factorIssues);

  let base = s.base;
  if (!o.healthy) {
    if (s.failStreak >= cfg.retries) base = 'DOWN';
    else if (base !== 'DOWN') base = 'PENDING';
    reason =
      base === 'DOWN'
        ? `${o.reason} (${String(s.failStreak)} failed probes in a row)`
        : `${o.reason} (failure ${String(s.failStreak)} of ${String(cfg.retries)} before DOWN)`;
  } else if (base === 'DOWN' && s.okStreak < cfg.recoveries) {
    reason = `recovering: ${String(s.okStreak)} of ${String(cfg.recoveries)} good probes needed`;
  } else if (degradedBy.length > 0) {
    base = 'DEGRADED';
    s.clearStreak = 0;
    reason = degradedBy.join('; ');
  } else if (base === 'DEGRADED') {
    s.clearStreak += 1;
    if (s.clearStreak >= cfg.recoveries) {
      base = 'UP';
      reason = 'ok';
    } else reason = `improving: ${String(s.clearStreak)} of ${String(cfg.recoveries)} clear probes needed`;
  } else {
    base = 'UP';
    reason = o.reason;
  }
  if (base === 'UP') s.clearStreak = 0;

  const shown: HealthState = o.maintenance ? 'MAINTENANCE' : base;
  const transition =
    shown !== prev.state
      ? { from: prev.state, to: shown, reason: o.maintenance ? 'maintenance window' : reason }
      : null;
  s.base = base;
  s.state = shown;
  s.reason = o.maintenance ? `maintenance window (underneath: ${base}, ${reason})` : reason;
  if (transition !== null) s.since = o.at;

  if (!o.maintenance) {
    const wanted: MonitorState['alerted'] =
      base === 'DOWN' ? 'DOWN' : base === 'DEGRADED' ? 'DEGRADED' : base === 'UP' ? 'UP' : s.alerted;
    if (wanted !== s.alerted) {
      if (wanted === 'DOWN') alerts.push({ kind: 'down', reason });
      else if (wanted === 'DEGRADED') alerts.push({ kind: 'degraded', reason });
      else alerts.push({ kind: 'recovered', reason: `recovered from ${s.alerted}` });
      s.alerted = wanted;
    }
    const skew = o.clockSkewS === null ? null : Math.abs(o.clockSkewS);
    if (skew !== null && skew > cfg.clockSkewAlertS && !s.skewAlerted) {
      alerts.push({
        kind: 'clock_skew',
        reason: `our clock differs from Duo's by ${String(o.clockSkewS)} s (alert above ${String(cfg.clockSkewAlertS)} s; Duo refuses beyond 300 s)`,
      });
      s.skewAlerted = true;
    } else if (skew !== null && skew <= cfg.clockSkewAlertS) s.skewAlerted = false;
  }
  return { next: s, transition, alerts };
}
