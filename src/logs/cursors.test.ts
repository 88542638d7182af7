import { describe, expect, it } from 'vitest';
import { advance, initialCheckpoint } from './checkpoint.js';
import { readPages, type LogRequester } from './read-pages.js';
import { eventId, parseStreams, STREAM_SPECS } from './streams.js';
import { parseSince, windowFloor } from './windows.js';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

/** A v1 log as Duo pages it: rows with timestamp >= mintime, ascending, at most 1000 (a leaf-edge fake). */
function v1Log(rows: Array<{ timestamp: number; action: string }>): {
  request: LogRequester;
  asked: number[];
} {
  const asked: number[] = [];
  return {
    asked,
    request: (req) => {
      const m = Number(req.params['mintime']);
      asked.push(m);
      const page = rows.filter((r) => r.timestamp >= m).slice(0, 1000);
      return Promise.resolve({
        response: page.map((r) => ({ ...r, username: 'API', object: null, description: '{}' })),
      });
    },
  };
}

describe('v1 paging by mintime', () => {
  it('re-reads the boundary second and drops its repeats; a full page of one second steps +1 and says so', async () => {
    const base = Math.floor((NOW - 3_600_000) / 1000);
    // 1000 rows in one second, then 1500 rows over the next seconds: the first page is full of one second.
    const rows = [
      ...Array.from({ length: 1000 }, (_, i) => ({ timestamp: base, action: `a${String(i)}` })),
      ...Array.from({ length: 1500 }, (_, i) => ({
        timestamp: base + 1 + Math.floor(i / 100),
        action: `b${String(i)}`,
      })),
    ];
    const { request, asked } = v1Log(rows);
    const spec = STREAM_SPECS.admin;
    let cp = initialCheckpoint((base - 10) * 1000);
    const delivered: string[] = [];
    const overflows: boolean[] = [];
    for await (const page of readPages(spec, request, cp, { now: NOW })) {
      const seen = new Set(cp.boundary);
      const fresh = page.events
        .map((e) => ({ id: eventId(spec, e), ts: spec.eventTime(e) ?? 0 }))
        .filter((e) => !seen.has(e.id) && (seen.add(e.id), true));
      delivered.push(...fresh.map((e) => e.id));
      overflows.push(page.sharedSecondOverflow);
      cp = advance(cp, fresh, page.pending);
    }
    expect(asked[0]).toBe(base - 10);
    expect(asked[1]).toBe(base + 1);
    expect(overflows[0]).toBe(true);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(delivered).toHaveLength(2500);
    expect(cp.pending).toBeNull();
    expect(cp.newestTs).toBe((base + 15) * 1000);
    // The newest second's ids are kept for the next poll's overlap.
    expect(cp.boundary).toHaveLength(100);
  });

  it('leaves rows newer than now − 2 min for the next poll', async () => {
    const s = Math.floor(NOW / 1000);
    const { request } = v1Log([
      { timestamp: s - 600, action: 'old' },
      { timestamp: s - 60, action: 'too new' },
    ]);
    const pages = [];
    for await (const p of readPages(STREAM_SPECS.admin, request, initialCheckpoint(NOW - 3_600_000), {
      now: NOW,
    }))
      pages.push(p);
    expect(pages.flatMap((p) => p.events.map((e) => e['action']))).toEqual(['old']);
  });
});

describe('v2 cursors', () => {
  it('sends the auth cursor back as two values and resumes a stored window at its cursor', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const request: LogRequester = (req) => {
      seen.push({ ...req.params });
      const first = req.params['next_offset'] === undefined;
      return Promise.resolve({
        response: {
          authlogs: [
            { txid: first ? 't1' : 't2', timestamp: 1, isotimestamp: new Date(NOW - 600_000).toISOString() },
          ],
          metadata: { next_offset: first ? ['1764500000000', 't1'] : null },
        },
      });
    };
    const cp = { ...initialCheckpoint(NOW - 3_600_000), pending: null };
    const pages = [];
    for await (const p of readPages(STREAM_SPECS.auth, request, cp, { now: NOW })) pages.push(p);
    expect(seen[1]?.['next_offset']).toEqual(['1764500000000', 't1']);
    expect(seen[0]?.['maxtime']).toBe(String(NOW - 120_000));
    expect(seen[0]?.['sort']).toBe('ts:asc');
    expect(pages[0]?.pending).toEqual({
      mintime: NOW - 3_600_000,
      maxtime: NOW - 120_000,
      cursor: ['1764500000000', 't1'],
    });
    // A crash after the first page: the next run asks the same window at the stored cursor.
    seen.length = 0;
    const resumed = { ...cp, pending: pages[0]?.pending ?? null };
    for await (const _ of readPages(STREAM_SPECS.auth, request, resumed, { now: NOW + 999_999 })) void _;
    expect(seen[0]).toMatchObject({
      mintime: String(NOW - 3_600_000),
      maxtime: String(NOW - 120_000),
      next_offset: ['1764500000000', 't1'],
    });
  });

  it('passes the Trust Monitor offset back unchanged and refuses an unreadable page', async () => {
    const offsets: unknown[] = [];
    const request: LogRequester = (req) => {
      offsets.push(req.params['offset']);
      const n = req.params['offset'] === undefined ? 0 : Number(req.params['offset']);
      return Promise.resolve({
        response: {
          events: [{ sekey: `SE${String(n)}`, surfaced_timestamp: NOW - 600_000 }],
          metadata: n < 2 ? { next_offset: n + 1 } : {},
        },
      });
    };
    for await (const _ of readPages(STREAM_SPECS.trust_monitor, request, initialCheckpoint(NOW - 3_600_000), {
      now: NOW,
    }))
      void _;
    expect(offsets).toEqual([undefined, '1', '2']);
    const broken: LogRequester = () => Promise.resolve({ response: { events: 'nope' } });
    await expect(async () => {
      for await (const _ of readPages(
        STREAM_SPECS.trust_monitor,
        broken,
        initialCheckpoint(NOW - 3_600_000),
        { now: NOW },
      ))
        void _;
    }).rejects.toMatchObject({ code: 'logs.malformed_page' });
  });
});

describe('ids, streams and --since', () => {
  it('gives the same event the same id and different events different ids', () => {
    const a = { timestamp: 1, txid: 'x', result: 'success' };
    expect(eventId(STREAM_SPECS.auth, a)).toBe(eventId(STREAM_SPECS.auth, { ...a, result: 'denied' }));
    expect(eventId(STREAM_SPECS.auth, a)).not.toBe(eventId(STREAM_SPECS.auth, { ...a, txid: 'y' }));
    expect(eventId(STREAM_SPECS.auth, a)).toMatch(/^[0-9a-f]{40}$/);
  });

  it('parses stream lists and since values, and refuses bad ones', () => {
    expect(parseStreams(undefined)).toHaveLength(6);
    expect(parseStreams('auth, admin,auth')).toEqual(['auth', 'admin']);
    expect(() => parseStreams('auth,logins')).toThrow(/unknown stream "logins"/);
    expect(parseSince('24h', NOW)).toBe(NOW - 86_400_000);
    expect(parseSince('90m', NOW)).toBe(NOW - 5_400_000);
    expect(parseSince('2026-11-01T00:00:00Z', NOW)).toBe(Date.UTC(2026, 10, 1));
    expect(() => parseSince('soon', NOW)).toThrow(/neither a duration/);
    expect(() => parseSince('2027-01-01', NOW)).toThrow(/future/);
    expect(windowFloor(NOW)).toBe(NOW - 179 * 86_400_000);
  });
});
