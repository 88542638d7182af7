/**
 * Device API trusted-endpoint caches for one management system (docs/duo-wire.md §5 "Device API"):
 * at most one pending and one active cache; a second pending create (or an active create while one is
 * active) is 409; activation deletes the previous active cache; only pending caches can be deleted;
 * at most 1000 ids per add; re-adding an id is a no-op; ids are validated for the integration's one OS.
 */
import { invalid, notFound, worldError } from './errors.js';
import { duoId } from './prng.js';
import type { DeviceCache, DeviceCacheStore, DeviceOs, DevicesRetrieved, WorldError } from './types.js';

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
/** Firmware placeholder UUIDs that dmidecode returns on boards with no real one: not device identities. */
const PLACEHOLDERS = new Set([
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '03000200-0400-0500-0006-000700080009',
  '00020003-0004-0005-0006-000700080009',
]);

export const MAX_DEVICES_PER_ADD = 1000;
/** Listing a whole cache: default and largest page (inferred; Duo's Ruby client asks for 1000). */
export const DEFAULT_DEVICE_PAGE = 100;
export const MAX_DEVICE_PAGE = 1000;

/**
 * The identifier as this OS reports it, or undefined if it cannot be one. Windows MachineGuid and Linux
 * product UUID / machine-id are lowercase; macOS IOPlatformUUID is uppercase. Duo compares ids as given, so
 * the emulator normalizes case per OS (ASSUMPTIONS A11) to keep adds idempotent. A Linux /etc/machine-id
 * (32 hex) is accepted once formatted as a UUID (Duo Desktop >= 4.7 does this).
 */
export function normalizeDeviceId(os: DeviceOs, raw: string): string | undefined {
  const id = raw.trim();
  if (!UUID.test(id)) return undefined;
  if (PLACEHOLDERS.has(id.toLowerCase())) return undefined;
  return os === 'macos' ? id.toUpperCase() : id.toLowerCase();
}

interface Cache {
  key: string;
  status: 'pending' | 'active';
  devices: Map<string, number>;
  created: number;
  updated: number;
}

export function createDeviceCacheStore(
  seed: string,
  mkey: string,
  os: DeviceOs,
  nowS: () => number,
): DeviceCacheStore {
  const caches: Cache[] = [];
  let made = 0;
  const view = (c: Cache): DeviceCache => ({
    cache_key: c.key,
    created: c.created,
    device_count: c.devices.size,
    status: c.status,
    updated: c.updated,
  });
  const find = (key: string): Cache | WorldError =>
    caches.find((c) => c.key === key) ?? notFound('cache_key');
  const validate = (ids: readonly string[]): string[] | WorldError => {
    if (ids.length > MAX_DEVICES_PER_ADD)
      return invalid(`devices: at most ${MAX_DEVICES_PER_ADD} per request`);
    const out: string[] = [];
    const bad: string[] = [];
    for (const raw of ids) {
      const id = normalizeDeviceId(os, raw);
      if (id === undefined) bad.push(raw);
      else out.push(id);
    }
    if (bad.length > 0)
      return invalid(
        `devices: invalid ${os} device_id ${bad
          .slice(0, 5)
          .map((b) => JSON.stringify(b))
          .join(', ')}`,
      );
    return out;
  };
  return {
    os,
    create(active = false) {
      const status = active ? 'active' : 'pending';
      // Duo: a new pending cache needs the old one deleted or activated; a new active cache needs the old
      // active one gone. Duo answers 409; the code is the §3 one for bad parameters (A10).
      if (caches.some((c) => c.status === status))
        return worldError(409, 40002, `a ${status} device cache already exists`);
      const c: Cache = {
        key: duoId('DC', seed, mkey, ++made),
        status,
        devices: new Map(),
        created: nowS(),
        updated: nowS(),
      };
      caches.push(c);
      return view(c);
    },
    list(status) {
      return caches.filter((c) => status === undefined || c.status === status).map(view);
    },
    get(key) {
      const c = find(key);
      return 'error' in c ? c : view(c);
    },
    addDevices(key, ids) {
      const c = find(key);
      if ('error' in c) return c;
      const valid = validate(ids);
      if ('error' in valid) return valid;
      for (const id of valid) if (!c.devices.has(id)) c.devices.set(id, nowS());
      c.updated = nowS();
      return { device_count: c.devices.size };
    },
    getDevices(key, ids, page = { limit: DEFAULT_DEVICE_PAGE, offset: 0 }) {
      const c = find(key);
      if ('error' in c) return c;
      if (ids.length === 0) {
        // A whole-cache listing pages in insertion order (Map order), so a reader can resume by offset.
        // Walk the Map without copying it: a 100,000-device cache is read back in 100 pages.
        const slice: { date_added: number; device_id: string }[] = [];
        let i = 0;
        for (const [device_id, date_added] of c.devices) {
          if (i >= page.offset + page.limit) break;
          if (i >= page.offset) slice.push({ date_added, device_id });
          i++;
        }
        const out: DevicesRetrieved = {
          cache_key: c.key,
          devices_retrieved: slice,
          num_devices_retrieved: slice.length,
        };
        if (page.offset + page.limit < c.devices.size) out.next_offset = page.offset + page.limit;
        return out;
      }
      const found: { date_added: number; device_id: string }[] = [];
      for (const raw of ids) {
        const id = normalizeDeviceId(os, raw);
        const added = id === undefined ? undefined : c.devices.get(id);
        if (id !== undefined && added !== undefined) found.push({ date_added: added, device_id: id });
      }
      return { cache_key: c.key, devices_retrieved: found, num_devices_retrieved: found.length };
    },
    deleteDevices(key, ids) {
      const c = find(key);
      if ('error' in c) return c;
      if (ids.length > MAX_DEVICES_PER_ADD)
        return invalid(`devices: at most ${MAX_DEVICES_PER_ADD} per request`);
      for (const raw of ids) {
        const id = normalizeDeviceId(os, raw);
        if (id !== undefined) c.devices.delete(id);
      }
      c.updated = nowS();
      return { device_count: c.devices.size };
    },
    activate(key) {
      const c = find(key);
      if ('error' in c) return c;
      if (c.status !== 'pending') return invalid('cache_key: only a pending cache can be activated');
      const old = caches.findIndex((x) => x.status === 'active');
      if (old >= 0) caches.splice(old, 1);
      c.status = 'active';
      c.updated = nowS();
      return {};
    },
    delete(key) {
      const c = find(key);
      if ('error' in c) return c;
      if (c.status !== 'pending') return invalid('cache_key: an active cache cannot be deleted');
      caches.splice(caches.indexOf(c), 1);
      return {};
    },
  };
}
