import { describe, expect, it } from 'vitest';
import { createClock } from './world/index.js';
import { createEmulator } from './index.js';
import { signedCall } from './signed-call.test-helpers.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const DAY = 86_400_000;

async function setup() {
  const clock = createClock({ realNow: () => NOW });
  const emu = await createEmulator({ seed: 'admin-extra', users: 120, tenants: 2, clock, rateLimit: false });
  const [parent, child] = emu.credentials();
  if (parent === undefined || child === undefined) throw new Error('no tenants');
  const get = async (
    path: string,
    params: Record<string, string | string[]>,
    key: { ikey: string; skey: string } = parent.admin,
    host = parent.hostname,
  ) => {
    const r = await signedCall(emu.app, key, 'GET', path, params, { host, date: new Date(clock.now()) });
    return { status: r.status, body: r.json() as Record<string, unknown> };
  };
  return { emu, parent, child, get };
}

type V1Row = { timestamp: number; txid: string; username: string; result: string; eventtype: string };

describe('Admin API extras: v1 authentication log, endpoints, telephony credits used', () => {
  it('v1 auth log pages by next mintime over the same events the v2 log serves', async () => {
    const { get } = await setup();
    const mintimeS = Math.floor((NOW - 3 * DAY) / 1000);
    const rows: V1Row[] = [];
    let mintime = mintimeS;
    for (let pages = 0; pages < 50; pages++) {
      const r = await get('/admin/v1/logs/authentication', { mintime: String(mintime) });
      expect(r.status).toBe(200);
      const page = r.body['response'] as V1Row[];
      expect(Array.isArray(page)).toBe(true);
      for (const row of page) if (!rows.some((x) => x.txid === row.txid)) rows.push(row);
      if (page.length < 1000) break;
      mintime = Math.max(...page.map((x) => x.timestamp));
    }
    expect(rows.length).toBeGreaterThan(1000); // more than one page was needed
    for (let i = 1; i < rows.length; i++)
      expect((rows[i] as V1Row).timestamp).toBeGreaterThanOrEqual((rows[i - 1] as V1Row).timestamp);
    expect(rows.every((x) => x.timestamp >= mintimeS && x.eventtype === 'authentication')).toBe(true);

    // The v2 log over the same seconds holds exactly these transactions.
    const cutS = Math.floor((NOW - 120_000) / 1000);
    const v2: string[] = [];
    let next: string[] | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const r = await get('/admin/v2/logs/authentication', {
        mintime: String(mintimeS * 1000),
        maxtime: String(NOW - 120_000),
        limit: '1000',
        sort: 'ts:asc',
        ...(next === undefined ? {} : { next_offset: next }),
      });
      const resp = r.body['response'] as { authlogs: V1Row[]; metadata: { next_offset: string[] | null } };
      v2.push(...resp.authlogs.filter((e) => e.timestamp < cutS).map((e) => e.txid));
      if (resp.metadata.next_offset === null) break;
      next = resp.metadata.next_offset;
    }
    const v1Within = rows.filter((x) => x.timestamp < cutS).map((x) => x.txid);
    expect(v1Within.length).toBeGreaterThan(1000);
    expect([...v1Within].sort()).toEqual([...v2].sort());
  });

  it('lists endpoints paged, fetches one by epkey, and 404s an unknown one', async () => {
    const { get } = await setup();
    const all: Array<Record<string, unknown>> = [];
    let offset = '0';
    for (let pages = 0; pages < 20; pages++) {
      const r = await get('/admin/v1/endpoints', { limit: '25', offset });
      expect(r.status).toBe(200);
      all.push(...(r.body['response'] as Array<Record<string, unknown>>));
      const meta = r.body['metadata'] as { next_offset?: number; total_objects: number };
      if (meta.next_offset === undefined) {
        expect(all.length).toBe(meta.total_objects);
        break;
      }
      offset = String(meta.next_offset);
    }
    expect(all.length).toBeGreaterThan(25);
    expect(new Set(all.map((e) => e['epkey'])).size).toBe(all.length);
    const one = all[3] as Record<string, unknown>;
    expect(Object.keys(one).sort()).toEqual(
      [
        'browsers',
        'email',
        'epkey',
        'last_updated',
        'model',
        'os_family',
        'os_version',
        'type',
        'username',
      ].sort(),
    );
    const r = await get(`/admin/v1/endpoints/${String(one['epkey'])}`, {});
    expect(r.body['response']).toEqual(one);
    expect((await get('/admin/v1/endpoints/EPNOTHERE', {})).status).toBe(404);
  });

  it('telephony_credits_used sums the telephony log’s credits for the window', async () => {
    const { get, emu, parent } = await setup();
    const maxtime = Math.floor(NOW / 1000);
    const mintime = maxtime - 30 * 86_400;
    const r = await get('/admin/v1/info/telephony_credits_used', {
      mintime: String(mintime),
      maxtime: String(maxtime),
    });
    expect(r.status).toBe(200);
    const items = emu.world.tenant(parent.hostname).telephonyLog({
      mintime: mintime * 1000,
      maxtime: maxtime * 1000 + 999,
      limit: 100_000,
      sort: 'ts:asc',
    }).items;
    const expected = items.reduce((n, i) => n + i.credits, 0);
    expect(expected).toBeGreaterThan(0);
    expect(r.body['response']).toEqual({ maxtime, mintime, telephony_credits_used: expected });
    const bad = await get('/admin/v1/info/telephony_credits_used', { mintime: '200', maxtime: '100' });
    expect(bad.status).toBe(400);
  });

  it('an Accounts API key calling with account_id on the parent’s own API host gets 40301', async () => {
    const { get, parent, child } = await setup();
    const onParent = await get(
      '/admin/v2/logs/authentication',
      { mintime: String(NOW - DAY), maxtime: String(NOW - 120_000), account_id: child.accountId },
      parent.accounts,
      parent.hostname,
    );
    expect(onParent.status).toBe(403);
    expect(onParent.body['code']).toBe(40301);
    // On the child's host the same key and account_id work (the MSP path the collector uses).
    const onChild = await get(
      '/admin/v2/logs/authentication',
      { mintime: String(NOW - DAY), maxtime: String(NOW - 120_000), account_id: child.accountId },
      parent.accounts,
      child.hostname,
    );
    expect(onChild.status).toBe(200);
  });
});
