import { describe, expect, it } from 'vitest';
import { collectAll, createDuoClient, nextMintime, parseAuthLogCursor } from '../index.js';
import { fakeClock, fakeDispatcher, ok, type FakeHandler } from '../test-support/fakes.test-helpers.js';

const creds = {
  ikey: 'DIPAGINGTESTIKEY0001',
  skey: 'paging-test-skey-0123456789abcdefghijklmnopqrst',
  host: 'api-page0001.duosecurity.com',
};

function setup(handler: FakeHandler) {
  const fake = fakeDispatcher(handler);
  // Limits off: paging tests are about cursors, not spacing.
  const clock = fakeClock();
  const client = createDuoClient({ ...creds, dispatcher: fake.dispatcher, clock });
  return { client, seen: fake.seen, clock };
}

const user = (i: number) => ({ user_id: `DU${String(i).padStart(18, '0')}`, username: `u${String(i)}` });

describe('v1 offset lists', () => {
  it('walks pages until next_offset is absent, and also stops on null', async () => {
    for (const last of [{}, { next_offset: null }]) {
      const { client, seen } = setup((req) => {
        const offset = Number(req.query.get('offset'));
        if (offset === 0) return ok([user(1), user(2)], { metadata: { next_offset: 2, total_objects: 3 } });
        return ok([user(3)], { metadata: { total_objects: 3, ...last } });
      });
      const all = await collectAll(client.admin.users.list({ pageSize: 2 }));
      expect(all.items.map((u) => u.username)).toEqual(['u1', 'u2', 'u3']);
      expect(all.truncated).toBe(false);
      expect(seen.map((r) => r.query.get('offset'))).toEqual(['0', '2']);
      expect(seen[0]?.query.get('limit')).toBe('2');
    }
  });

  it('also reads bare top-level paging fields', async () => {
    const { client } = setup((req) =>
      req.query.get('offset') === '0' ? ok([user(1)], { next_offset: 1 }) : ok([user(2)], {}),
    );
    expect((await collectAll(client.admin.users.list())).items).toHaveLength(2);
  });

  it('reports truncation at maxPages and where to resume', async () => {
    const { client } = setup((req) =>
      ok([user(Number(req.query.get('offset')))], { next_offset: Number(req.query.get('offset')) + 1 }),
    );
    const it = client.admin.users.list({ maxPages: 3 });
    const all = await collectAll(it);
    expect(all.items).toHaveLength(3);
    expect(all.truncated).toBe(true);
    expect(all.next).toBe(3);
    expect(it.state.pages).toBe(3);
  });

  it('clamps the page size to the endpoint maximum', async () => {
    const { client, seen } = setup(() => ok([]));
    await collectAll(client.admin.users.list({ pageSize: 5000 }));
    await collectAll(client.admin.groups.list({ pageSize: 5000 }));
    expect(seen.map((r) => r.query.get('limit'))).toEqual(['300', '500']);
  });
});

describe('auth log v2 cursor', () => {
  it('sends the cursor back as two repeated next_offset values, timestamp first, and stops on null', async () => {
    const { client, seen } = setup((req) => {
      const offsets = req.query.getAll('next_offset');
      if (offsets.length === 0)
        return ok({
          authlogs: [{ txid: 'a' }],
          metadata: { next_offset: ['1532951895000', '0af0b1c2'], total_objects: 2 },
        });
      return ok({ authlogs: [{ txid: 'b' }], metadata: { next_offset: null } });
    });
    const all = await collectAll(
      client.logs.authentication({ mintime: 1, maxtime: 2, users: ['DU1', 'DU2'] }),
    );
    expect(all.items.map((e) => e.txid)).toEqual(['a', 'b']);
    expect(seen[1]?.query.getAll('next_offset')).toEqual(['1532951895000', '0af0b1c2']);
    expect(seen[0]?.query.getAll('users')).toEqual(['DU1', 'DU2']);
    expect(seen[0]?.query.get('limit')).toBe('1000');
  });

  it('accepts both cursor forms from Duo', () => {
    expect(parseAuthLogCursor(['1532951895000', 'af0b'])).toEqual(['1532951895000', 'af0b']);
    expect(parseAuthLogCursor([1532951895000, 'af0b'])).toEqual(['1532951895000', 'af0b']);
    expect(parseAuthLogCursor('1532951895000,af0b')).toEqual(['1532951895000', 'af0b']);
    expect(parseAuthLogCursor(null)).toBeNull();
    expect(parseAuthLogCursor([])).toBeNull();
  });

  it('caps pages (25 by default, as the compliance specification does) and reports truncation', async () => {
    const { client } = setup((_r, n) =>
      ok({ authlogs: [{ txid: String(n) }], metadata: { next_offset: [String(n), `t${String(n)}`] } }),
    );
    const all = await collectAll(client.logs.authentication({ mintime: 1, maxtime: 2, maxPages: 2 }));
    expect(all).toMatchObject({ truncated: true, next: ['2', 't2'] });
  });
});

describe('string cursors', () => {
  it('telephony v2 passes next_offset back and stops when it is absent', async () => {
    const { client, seen } = setup((req) =>
      req.query.get('next_offset') === null
        ? ok({ items: [{ telephony_id: 't1' }], metadata: { next_offset: '1600000000000,abc' } })
        : ok({ items: [{ telephony_id: 't2' }], metadata: {} }),
    );
    const all = await collectAll(client.logs.telephony({ mintime: 1, maxtime: 2 }));
    expect(all.items).toHaveLength(2);
    expect(seen[1]?.query.get('next_offset')).toBe('1600000000000,abc');
  });

  it('trust monitor sends the cursor as offset, limit at most 200', async () => {
    const { client, seen } = setup((req) =>
      req.query.get('offset') === null
        ? ok({ events: [{ sekey: 's1' }], metadata: { next_offset: '31229' } })
        : ok({ events: [], metadata: { next_offset: null } }),
    );
    const all = await collectAll(client.logs.trustMonitor({ mintime: 1, maxtime: 2, pageSize: 900 }));
    expect(all.items).toHaveLength(1);
    expect(seen[0]?.query.get('limit')).toBe('200');
    expect(seen[1]?.query.get('offset')).toBe('31229');
  });
});

describe('v1 logs by mintime', () => {
  it('ends on a short page', () => {
    expect(nextMintime([{ timestamp: 5 }], 1000)).toEqual({ next: null, sharedSecondOverflow: false });
  });
  it('restarts at the greatest timestamp of a full page (repeats dropped by the caller)', () => {
    expect(nextMintime([{ timestamp: 5 }, { timestamp: 9 }], 2)).toEqual({
      next: 9,
      sharedSecondOverflow: false,
    });
  });
  it('steps one second past a full page that shares one timestamp', () => {
    expect(nextMintime([{ timestamp: 7 }, { timestamp: 7 }], 2)).toEqual({
      next: 8,
      sharedSecondOverflow: true,
    });
  });

  it('pages the administrator log without losing or repeating rows at the boundary second', async () => {
    // 1000 rows at 100..1099 where the last two share t=1099, then 1 more at t=1099 and one at 1200.
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      action: 'user_update',
      timestamp: 100 + Math.min(i, 999),
      object: `o${String(i)}`,
    }));
    rows[999] = { action: 'user_update', timestamp: 1098, object: 'o999' };
    const { client, seen } = setup((req) => {
      const mintime = Number(req.query.get('mintime'));
      if (mintime === 50) return ok(rows);
      // Duo returns everything at or after mintime: the boundary rows again, plus new ones.
      return ok([
        rows[998],
        rows[999],
        { action: 'user_create', timestamp: 1098, object: 'late' },
        { action: 'x', timestamp: 1200, object: 'z' },
      ]);
    });
    const all = await collectAll(client.logs.administrator({ mintime: 50 }));
    expect(seen.map((r) => r.query.get('mintime'))).toEqual(['50', '1098']);
    expect(all.items).toHaveLength(1002);
    expect(all.items.slice(-2).map((r) => r.object)).toEqual(['late', 'z']);
  });
});
