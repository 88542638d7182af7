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
