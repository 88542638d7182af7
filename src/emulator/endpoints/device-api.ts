import type { DeviceCacheStore } from '../world/index.js';
import { DuoApiError } from '../wire/duo-errors.js';
import { unwrap, type EndpointContext, type EndpointDef } from './endpoint.js';

const BASE = '/device/v1/management_systems/:mkey/device_cache';

/** The `mkey` in the path must be the calling Device API integration's own management system. */
function store(ctx: EndpointContext): DeviceCacheStore {
  const mkey = ctx.path['mkey'] ?? '';
  if (ctx.app.mkey !== mkey) throw new DuoApiError(40301);
  const s = ctx.tenant.deviceCaches(mkey);
  if (s === undefined) throw new DuoApiError(40401);
  return s;
}

/**
 * `devices` is a JSON list of `{"device_id": …}`: a JSON-encoded string in a form post or query, or a real
 * array in a v5 JSON body (docs/duo-wire.md §5).
 */
function deviceIds(ctx: EndpointContext): string[] {
  let raw: unknown =
    typeof ctx.json === 'object' && ctx.json !== null
      ? (ctx.json as Record<string, unknown>)['devices']
      : undefined;
  if (raw === undefined) {
    const text = ctx.params.get('devices');
    if (text === undefined) throw new DuoApiError(40001);
    try {
      raw = JSON.parse(text);
    } catch {
      throw new DuoApiError(40002, 'devices must be a JSON list');
    }
  }
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new DuoApiError(40002, 'devices must be a JSON list');
    }
  }
  if (!Array.isArray(raw)) throw new DuoApiError(40002, 'devices must be a JSON list');
  return raw.map((d: unknown) => {
    const id = typeof d === 'object' && d !== null ? (d as Record<string, unknown>)['device_id'] : d;
    if (typeof id !== 'string') throw new DuoApiError(40002, 'each device needs a device_id');
    return id;
  });
}

function cacheKey(ctx: EndpointContext): string {
  return ctx.path['cache_key'] ?? '';
}

/** Device API device caches (docs/duo-wire.md §5); the cache rules themselves live in the world's store. */
export const deviceApiEndpoints: EndpointDef[] = [
  {
    method: 'POST',
    path: BASE,
    api: 'device',
    rate: 'modify',
    handler: (ctx) => {
      const active = ctx.params.get('active');
      const json = ctx.json as Record<string, unknown> | undefined;
      const isActive = active === 'true' || active === '1' || json?.['active'] === true;
      return { response: unwrap(store(ctx).create(isActive)) };
    },
  },
  {
    method: 'GET',
    path: BASE,
    api: 'device',
    rate: 'page',
    handler: (ctx) => {
      const status = ctx.params.get('status');
      if (status !== undefined && status !== 'active' && status !== 'pending') {
        throw new DuoApiError(40002, 'status must be active or pending');
      }
      return { response: store(ctx).list(status) };
    },
  },
  {
    method: 'GET',
    path: `${BASE}/:cache_key`,
    api: 'device',
    rate: 'get_one',
    handler: (ctx) => ({ response: unwrap(store(ctx).get(cacheKey(ctx))) }),
  },
  {
    method: 'DELETE',
    path: `${BASE}/:cache_key`,
    api: 'device',
    rate: 'modify',
    handler: (ctx) => ({ response: unwrap(store(ctx).delete(cacheKey(ctx))) }),
  },
  {
    method: 'POST',
    path: `${BASE}/:cache_key/devices`,
    api: 'device',
    rate: 'modify',
    handler: (ctx) => ({ response: unwrap(store(ctx).addDevices(cacheKey(ctx), deviceIds(ctx))) }),
  },
  {
    method: 'GET',
    path: `${BASE}/:cache_key/devices`,
    api: 'device',
    rate: 'page',
    handler: (ctx) => ({
      response: unwrap(store(ctx).getDevices(cacheKey(ctx), ctx.params.list('device_id'))),
    }),
  },
  {
    method: 'DELETE',
    path: `${BASE}/:cache_key/devices`,
    api: 'device',
    rate: 'modify',
    handler: (ctx) => ({ response: unwrap(store(ctx).deleteDevices(cacheKey(ctx), deviceIds(ctx))) }),
  },
  {
    method: 'POST',
    path: `${BASE}/:cache_key/activate`,
    api: 'device',
    rate: 'modify',
    handler: (ctx) => ({ response: unwrap(store(ctx).activate(cacheKey(ctx))) }),
  },
];
