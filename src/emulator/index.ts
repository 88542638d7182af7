/**
 * The Duo emulator's door (docs/emulator.md): a faithful Duo for tests, demos and users' SIEM pipelines.
 * In-process through `createEmulator().app`, over real TLS through `listen()`.
 */
export { createEmulator, type Emulator, type EmulatorApp, type EmulatorOptions } from './create-emulator.js';
export {
  createLocalCa,
  issueServerCertificate,
  prepareTls,
  type LocalCa,
  type ServerCertificate,
  type TlsMaterial,
} from './tls/index.js';
export type { Listening, ListenOptions } from './serve/index.js';
export {
  CONTROL_BASE,
  hostnameFor,
  EmulatorControlError,
  type AppCredentials,
  type EmulatorControl,
  type NewTenantOptions,
  type TenantCredentials,
} from './control/index.js';
export {
  parseFaultShorthand,
  FAULT_KINDS,
  type FaultKind,
  type FaultSpec,
  type ActiveFault,
} from './faults/index.js';
export { DEFAULT_RATE_LIMITS, type RateClass, type RateLimitOptions } from './limits/index.js';
export { DUO_ERRORS, DuoApiError, WRONG_INTEGRATION_TYPE, type DuoErrorCode } from './wire/duo-errors.js';
export { verifyRequest, parseAuthorization, MAX_SKEW_MS, type VerifiedVersion } from './wire/verify.js';
export { ALL_ENDPOINTS, MAX_LIMIT } from './endpoints/index.js';
export type { RequestLogEntry } from './app/request-log.js';
/** Emulated time: start a tenant ahead of or behind the wall clock, and move it (docs/emulator.md). */
export { createClock, type EmulatorClock, type ClockOptions } from './world/index.js';
