import { describe, expect, it } from 'vitest';
import { memoryBaselineStore, type BaselineStore } from './baseline.js';
import { createEngine, type Detection } from './engine.js';
import { foldDetections } from './fold.js';
import { defineRule, MINUTE, type Rule } from './rule.js';
import { auth, DAY_MS, history, MIN, T0, telephony } from './test-events.test-helpers.js';

/** A rule that fires on every event it is given and counts its calls. */
function counting(id: string, results?: readonly string[]): Rule & { calls: number } {
  const rule = {
    calls: 0,
    ...defineRule({
      id,
      title: id,
      severity: 'low',
      mitre: 'T1078',
      entity: 'user',
      streams: ['auth'],
      ...(results === undefined ? {} : { results }),
      suppressionMs: MINUTE,
      logic: 'every event',
      evaluate: (e) => {
        rule.calls++;
        return { entity: e.user ?? '?', eventIds: [e.id] };
      },
    }),
  };
  return rule;
}

describe('the engine indexes rules by stream and result', () => {
  it('calls a rule that names its results only for those, and every other rule for every event', async () => {
    const denials = counting('t.denials', ['denied', 'failure']);
    const all = counting('t.all');
    const engine = createEngine({ catalogue: [denials, all] });
    const results = ['success', 'DENIED', 'success', 'failure', 'fraud', 'denied'];
    const detections = await engine.process(results.map((result, i) => auth(T0 + i * MIN, { result })));
    expect(all.calls).toBe(6);
    expect(denials.calls).toBe(3); // Duo's upper-case results are matched lower-cased
    expect(detections.filter((d) => d.rule === 't.denials').map((d) => d.ts)).toEqual([
      T0 + MIN,
      T0 + 3 * MIN,
      T0 + 5 * MIN,
    ]);
  });
});

describe('the engine saves changed baselines', () => {
  it('in chunks, and a failed write is retried by the next save (nothing learnt is dropped)', async () => {
    const saved = new Map<string, unknown>();
    const writes: number[] = [];
    let failNext = false;
    const baselines = memoryBaselineStore();
    const store: BaselineStore = {
      load: (orgId, kind, keys) => baselines.load(orgId, kind, keys),
      async save(rows) {
        if (failNext) {
          failNext = false;
          throw new Error('database is locked');
        }
        writes.push(rows.length);
        for (const r of rows) saved.set(r.key, r.data);
        await baselines.save(rows);
      },
    };
    const engine = createEngine({
      baselines: store,
      saveEveryChanged: Infinity,
      saveEveryMs: Infinity,
    });
    const users = 2500;
    await engine.process(Array.from({ length: users }, (_, i) => auth(T0 + i, { user: `u${i}` })));
    failNext = true;
    await expect(engine.flush()).rejects.toThrow('database is locked');
    expect(saved.size).toBe(0);
    await engine.flush();
    // Every user and the organization, at most 1,000 rows a write.
    expect(saved.size).toBe(users + 1);
    expect(writes).toEqual([1000, 1000, 501]);
    // Saved once: nothing is left changed.
    await engine.flush();
    expect(writes).toHaveLength(3);
  });
});

describe('a damaged stored organization baseline', () => {
  it('does not stop the organization: its well-formed parts are kept and detections go on', async () => {
    const baselines = memoryBaselineStore();
    await baselines.save([
      {
        orgId: 'acme',
        kind: 'org',
        key: 'org',
        data: { firstTs: T0, creditHours: 7, places: { ips: 3 } } as never,
      },
    ]);
    const engine = createEngine({ baselines });
    const detections = await engine.process([
      telephony(T0, { credits: 1 }),
      auth(T0 + MIN),
      auth(T0 + 2 * MIN, { result: 'fraud' }),
    ]);
    expect(detections.map((d) => d.rule)).toEqual(['duo.fraud']);
  });
});

describe('when the engine saves', () => {
  it('once enough users changed, or the interval passed, and not for events that changed nothing', async () => {
    const baselines = memoryBaselineStore();
    let clock = 0;
    const engine = createEngine({
      baselines,
      saveEveryChanged: 4,
      saveEveryMs: 5000,
      now: () => clock,
    });
    // Two users and the organization changed: under both bounds, nothing is written.
    await engine.process([auth(T0, { user: 'alice' }), auth(T0 + MIN, { user: 'bob' })]);
    expect(baselines.size).toBe(0);
    // The same users from the same addresses again: nothing new to learn, still nothing written.
    await engine.process([auth(T0 + 2 * MIN, { user: 'alice' }), auth(T0 + 3 * MIN, { user: 'bob' })]);
    expect(baselines.size).toBe(0);
    // A third changed user: four changed, the count is reached.
    await engine.process([auth(T0 + 4 * MIN, { user: 'carol' })]);
    expect(baselines.size).toBe(4);
    // One more changed user is saved only when the interval has passed.
    await engine.process([auth(T0 + 5 * MIN, { user: 'dave' })]);
    expect(baselines.size).toBe(4);
    clock = 5000;
    await engine.process([auth(T0 + 6 * MIN, { user: 'alice' })]);
    expect(baselines.size).toBe(5);
  });
});

describe('a failed periodic save', () => {
  it('still returns the batch detections, reports the error, and the next batch saves what was missed', async () => {
    const baselines = memoryBaselineStore();
    let down = true;
    const errors: unknown[] = [];
    const store: BaselineStore = {
      load: (orgId, kind, keys) => baselines.load(orgId, kind, keys),
      save: (rows) => (down ? Promise.reject(new Error('database is locked')) : baselines.save(rows)),
    };
    const engine = createEngine({
      baselines: store,
      saveEveryChanged: 1,
      onSaveError: (e) => errors.push(e),
    });
    const first = await engine.process([
      auth(T0, { user: 'alice' }),
      auth(T0 + 1000, { user: 'alice', result: 'fraud' }),
    ]);
    expect(first.map((d) => d.rule)).toEqual(['duo.fraud']);
    expect(errors).toHaveLength(1);
    expect(baselines.size).toBe(0);
    down = false;
    await engine.process([auth(T0 + MIN, { user: 'bob' })]);
    // alice (from the failed save), bob and the organization.
    expect(baselines.size).toBe(3);
  });
});

describe('the engine loads a user’s baseline before the user’s first event runs', () => {
  it('also when Duo left the user’s key empty (the baseline is kept under the name)', async () => {
    const store = memoryBaselineStore();
    const keyless = (e: ReturnType<typeof auth>) => ({
      ...e,
      raw: { ...e.raw, user: { key: '', name: 'alice', groups: [] } },
    });
    const first = createEngine({ baselines: store });
    await first.process(history(10).map(keyless));
    await first.flush();
    const stored = async () =>
      (await store.load('acme', 'user', ['alice'])).get('alice') as { firstTs: number } | undefined;
    expect((await stored())?.firstTs).toBe(T0 - 10 * DAY_MS);
    // A restarted engine: the next login must extend the stored history, not start a new one over it.
    const second = createEngine({ baselines: store });
    await second.process([keyless(auth(T0))]);
    await second.flush();
    expect((await stored())?.firstTs).toBe(T0 - 10 * DAY_MS);
  });
});

describe('a digest’s firings in one batch', () => {
  // Phishable-factor logins of several users over two days: two digests (24 h each), batches of varied sizes.
  const users = ['ann', 'bob', 'cy', 'dee'];
  const events = Array.from({ length: 40 }, (_, i) =>
    auth(T0 + i * 75 * MIN, {
      user: users[i % users.length] as string,
      factor: i % 3 === 0 ? 'phone_call' : 'sms_passcode',
      ip: `198.51.100.${i % 7}`,
    }),
  );
  const digestOf = (ds: readonly Detection[]) => ds.filter((d) => d.rule === 'duo.unexpected_factor');

  it('are one detection standing for all of them, folding into the same alerts as one event per batch', async () => {
    const oneByOne = createEngine();
    const single: Detection[] = [];
    for (const e of events) single.push(...(await oneByOne.process([e])));
    const batched = createEngine();
    const folded: Detection[] = [];
    for (const size of [1, 7, 13, 19]) folded.push(...(await batched.process(events.splice(0, size))));
    expect(events).toEqual([]); // every event was processed

    expect(digestOf(single).every((d) => d.count === 1)).toBe(true);
    expect(digestOf(folded).length).toBeLessThan(digestOf(single).length);
    // The same firings, and the same alerts with the same counts, times, event ids and fields.
    const firings = (ds: readonly Detection[]) => ds.reduce((n, d) => n + d.count, 0);
    expect(firings(digestOf(folded))).toBe(firings(digestOf(single)));
    expect(foldDetections(folded)).toEqual(foldDetections(single));
    const lastFields = (ds: readonly Detection[]) => {
      const byKey = new Map<string, Record<string, unknown>>();
      for (const d of ds) byKey.set(d.dedupeKey, { ...byKey.get(d.dedupeKey), ...d.fields });
      return [...byKey.values()];
    };
    expect(lastFields(digestOf(folded))).toEqual(lastFields(digestOf(single)));
    // A folded detection runs from its first firing to its last.
    const big = digestOf(folded).find((d) => d.count > 1);
    expect(big?.lastTs).toBeGreaterThan(big?.ts ?? Infinity);
    expect(big?.eventIds).toHaveLength(big?.count ?? 0);
  });
});
