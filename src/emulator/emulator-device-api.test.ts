import { describe, expect, it } from 'vitest';
import { createClock } from './world/index.js';
import { createEmulator, type TenantCredentials } from './index.js';
import { signedCall } from './signed-call.test-helpers.js';

const FIXED = Date.UTC(2026, 10, 30, 12, 0, 0);
const uuid = (i: number): string => `${i.toString(16).padStart(8, '0')}-5c10-4a05-9f00-d4d80d4156c7`;

async function setup() {
  const clock = createClock({ realNow: () => FIXED });
  const emu = await createEmulator({ seed: 'device-api', users: 2, clock, rateLimit: false });
  const t = emu.credentials()[0] as TenantCredentials;
  const base = `/device/v1/management_systems/${t.device.mkey}/device_cache`;
  /** Form-encoded v2 like Duo's Python script: `devices` is URL-encoded JSON text. */
  const call = async (method: string, path: string, params: Record<string, string | string[]> = {}) => {
    const r = await signedCall(emu.app, t.device, method, path, params, {
      host: t.hostname,
      date: new Date(clock.now()),
      v: 2,
    });
    return { status: r.status, body: r.json() as { stat: string; response?: unknown; code?: number } };
  };
  return { call, base };
}

describe('emulated Device API (what a sync needs)', () => {
  it('creates an active cache directly when asked with the string "True"', async () => {
    const { call, base } = await setup();
    const r = await call('POST', base, { active: 'True' });
    expect(r.body.response).toMatchObject({ status: 'active', device_count: 0 });
    const pending = await call('POST', base, { active: 'False' });
    expect(pending.body.response).toMatchObject({ status: 'pending' });
    expect((await call('POST', base, { active: 'maybe' })).body).toMatchObject({ stat: 'FAIL', code: 40002 });
  });

  it('lists a whole cache in pages with next_offset, filters by device_ids, and names the cache', async () => {
    const { call, base } = await setup();
    const key = ((await call('POST', base)).body.response as { cache_key: string }).cache_key;
    const ids = Array.from({ length: 250 }, (_, i) => uuid(i));
    const added = await call('POST', `${base}/${key}/devices`, {
      devices: JSON.stringify(ids.map((device_id) => ({ device_id }))),
    });
    expect(added.body.response).toEqual({ device_count: 250 });
    const seen: string[] = [];
    let offset: number | undefined = 0;
    let pages = 0;
    while (offset !== undefined && pages < 10) {
      const page = await call('GET', `${base}/${key}/devices`, { limit: '100', offset: String(offset) });
      const res = page.body.response as {
        cache_key: string;
        devices_retrieved: { device_id: string; date_added: number }[];
        num_devices_retrieved: number;
        next_offset?: number;
      };
      expect(res.cache_key).toBe(key);
      expect(res.num_devices_retrieved).toBe(res.devices_retrieved.length);
      seen.push(...res.devices_retrieved.map((d) => d.device_id));
      offset = res.next_offset;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    // A limit beyond 1000 is clamped, not refused.
    const big = await call('GET', `${base}/${key}/devices`, { limit: '5000' });
    expect((big.body.response as { num_devices_retrieved: number }).num_devices_retrieved).toBe(250);
    const some = await call('GET', `${base}/${key}/devices`, { device_ids: `${uuid(3)},${uuid(9999)}` });
    expect(some.body.response).toEqual({
      cache_key: key,
      devices_retrieved: [{ date_added: FIXED / 1000, device_id: uuid(3) }],
      num_devices_retrieved: 1,
    });
    const repeated = await call('GET', `${base}/${key}/devices`, { device_ids: [uuid(1), uuid(2)] });
    expect((repeated.body.response as { num_devices_retrieved: number }).num_devices_retrieved).toBe(2);
    const one = await call('GET', `${base}/${key}/devices`, { device_id: uuid(7) });
    expect((one.body.response as { num_devices_retrieved: number }).num_devices_retrieved).toBe(1);
    expect((await call('GET', `${base}/${key}/devices`, { offset: '-1' })).body.code).toBe(40002);
  });

  it('answers Duo error codes for the lifecycle mistakes', async () => {
    const { call, base } = await setup();
    const key = ((await call('POST', base)).body.response as { cache_key: string }).cache_key;
    expect(await call('POST', base)).toMatchObject({ status: 409, body: { code: 40002 } });
    expect((await call('POST', `${base}/${key}/devices`, {})).body.code).toBe(40001);
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ device_id: uuid(i) }));
    expect(await call('POST', `${base}/${key}/devices`, { devices: JSON.stringify(tooMany) })).toMatchObject({
      status: 400,
      body: { code: 40002 },
    });
    expect((await call('GET', `${base}/DCNOTTHERE000000000/devices`)).status).toBe(404);
    expect((await call('POST', `${base}/${key}/activate`)).body.response).toEqual({});
    expect((await call('DELETE', `${base}/${key}`)).body.code).toBe(40002);
  });
});
