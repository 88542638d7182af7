/**
 * `duowatch/devices`: trusted-endpoint device-cache sync (docs/devices.md). Outside code imports only this.
 */
export { devicesCapability } from './capability.js';
export { devicesConfigSchema, type DevicesConfig, type DeviceSyncSource } from './config-schema.js';
export { readDeviceIds, type DeviceList, type InputFormat, type ReadOptions } from './read-device-ids.js';
export { checkDeviceId, type DeviceOs } from './device-os.js';
export { runSync, planOf, BATCH_SIZE, type SyncRequest, type SyncResult, type SyncDeps } from './sync.js';
export { deviceApi, type DeviceApi } from './device-api.js';
export { devicesRepository, type DevicesRepository } from './devices-repository.js';
export { devicesMigrations } from './migrations.js';
export { createDevicesService, type DevicesService } from './devices-service.js';
export { DevicesError, DevicesInputError } from './errors.js';
