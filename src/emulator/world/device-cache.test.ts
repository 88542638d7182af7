import { describe, expect, it } from 'vitest';
import {
  createClock,
  createTenant,
  isWorldError,
  normalizeDeviceId,
  type DeviceCacheStore,
} from './index.js';

const NOW = Date.UTC(2026, 10, 18, 15, 30);

function store(os: 'windows' | 'macos' | 'linux' = 'windows'): DeviceCacheStore {
  const t = createTenant(
    { hostname: 'api-dev.duosecurity.com', seed: 'dev', users: 5, now: NOW },
    createClock({ realNow: () => NOW }),
  );
  const app =
    os === 'windows' ? t.applications().find((a) => a.kind === 'device') : t.addApplication('device', { os });
  const s = t.deviceCaches(app?.mkey ?? '');
  if (s === undefined) throw new Error('no store');
  expect(t.deviceCaches('DMNOPE')).toBeUndefined();
  return s;
}

const uuid = (i: number) => `${i.toString(16).padStart(8, '0')}-5c10-4a05-9f00-d4d80d4156c7`;

function ok<T>(v: T): Exclude<T, { error: unknown }> {
  if (isWorldError(v)) throw new Error(JSON.stringify(v));
  return v as Exclude<T, { error: unknown }>;
}

describe('Device API caches', () => {
  it('one pending cache at a time: a second create is 409', () => {
    const s = store();
    const c = ok(s.create());
    expect(c).toEqual({
      cache_key: expect.stringMatching(/^DC[A-Z0-9]{18}$/) as unknown,
      created: NOW / 1000,
      device_count: 0,
      status: 'pending',
      updated: NOW / 1000,
    });
    expect(s.create()).toMatchObject({ error: { status: 409 } });
    expect(s.list('pending')).toHaveLength(1);
    expect(s.list('active')).toHaveLength(0);
  });

  it('adds are idempotent, at most 1000 per call, and invalid ids are rejected', () => {
    const s = store();
    const c = ok(s.create());
    const ids = Array.from({ length: 1000 }, (_, i) => uuid(i));
    expect(s.addDevices(c.cache_key, ids)).toEqual({ device_count: 1000 });
    expect(s.addDevices(c.cache_key, ids.slice(0, 10))).toEqual({ device_count: 1000 });
    expect(s.addDevices(c.cache_key, [...ids, uuid(5000)])).toMatchObject({
      error: { status: 400, code: 40002 },
    });
    expect(s.addDevices(c.cache_key, [uuid(2000), 'not-a-guid'])).toMatchObject({ error: { code: 40002 } });
    expect(ok(s.get(c.cache_key)).device_count).toBe(1000); // a rejected batch adds nothing
    const got = ok(s.getDevices(c.cache_key, [uuid(3), uuid(9999)]));
    expect(got).toEqual({
      cache_key: c.cache_key,
      devices_retrieved: [{ date_added: NOW / 1000, device_id: uuid(3) }],
      num_devices_retrieved: 1,
    });
    expect(s.deleteDevices(c.cache_key, [uuid(3), uuid(4)])).toEqual({ device_count: 998 });
    expect(s.get('DCNOPE')).toMatchObject({ error: { status: 404, code: 40401 } });
  });

  it('activation replaces the previous active cache; only pending caches can be deleted', () => {
    const s = store();
    const first = ok(s.create());
    expect(s.activate(first.cache_key)).toEqual({});
    expect(s.delete(first.cache_key)).toMatchObject({ error: { code: 40002 } });
    const second = ok(s.create());
    s.addDevices(second.cache_key, [uuid(1)]);
    expect(s.activate(second.cache_key)).toEqual({});
    expect(s.list()).toMatchObject([{ cache_key: second.cache_key, device_count: 1, status: 'active' }]);
    expect(s.list()).toHaveLength(1);
    expect(s.get(first.cache_key)).toMatchObject({ error: { code: 40401 } });
    expect(s.activate(second.cache_key)).toMatchObject({ error: { code: 40002 } });
    // An active create while one is active is refused; a pending one can be made and deleted.
    expect(s.create(true)).toMatchObject({ error: { status: 409 } });
    const third = ok(s.create());
    expect(s.delete(third.cache_key)).toEqual({});
    expect(s.list('pending')).toHaveLength(0);
  });

  it('validates identifiers per OS', () => {
    expect(normalizeDeviceId('windows', '82BE363F-5C10-405F-900A-D4D80D4156C7')).toBe(
      '82be363f-5c10-405f-900a-d4d80d4156c7',
    );
    expect(normalizeDeviceId('macos', '942477a1-f1c1-58b2-a2d2-b8ca8da1a671')).toBe(
      '942477A1-F1C1-58B2-A2D2-B8CA8DA1A671',
    );
    expect(normalizeDeviceId('linux', '3669cf64-3561-11ee-be56-0242ac120002')).toBe(
      '3669cf64-3561-11ee-be56-0242ac120002',
    );
    expect(normalizeDeviceId('linux', '03000200-0400-0500-0006-000700080009')).toBeUndefined();
    expect(normalizeDeviceId('windows', '82be363f-5c10-j05h-p00l-d4d80d4156c7')).toBeUndefined();
    expect(normalizeDeviceId('macos', '00000000-0000-0000-0000-000000000000')).toBeUndefined();
    expect(normalizeDeviceId('linux', '3669cf6435611eebe560242ac120002a')).toBeUndefined();
    const mac = store('macos');
    const c = ok(mac.create());
    mac.addDevices(c.cache_key, ['942477a1-f1c1-58b2-a2d2-b8ca8da1a671']);
    expect(mac.addDevices(c.cache_key, ['942477A1-F1C1-58B2-A2D2-B8CA8DA1A671'])).toEqual({
      device_count: 1,
    });
    expect(mac.os).toBe('macos');
  });
});
