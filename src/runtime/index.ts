export {
  openRuntime,
  DEMO_SLUG,
  DEMO_CONTROL_FILE,
  type DemoControl,
  type Runtime,
  type RuntimeOptions,
  type DemoTenant,
} from './open-runtime.js';
export { duoClientsOptions } from './duo-transport.js';
export { storeRunRecorder } from '../services/index.js';
export { adminTargets, queueIdentitySync } from '../evidence/index.js';
export { credentialGate } from '../integrations/index.js';
