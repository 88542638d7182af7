import { z } from 'zod';
import {
  deviceCacheSchema,
  deviceCountSchema,
  devicesRetrievedSchema,
  type DuoDeviceCache,
  type DuoDevicesRetrieved,
} from '../wire/index.js';
import { call, defined, seg, withSignal, type CallOptions, type Requester } from './call.js';

/** Duo accepts at most 1000 device ids per call (docs/duo-wire.md §5). */
export const DEVICE_BATCH = 1000;

export interface DeviceBatchResult {
  /** Index of the first id in this batch. */
  from: number;
  count: number;
  ok: boolean;
  deviceCount?: number;
  error?: Error;
}

/**
 * Device API v1 (trusted endpoints): the whole cache lifecycle under
 * `/device/v1/management_systems/{mkey}/device_cache`, signed with the management system's own keys.
 * `devices` travels as a JSON list of `{"device_id": …}` (in the JSON body for POST; JSON-encoded text in
 * the query for DELETE, the only place a GET/DELETE can carry it).
 */
export function deviceEndpoints(rq: Requester) {
  const base = (mkey: string): string => `/device/v1/management_systems/${seg(mkey)}/device_cache`;
  const cacheList = z.array(deviceCacheSchema);
  return {
    createCache: (mkey: string, opts: CallOptions & { active?: boolean } = {}): Promise<DuoDeviceCache> =>
      call(rq, deviceCacheSchema, {
        method: 'POST',
        path: base(mkey),
        params: defined({ active: opts.active }),
        ...withSignal(opts),
      }),
    listCaches: (
      mkey: string,
      opts: CallOptions & { status?: 'active' | 'pending' } = {},
    ): Promise<DuoDeviceCache[]> =>
      call(rq, cacheList, {
        method: 'GET',
        path: base(mkey),
        params: defined({ status: opts.status }),
        ...withSignal(opts),
      }),
    getCache: (mkey: string, cacheKey: string, opts?: CallOptions): Promise<DuoDeviceCache> =>
      call(rq, deviceCacheSchema, {
        method: 'GET',
        path: `${base(mkey)}/${seg(cacheKey)}`,
        ...withSignal(opts),
      }),
    /** Uploads in batches of 1000; one failed batch does not stop the others (docs/conventions.md §8). */
    async addDevices(
      mkey: string,
      cacheKey: string,
      deviceIds: readonly string[],
      opts?: CallOptions,
    ): Promise<DeviceBatchResult[]> {
      const results: DeviceBatchResult[] = [];
      for (let from = 0; from < deviceIds.length; from += DEVICE_BATCH) {
        const batch = deviceIds.slice(from, from + DEVICE_BATCH);
        try {
          const r = await call(rq, deviceCountSchema, {
            method: 'POST',
            path: `${base(mkey)}/${seg(cacheKey)}/devices`,
            params: { devices: batch.map((device_id) => ({ device_id })) },
            ...withSignal(opts),
          });
          results.push({ from, count: batch.length, ok: true, deviceCount: r.device_count });
        } catch (error) {
          if (opts?.signal?.aborted === true) throw error;
          results.push({
            from,
            count: batch.length,
            ok: false,
            error: error instanceof Error ? error : new Error(String(error)),
          });
        }
      }
      return results;
    },
    listDevices: (
      mkey: string,
      cacheKey: string,
      opts: CallOptions & { deviceId?: string } = {},
    ): Promise<DuoDevicesRetrieved> =>
      call(rq, devicesRetrievedSchema, {
        method: 'GET',
        path: `${base(mkey)}/${seg(cacheKey)}/devices`,
        params: defined({ device_id: opts.deviceId }),
        ...withSignal(opts),
      }),
    deleteDevices: (
      mkey: string,
      cacheKey: string,
      deviceIds: readonly string[],
      opts?: CallOptions,
    ): Promise<unknown> =>
      call(rq, z.unknown(), {
        method: 'DELETE',
        path: `${base(mkey)}/${seg(cacheKey)}/devices`,
        params: { devices: JSON.stringify(deviceIds.map((device_id) => ({ device_id }))) },
        ...withSignal(opts),
      }),
    activateCache: (mkey: string, cacheKey: string, opts?: CallOptions): Promise<unknown> =>
      call(rq, z.unknown(), {
        method: 'POST',
        path: `${base(mkey)}/${seg(cacheKey)}/activate`,
        ...withSignal(opts),
      }),
    deleteCache: (mkey: string, cacheKey: string, opts?: CallOptions): Promise<unknown> =>
      call(rq, z.unknown(), {
        method: 'DELETE',
        path: `${base(mkey)}/${seg(cacheKey)}`,
        ...withSignal(opts),
      }),
  };
}

export type DeviceEndpoints = ReturnType<typeof deviceEndpoints>;
