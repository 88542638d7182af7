export { DuowatchError, stripControl } from './errors.js';
export { INTEGRATION_KINDS, isIntegrationKind, type IntegrationKind } from './integration-kinds.js';
export { ServiceError, type ServiceErrorCode } from './service-error.js';
