/**
 * Integrations: each organization's Duo applications of every kind (Admin, Auth, Device, Accounts API),
 * their keys (encrypted at rest by the store), Test before Save for every kind, credential health with one
 * back-off rule, and integrations declared in the configuration file through the same write path.
 * See docs/integrations.md.
 */
export { INTEGRATION_KINDS, isIntegrationKind, type IntegrationKind } from '../shared/index.js';
export type {
  Actor,
  CredentialState,
  IntegrationsService,
  IntegrationView,
  NewIntegration,
  SaveResult,
  TestCheck,
  TestReport,
} from './types.js';
export {
  createIntegrationsService,
  type IntegrationsCapabilityService,
  type IntegrationsServiceOptions,
} from './service.js';
export { checkCandidate } from './candidate.js';
export { DuoClients, type DuoClientsOptions } from './duo-clients.js';
export { credentialGate, isBackedOff, type HealthLike } from './credential-health.js';
export { testIntegration } from './test-integration.js';
export { GRANTS, SKEW_FAIL_MS, SKEW_WARN_MS, fixFor, testConnection, type Clock } from './test-connection.js';
export { connectionProbe, type ConnectionProbe, type ProbeClient } from './connection-probe.js';
