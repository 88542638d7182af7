export type * from './contract.js';
export {
  AUTH_LOG_BUDGET_NOTE,
  createServices,
  type ServicesOptions,
  type RunKindResult,
  type EvidenceJobs,
  type CollectedAuthLog,
} from './create-services.js';
export { DuoClients, type DuoClientsOptions } from '../integrations/index.js';
export { ServiceError, type ServiceErrorCode } from './errors.js';
export { explainRun } from './run-explanations.js';
export { evidenceStoreFor } from './evidence-store.js';
export { storeRunRecorder } from './run-recorder.js';
export { runOutcome, runFinish, type EvidenceJobKind, type EvidenceJobOptions } from '../evidence/index.js';
