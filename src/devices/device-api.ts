import { z } from 'zod';
import type { DuoClient } from '../duo/index.js';

export interface CacheInfo {
  cache_key: string;
  status: string;
  device_count: number;
}

const cacheSchema = z.object({ cache_key: z.string(), status: z.string(), device_count: z.coerce.number() });
const countSchema = z.object({ device_count: z.coerce.number() });
const pageSchema = z.object({
  devices_retrieved: z.array(z.object({ device_id: z.string() })),
  next_offset: z.union([z.number(), z.string()]).nullish(),
});

/** Largest page asked for when reading a whole cache back (what Duo's Ruby client asks for). */
export const READ_PAGE = 1000;

/**
 * The slice of Duo's Device API a sync uses, over the shared client (signing, 429 back-off, limits).
 * Requests are form-encoded with v2 signatures, as Duo's own upload script sends them: `devices` is
 * URL-encoded JSON text, and `active` would be the string "True" (docs/devices.md "Duo's Device API").
 */
export interface DeviceApi {
  listCaches(status?: 'active' | 'pending'): Promise<CacheInfo[]>;
  getCache(cacheKey: string): Promise<CacheInfo>;
  createCache(): Promise<CacheInfo>;
  addDevices(cacheKey: string, ids: readonly string[]): Promise<number>;
  /** One page of a whole cache's identifiers. */
  readDevices(cacheKey: string, offset: number): Promise<{ ids: string[]; next: number | null }>;
  activate(cacheKey: string): Promise<void>;
  deleteCache(cacheKey: string): Promise<void>;
}

export function deviceApi(client: Pick<DuoClient, 'request'>, mkey: string, signal?: AbortSignal): DeviceApi {
  const base = `/device/v1/management_systems/${encodeURIComponent(mkey)}/device_cache`;
  const at = (key: string) => `${base}/${encodeURIComponent(key)}`;
  const call = async <T>(
    schema: z.ZodType<T>,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    params: Record<string, string> = {},
  ): Promise<T> => {
    const reply = await client.request({
      method,
      path,
      params,
      sigVersion: 2,
      ...(signal === undefined ? {} : { signal }),
    });
    return schema.parse(reply.response);
  };
  return {
    listCaches: (status) => call(z.array(cacheSchema), 'GET', base, status === undefined ? {} : { status }),
    getCache: (key) => call(cacheSchema, 'GET', at(key)),
    createCache: () => call(cacheSchema, 'POST', base),
    addDevices: async (key, ids) =>
      (
        await call(countSchema, 'POST', `${at(key)}/devices`, {
          devices: JSON.stringify(ids.map((device_id) => ({ device_id }))),
        })
      ).device_count,
    readDevices: async (key, offset) => {
      const page = await call(pageSchema, 'GET', `${at(key)}/devices`, {
        limit: String(READ_PAGE),
        offset: String(offset),
      });
      const next =
        page.next_offset === undefined || page.next_offset === null ? null : Number(page.next_offset);
      return {
        ids: page.devices_retrieved.map((d) => d.device_id),
        next: next !== null && Number.isFinite(next) && next > offset ? next : null,
      };
    },
    activate: async (key) => {
      await call(z.unknown(), 'POST', `${at(key)}/activate`);
    },
    deleteCache: async (key) => {
      await call(z.unknown(), 'DELETE', at(key));
    },
  };
}
