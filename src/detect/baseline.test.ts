import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDay,
  countOf,
  dayEntry,
  dayOf,
  decodeOrgBaseline,
  decodeUserBaseline,
  emptyUserBaseline,
  encodeUserBaseline,
  SeenKeys,
  touch,
  type StoredUserBaseline,
  type UserBaseline,
} from './baseline.js';

/** A baseline with its key lists as keys and spans (a list's lookup memo is not part of what it holds). */
const plain = (b: UserBaseline | null) =>
  b && {
    ...b,
    ips: { keys: b.ips.keys(), spans: [...b.ips.spans] },
    countries: { keys: b.countries.keys(), spans: [...b.countries.spans] },
  };

describe('user baselines', () => {
  it('survive the stored form (JSON text, as in the database) unchanged', () => {
    const b = emptyUserBaseline(1000);
    touch(b.ips, '81.2.69.160', 2000, 64);
    touch(b.ips, '2a02:c7f::1', 3000, 64);
    touch(b.countries, 'United Kingdom', 3000, 32);
    b.rdDays = [dayEntry(20_000, 4), dayEntry(20_001, 2)];
    b.bypassDays = [dayEntry(20_001, 1)];
    const back = decodeUserBaseline(JSON.parse(JSON.stringify(encodeUserBaseline(b))));
    expect(plain(back)).toEqual(plain(b));
  });

  it('stores times in whole seconds after the first login, widening a span by under a second', () => {
    const b = emptyUserBaseline(1_792_427_594_765);
    touch(b.ips, '81.2.69.160', 1_792_427_594_765 + 1_500, 64);
    b.ips.touchAt(0, 1_792_427_594_765 + 86_400_250, 0);
    b.lastGeo = {
      ts: 1_792_427_594_765 + 2_000,
      ip: '81.2.69.160',
      lat: 51.514_198_303_222_66,
      lon: -0.093_102_000_653_743_74,
      city: 'London',
      country: 'GB',
      id: 'auth:1',
      duoCity: 'London',
      duoCountry: 'United Kingdom',
    };
    const stored = JSON.parse(JSON.stringify(encodeUserBaseline(b))) as Record<string, unknown>;
    // Small integers, not millisecond timestamps.
    expect(stored['ipSeen']).toEqual([1, 86_401]);
    // Duo's place in the stored form it always had.
    expect((stored['lastGeo'] as Record<string, unknown>)['duo']).toBe('London|United Kingdom');
    const back = decodeUserBaseline(stored);
    expect(back?.ips.get('81.2.69.160')).toEqual([1_792_427_594_765 + 1_000, 1_792_427_594_765 + 86_401_000]);
    expect(back?.lastGeo?.ts).toBe(1_792_427_594_765 + 2_000);
    expect(back?.lastGeo?.lat).toBeCloseTo(51.514_198, 5);
    expect(back?.lastGeo?.lon).toBeCloseTo(-0.093_102, 5);
    expect(back?.lastGeo).toMatchObject({
      ip: '81.2.69.160',
      city: 'London',
      id: 'auth:1',
      duoCity: 'London',
      duoCountry: 'United Kingdom',
    });
    // A place with one part, and none: read back as they were.
    for (const [duoCity, duoCountry, duo] of [
      [null, 'Brazil', '|Brazil'],
      ['Lagos', null, 'Lagos|'],
      [null, null, null],
    ] as const) {
      const one = { ...b, lastGeo: { ...b.lastGeo, duoCity, duoCountry } };
      const text = JSON.parse(JSON.stringify(encodeUserBaseline(one))) as StoredUserBaseline;
      expect(text.lastGeo?.duo).toBe(duo);
      expect(decodeUserBaseline(text)?.lastGeo).toMatchObject({ duoCity, duoCountry });
    }
    // A damaged row (times not matching the keys) is no baseline rather than a wrong one.
    expect(decodeUserBaseline({ ...stored, ipSeen: [1] })).toBeNull();
  });

  it('reads the previous stored form (tuples in milliseconds, v 2)', () => {
    const back = decodeUserBaseline({
      v: 2,
      firstTs: 1000,
      ips: [['10.1.2.3', 1500, 2500]],
      countries: [['France', 1500, 9000]],
      rdDays: [[20_000, 3]],
      bypassDays: [],
      lastGeo: null,
    });
    expect(back?.ips.get('10.1.2.3')).toEqual([1500, 2500]);
    expect(back?.countries.get('France')).toEqual([1500, 9000]);
    expect(back?.rdDays).toEqual([dayEntry(20_000, 3)]);
    expect(back?.bypassDays).toBeUndefined();
    // Its last location, with Duo's place when it had one and "not recorded" when it had none.
    const geo = {
      ts: 2000,
      ip: '81.2.69.160',
      lat: 51.5,
      lon: -0.09,
      city: 'London',
      country: 'GB',
      id: 'auth:1',
    };
    const v2 = { v: 2, firstTs: 1000, ips: [], countries: [], rdDays: [], bypassDays: [] };
    expect(decodeUserBaseline({ ...v2, lastGeo: geo })?.lastGeo).toEqual({
      ...geo,
      duoCity: undefined,
      duoCountry: null,
    });
    expect(decodeUserBaseline({ ...v2, lastGeo: { ...geo, duo: 'London|United Kingdom' } })?.lastGeo).toEqual(
      {
        ...geo,
        duoCity: 'London',
        duoCountry: 'United Kingdom',
      },
    );
    expect(decodeUserBaseline({ ...v2, lastGeo: { ...geo, lat: 'x' } })?.lastGeo).toBeNull();
  });

  it('reads the first stored form (objects keyed by IP and day), so an upgrade forgets nothing', () => {
    const back = decodeUserBaseline({
      firstTs: 5,
      ips: { '10.1.2.3': [6, 7] },
      countries: { France: [6, 9] },
      rdDays: { '20000': 3 },
      lastGeo: null,
    });
    expect(back?.ips.get('10.1.2.3')).toEqual([6, 7]);
    expect(back?.countries.get('France')).toEqual([6, 9]);
    expect(back?.rdDays).toEqual([dayEntry(20_000, 3)]);
    expect(back?.bypassDays).toBeUndefined();
    expect(decodeUserBaseline('garbage')).toBeNull();
  });

  it('day lists add to the day, keep days in order and drop days older than the period', () => {
    let days: number[] = [];
    days = addDay(days, 10, 1, 0);
    days = addDay(days, 10, 2, 0);
    days = addDay(days, 12, 1, 0);
    days = addDay(days, 11, 5, 0); // a late event opens an earlier day
    const pairs = (list: number[]) => list.flatMap((x) => [dayOf(x), countOf(x)]);
    expect(pairs(days)).toEqual([10, 3, 11, 5, 12, 1]);
    days = addDay(days, 30, 1, 12); // a new day drops days before the period
    expect(pairs(days)).toEqual([12, 1, 30, 1]);
    days = addDay(days, 30, 70_000, 12); // a day's count stops at 65,535
    expect(pairs(days)).toEqual([12, 1, 30, 65_535]);
  });

  it('finds whole keys only, keeps positions through removals, and refuses keys it cannot hold', () => {
    const m = new SeenKeys();
    for (const [i, k] of ['10.0.0.12', '10.0.0.1', '0.0.1', '2a02:c7f::1'].entries()) m.set(k, i, i + 10);
    expect(m.indexOf('10.0.0.1')).toBe(1); // not inside "10.0.0.12"
    expect(m.indexOf('0.0.1')).toBe(2); // not the tail of "10.0.0.1"
    expect(m.indexOf('10.0.0')).toBe(-1);
    expect(m.get('2a02:c7f::1')).toEqual([3, 13]);
    m.removeAt(1);
    expect(m.keys()).toEqual(['10.0.0.12', '0.0.1', '2a02:c7f::1']);
    expect(m.indexOf('10.0.0.1')).toBe(-1);
    expect(m.get('0.0.1')).toEqual([2, 12]);
    expect(m.get('2a02:c7f::1')).toEqual([3, 13]);
    m.removeAt(0);
    m.removeAt(1);
    expect(m.keys()).toEqual(['0.0.1']);
    // A key with the list's separator (or an empty one) is never an address or a country: not kept, not found.
    expect(m.set('a\n0.0.1', 1, 1)).toBe(false);
    expect(m.indexOf('a\n0.0.1')).toBe(-1);
    expect(m.indexOf('')).toBe(-1);
    expect(touch(m, '', 5, 64)).toBe(false);
    expect(m.size).toBe(1);
  });

  it('finds keys past the positions one character holds (a list longer than any cap), and after removals', () => {
    const keys = Array.from({ length: 300 }, (_, i) => `10.0.${Math.floor(i / 256)}.${i % 256}`);
    const m = SeenKeys.of(
      keys,
      keys.flatMap((_, i) => [i, i + 1]),
    );
    for (const i of [0, 1, 221, 222, 223, 224, 299]) {
      expect(m.indexOf(keys[i] as string)).toBe(i);
      expect(m.get(keys[i] as string)).toEqual([i, i + 1]);
    }
    m.removeAt(5);
    expect(m.indexOf(keys[5] as string)).toBe(-1);
    expect(m.indexOf(keys[6] as string)).toBe(5);
    expect(m.indexOf(keys[299] as string)).toBe(298);
    expect(m.get(keys[299] as string)).toEqual([299, 300]);
    expect(m.keys()).toEqual(keys.filter((_, i) => i !== 5));
  });

  it('never finds a key that holds the separator, even where it spans two kept keys', () => {
    const m = new SeenKeys();
    m.set('10.0.0.1', 1, 2);
    m.set('0.0.1', 3, 4); // kept as "\n!10.0.0.1\n\"0.0.1\n"
    expect(m.indexOf('0.0.1')).toBe(1);
    expect(m.indexOf('10.0.0.1\n"0.0.1')).toBe(-1);
    // Right after finding the first key, where the list looks first for the next lookup.
    expect(m.indexOf('10.0.0.1')).toBe(0);
    expect(m.indexOf('10.0.0.1\n"0.0.1')).toBe(-1);
    expect(m.indexOf('10.0.0.1\n')).toBe(-1);
    expect(m.indexOf('10.0.0.')).toBe(-1);
    expect(m.set('10.0.0.1\n"0.0.1', 5, 6)).toBe(false);
    expect(m.keys()).toEqual(['10.0.0.1', '0.0.1']);
  });

  it('answers every lookup as a plain list would, whatever the order of lookups, additions and removals', () => {
    // Keys that are prefixes and tails of each other, so a search can land mid-key.
    const key = fc.constantFrom(
      '10.0.0.1',
      '10.0.0.12',
      '0.0.1',
      '10.0.0.123',
      '2a02:c7f::1',
      'France',
      'Fr',
      // Never kept (it holds the separator), and never found across two kept keys.
      '10.0.0.1\n"0.0.1',
    );
    const step = fc.oneof(
      fc.record({ op: fc.constant('find' as const), key }),
      fc.record({ op: fc.constant('set' as const), key }),
      fc.record({ op: fc.constant('remove' as const), at: fc.nat(8) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const m = new SeenKeys();
        const plain: string[] = [];
        for (const s of steps) {
          if (s.op === 'set') {
            m.set(s.key, 1, 2);
            if (!plain.includes(s.key) && !s.key.includes('\n')) plain.push(s.key);
          } else if (s.op === 'remove') {
            if (s.at < plain.length) {
              m.removeAt(s.at);
              plain.splice(s.at, 1);
            }
          } else expect(m.indexOf(s.key)).toBe(plain.indexOf(s.key));
        }
        expect(m.keys()).toEqual(plain);
      }),
      { numRuns: 500 },
    );
  });

  it('touch keeps the most recently seen keys when over the cap, and says when a save is worth it', () => {
    const m = new SeenKeys();
    expect(touch(m, 'a', 1, 2)).toBe(true);
    expect(touch(m, 'b', 2, 2)).toBe(true);
    expect(touch(m, 'a', 3, 2)).toBe(false); // seen again soon after: nothing new to save
    expect(touch(m, 'c', 4, 2)).toBe(true); // over the cap: b (last seen 2) goes, a (3) stays
    expect([...m.keys()].sort()).toEqual(['a', 'c']);
    expect(touch(m, 'a', 3 + 6 * 3_600_000, 2)).toBe(false);
    expect(touch(m, 'a', 3 + 18 * 3_600_001, 2)).toBe(true); // last seen over 12 hours ago: worth saving
  });
});

describe('organization baselines', () => {
  it('read back what was stored, and keep only the well-formed parts of a damaged row', () => {
    const stored = {
      firstTs: 1000,
      creditHours: { '500000': 12 },
      places: { ips: { '81.2.69.142': [1000, 'alice', 2000] }, countries: { France: [1000, 'bob', 3000] } },
    };
    // What is saved again is what was read (the places' lists are objects in memory, flat lists when stored).
    const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
    expect(roundTrip(decodeOrgBaseline(roundTrip(stored)))).toEqual({
      ...stored,
      places: { ...stored.places, nIps: 1, nCountries: 1 },
    });
    const damaged = decodeOrgBaseline({
      firstTs: 1000,
      creditHours: { '500000': 'lots', '500001': 3 },
      places: { ips: { a: [1000, 'alice'], b: 'x', c: [1000, 'carol', 2000] }, countries: null },
    });
    expect(roundTrip(damaged)).toEqual({
      firstTs: 1000,
      creditHours: { '500001': 3 },
      places: { ips: { c: [1000, 'carol', 2000] }, countries: {}, nIps: 1, nCountries: 0 },
    });
    expect(decodeOrgBaseline({ creditHours: {} })).toBeNull();
    expect(decodeOrgBaseline('garbage')).toBeNull();
  });
});
