/** The alerts capability's door: outside code imports only this file. */
export { alertsCapability } from './capability.js';
export { alertsConfigSchema, normaliseAlertsConfig, type AlertsConfig } from './config-schema.js';
export { AlertError } from './errors.js';
export type { StoredAlert, AlertStatus } from './model.js';
export { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './notify/webhook.js';
export {
  alertOutbox,
  ALERT_ACTIONS,
  type AlertAction,
  type AlertChange,
  type AlertJson,
  type AlertOutbox,
} from './outbox.js';
