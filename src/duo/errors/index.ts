export { DuoApiError, redact, type DuoErrorKind, type DuoApiErrorInit } from './duo-api-error.js';
export { classifyDuoFailure, CLOCK_SKEW_THRESHOLD_MS } from './classify.js';
export { DuoConfigError } from './duo-config-error.js';
