export {
  openRuntime,
  DEMO_SLUG,
  type Runtime,
  type RuntimeOptions,
  type DemoTenant,
} from './open-runtime.js';
export { duoClientsOptions } from './duo-transport.js';
export { registerEvidenceJobs, storeRunRecorder, credentialGate, adminTargets } from './jobs.js';
