export { DuowatchError, stripControl } from './errors.js';
export { INTEGRATION_KINDS, isIntegrationKind, type IntegrationKind } from './integration-kinds.js';
export { ServiceError, type ServiceErrorCode } from './service-error.js';
export { CREDENTIAL_STATES, type CredentialState } from './credential-states.js';
export {
  CORE_SIGNAL_IDS,
  EXTENDED_SIGNAL_IDS,
  NO_CONTROLS,
  SIGNAL_STATUSES,
  isExtendedSignal,
  type ControlRef,
  type CoreSignalId,
  type ExtendedSignalId,
  type SignalId,
  type SignalRecord,
  type SignalResult,
  type SignalStatus,
} from './signals.js';
