export { adminEndpoints, type AdminEndpoints, type UserFilters } from './admin.js';
export {
  logEndpoints,
  type LogEndpoints,
  type AuthLogQuery,
  type CursorQuery,
  type MintimeQuery,
  type TimeRangeMs,
} from './logs.js';
export {
  authEndpoints,
  type AuthEndpoints,
  type AuthParams,
  type AuthTimeouts,
  type PingResult,
  type UserRef,
} from './auth.js';
export { deviceEndpoints, DEVICE_BATCH, type DeviceEndpoints, type DeviceBatchResult } from './device.js';
export { accountEndpoints, type AccountEndpoints } from './accounts.js';
export { call, type Requester, type CallOptions, type V1ListOptions } from './call.js';
