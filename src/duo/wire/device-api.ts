import { z } from 'zod';
import { num, obj, openEnum } from './lenient.js';

export const deviceCacheSchema = obj({
  cache_key: z.string(),
  status: openEnum(['pending', 'active'] as const),
  device_count: num,
  created: z.union([z.number(), z.string()]).nullish(),
  updated: z.union([z.number(), z.string()]).nullish(),
});
export type DuoDeviceCache = z.infer<typeof deviceCacheSchema>;

export const deviceCountSchema = obj({ device_count: z.number() });

export const devicesRetrievedSchema = obj({
  devices_retrieved: z.array(
    obj({ date_added: z.union([z.number(), z.string()]).nullish(), device_id: z.string() }),
  ),
  num_devices_retrieved: num,
});
export type DuoDevicesRetrieved = z.infer<typeof devicesRetrievedSchema>;

export const emptyObjectSchema = obj({});
