import { describe, expect, it } from 'vitest';
import { createClock } from './world/index.js';
import { createEmulator } from './index.js';
import { signedCall } from './signed-call.test-helpers.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const DAY = 86_400_000;

async function setup(options: Parameters<typeof createEmulator>[0] = {}) {
  const clock = createClock({ realNow: () => NOW });
  const emu = await createEmulator({
    seed: 'log-endpoints',
    users: 400,
    clock,
    rateLimit: false,
    ...options,
  });
  const t = emu.credentials()[0];
  if (t === undefined) throw new Error('no tenant');
  const get = async (path: string, params: Record<string, string | string[]>) => {
    const r = await signedCall(emu.app, t.admin, 'GET', path, params, {
      host: t.hostname,
      date: new Date(clock.now()),
    });
    return { status: r.status, body: r.json() as Record<string, unknown> };
  };
  return { emu, clock, t, get };
}

type Tm = { sekey: string; type: string; triage_event_uri: string; surfaced_auth?: unknown } & Record<
  string,
  unknown
>;

describe('emulated log endpoints', () => {
  it('trust monitor pages by an integer-like next_offset passed back as offset, and filters by type', async () => {
    const { get, t } = await setup();
    const window = { mintime: String(NOW - 170 * DAY), maxtime: String(NOW - 120_000) };
    const seen: Tm[] = [];
    let offset: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const r = await get('/admin/v1/trust_monitor/events', {
        ...window,
        limit: '10',
        ...(offset === undefined ? {} : { offset }),
      });
      expect(r.status).toBe(200);
      const resp = r.body['response'] as { events: Tm[]; metadata: { next_offset?: unknown } };
      seen.push(...resp.events);
      const next = resp.metadata.next_offset;
      if (next === undefined) break;
      // duo_log_sync passes it through int(): it must be an integer.
      expect(Number.isInteger(next)).toBe(true);
      offset = (next as number).toString();
    }
    expect(seen.length).toBeGreaterThan(20);
    expect(new Set(seen.map((e) => e.sekey)).size).toBe(seen.length);
    const types = new Set(seen.map((e) => e.type));
    expect([...types].sort()).toEqual(['auth', 'bypass_status', 'device_registration']);
    const bypass = seen.find((e) => e.type === 'bypass_status');
    expect(bypass).toMatchObject({ enabled_for: { name: expect.any(String) as string } });
    expect(typeof bypass?.['bypass_status_enabled']).toBe('number');
    expect(seen.filter((e) => e.type === 'auth').every((e) => e.surfaced_auth !== undefined)).toBe(true);
    expect(seen.some((e) => (e['priority_reasons'] as unknown[]).length > 0)).toBe(true);
    const adminHost = t.hostname.replace(/^api-/, 'admin-');
    expect(seen.every((e) => e.triage_event_uri.startsWith(`https://${adminHost}/`))).toBe(true);

    const onlyBypass = await get('/admin/v1/trust_monitor/events', {
      ...window,
      type: 'bypass_status',
      limit: '200',
    });
    const events = (onlyBypass.body['response'] as { events: Tm[] }).events;
    expect(events.length).toBe(seen.filter((e) => e.type === 'bypass_status').length);
    expect(events.every((e) => e.type === 'bypass_status')).toBe(true);
    expect((await get('/admin/v1/trust_monitor/events', { ...window, offset: '12,SEabc' })).status).toBe(400);
  });

  it('refuses maxtime <= mintime with Duo message, and accepts the official 180-day default', async () => {
    const { get } = await setup();
    const r = await get('/admin/v2/logs/authentication', {
      mintime: String(NOW - DAY),
      maxtime: String(NOW - DAY),
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      code: 40002,
      message_detail: "'maxtime' must be strictly greater than 'mintime'",
    });
    // The official client computes "180 days ago" from its own clock a moment before we see the request.
    const ok = await get('/admin/v2/logs/telephony', {
      mintime: String(NOW - 180 * DAY - 5_000),
      maxtime: String(NOW),
    });
    expect(ok.status).toBe(200);
    const old = await get('/admin/v2/logs/telephony', {
      mintime: String(NOW - 181 * DAY),
      maxtime: String(NOW),
    });
    expect(old.status).toBe(400);
  });

  it('does not re-apply mintime to an ascending cursor', async () => {
    const { get } = await setup();
    const base = {
      mintime: String(NOW - 2 * DAY),
      maxtime: String(NOW - 120_000),
      sort: 'ts:asc',
      limit: '50',
    };
    const first = await get('/admin/v2/logs/authentication', base);
    const resp = first.body['response'] as {
      authlogs: { txid: string }[];
      metadata: { next_offset: string[] };
    };
    const cursor = resp.metadata.next_offset;
    expect(cursor).toHaveLength(2);
    const same = await get('/admin/v2/logs/authentication', { ...base, next_offset: cursor });
    // A later mintime with the same cursor returns the same page (duo_log_sync moves mintime along).
    const moved = await get('/admin/v2/logs/authentication', {
      ...base,
      mintime: String(NOW - DAY),
      next_offset: cursor,
    });
    const txids = (b: Record<string, unknown>) =>
      (b['response'] as { authlogs: { txid: string }[] }).authlogs.map((e) => e.txid);
    expect(txids(moved.body)).toEqual(txids(same.body));
    expect(txids(same.body).some((x) => txids(first.body).includes(x))).toBe(false);
  });

  it('activity items carry action {name, details}, old_target and varied actors; offline enrollment names the integration', async () => {
    const { get, emu, t } = await setup();
    const r = await get('/admin/v2/logs/activity', {
      mintime: String(NOW - 30 * DAY),
      maxtime: String(NOW - 120_000),
      limit: '1000',
    });
    const items = (r.body['response'] as { items: Record<string, unknown>[] }).items;
    expect(items.length).toBeGreaterThan(50);
    expect(items.every((i) => typeof (i['action'] as { name?: unknown }).name === 'string')).toBe(true);
    const actorTypes = new Set(items.map((i) => (i['actor'] as { type: string }).type));
    expect([...actorTypes].sort()).toEqual(['admin', 'api', 'system', 'user']);
    expect(new Set(items.map((i) => (i['action'] as { name: string }).name)).size).toBeGreaterThan(8);
    expect(items.some((i) => i['old_target'] !== null)).toBe(true);
    expect(items.some((i) => i['application'] !== null)).toBe(true);
    expect(items.every((i) => 'epkey' in (i['access_device'] as object))).toBe(true);
    const off = await get('/admin/v1/logs/offline_enrollment', {
      mintime: String(Math.floor((NOW - 170 * DAY) / 1000)),
    });
    const rows = off.body['response'] as { object: string; username: string }[];
    expect(rows.length).toBeGreaterThan(0);
    const appNames = new Set(
      emu.world
        .tenant(t.hostname)
        .integrations()
        .map((i) => i.name),
    );
    expect(rows.every((row) => appNames.has(row.object) && row.object !== row.username)).toBe(true);
  });
});
