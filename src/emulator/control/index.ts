export { createControlApp, CONTROL_BASE } from './control-app.js';
export {
  createEmulatorControl,
  hostnameFor,
  EmulatorControlError,
  type AppCredentials,
  type EmulatorControl,
  type NewTenantOptions,
  type TenantCredentials,
} from './emulator-control.js';
