import { DEFAULT_DEVICE_PAGE, MAX_DEVICE_PAGE, type DeviceCacheStore } from '../world/index.js';
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

/**
 * `active`: Duo's docs ask for the string "True" (what Python-style clients send; Duo's Ruby client sends
 * "True"/"False"), so any case of true/1 counts, and a JSON body may carry a real boolean.
 */
function activeFlag(ctx: EndpointContext): boolean {
  const json = ctx.json as Record<string, unknown> | undefined;
  const v = json?.['active'] ?? ctx.params.get('active');
  if (v === true) return true;
  if (v === undefined || v === false || v === null) return false;
  if (typeof v !== 'string') throw new DuoApiError(40002, 'active must be True or False');
  if (/^(true|1)$/i.test(v)) return true;
  if (/^(false|0|)$/i.test(v)) return false;
  throw new DuoApiError(40002, 'active must be True or False');
}

/**
 * Ids to look up: `device_id` (one or repeated, as the device-sync requirements name it) and `device_ids` (Duo's Ruby client's
 * name; comma-separated, repeated, or a JSON list). None means "list the whole cache".
 */
function lookupIds(ctx: EndpointContext): string[] {
  const out = [...ctx.params.list('device_id')];
  for (const v of ctx.params.list('device_ids')) {
    const text = v.trim();
    if (text.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new DuoApiError(40002, 'device_ids must be a list of device ids');
      }
      if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string'))
        throw new DuoApiError(40002, 'device_ids must be a list of device ids');
      out.push(...parsed);
    } else out.push(...text.split(',').filter((x) => x.trim() !== ''));
  }
  return out.map((x) => x.trim());
}

/** `limit` (clamped to 1000, default 100) and `offset` of a whole-cache listing, as v1 lists page. */
function devicePage(ctx: EndpointContext): { limit: number; offset: number } {
  const num = (key: string): number | undefined => {
    const v = ctx.params.get(key);
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v)) throw new DuoApiError(40002, `Invalid ${key}`);
    return Number(v);
  };
  const limit = Math.max(1, Math.min(num('limit') ?? DEFAULT_DEVICE_PAGE, MAX_DEVICE_PAGE));
  return { limit, offset: num('offset') ?? 0 };
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
    handler: (ctx) => ({ response: unwrap(store(ctx).create(activeFlag(ctx))) }),
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
    handler: (ctx) => {
      const ids = lookupIds(ctx);
      const page = ids.length === 0 ? devicePage(ctx) : undefined;
      return { response: unwrap(store(ctx).getDevices(cacheKey(ctx), ids, page)) };
    },
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
