/**
 * `src/health`: availability of each Duo integration (probes with phase timings, states with hysteresis,
 * uptime buckets, per-factor health) and the fail-mode policy (docs/health.md).
 */
export { healthCapability } from './capability.js';
export {
  healthConfigSchema,
  HEALTH_DEFAULTS,
  ALWAYS_CLOSED_ROLES,
  type HealthConfig,
  type FailModeApplication,
  type MaintenanceWindow,
} from './config-schema.js';
export { HealthError } from './errors.js';
export { PhaseObserver, phasesOf, type PhasesMs, type RequestTiming } from './probe/phase-observer.js';
export {
  probeIntegration,
  signedCheckFor,
  SKEW_ALERT_S,
  type ProbeOptions,
} from './probe/probe-integration.js';
export {
  toScripted,
  type ProbeOutcome,
  type ProbeStep,
  type ProbeTarget,
  type ScriptedProbe,
} from './probe/probe-types.js';
export { decideFailMode, policyFor, type HealthView } from './failmode/decide.js';
export { createFailModeAdvisor, type RecordedDecision } from './failmode/advisor.js';
export { healthRepository } from './store/health-repository.js';
export { HealthMonitor, type HealthMonitorOptions } from './monitor/monitor.js';
export { healthStatus, type IntegrationStatus } from './monitor/status.js';
export { FactorHealth, type FactorReading } from './factor/factor-health.js';
export { step, initialState, type HealthState, type MonitorState } from './state/state-machine.js';
