// A batch raise (one transaction) must store exactly what one raise after another stores: checked against the
// sequential path on a second real SQLite store, over generated batches that straddle suppression windows,
// arrive out of order, fold into alerts raised before the batch and mix organizations and muted alerts.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertSeverity, NewAlert } from '../app/index.js';
import { alertRepository, type AlertRepository, type RaiseRequest } from './alerts.repository.js';
import type { StoredAlert } from './model.js';
import { alertOutbox, type AlertChange } from './outbox.js';
import { createStoredRaiser } from './raiser.js';
import { testStore } from './test-store.test-helpers.js';

const T = Date.parse('2026-03-02T12:00:00Z');
const MIN = 60_000;

interface Side {
  env: Awaited<ReturnType<typeof testStore>>;
  repo: AlertRepository;
  /** Ids are `<prefix><n>`; each run resets both sides, so one failed run cannot shift the next one's ids. */
  prefix: string;
  ids: number;
}

async function side(): Promise<Side> {
  const env = await testStore(() => new Date(T));
  const s: Side = { env, repo: undefined as unknown as AlertRepository, prefix: '', ids: 0 };
  // The same ids on both sides, so the stored alerts compare whole.
  s.repo = alertRepository(env.store, {
    clock: () => new Date(T),
    newId: () => `${s.prefix}${String((s.ids += 1)).padStart(6, '0')}`,
  });
  return s;
}

let seq: Side;
let batch: Side;
beforeAll(async () => {
  seq = await side();
  batch = await side();
});
afterAll(async () => {
  await seq.env.close();
  await batch.env.close();
});

const SEVERITIES: AlertSeverity[] = ['low', 'medium', 'high', 'critical'];

interface Step {
  org: 0 | 1;
  key: number;
  at: number;
  span: number;
  severity: number;
  window: number;
  muted: boolean;
  event: number;
  /** Occurrences the raise stands for (a detection batch folds a digest's firings into one raise). */
  count: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  org: fc.constantFrom(0 as const, 1 as const),
  key: fc.integer({ min: 0, max: 3 }),
  at: fc.integer({ min: 0, max: 120 }),
  span: fc.integer({ min: 0, max: 10 }),
  severity: fc.integer({ min: 0, max: 3 }),
  window: fc.constantFrom(5, 15, 60),
  muted: fc.boolean(),
  event: fc.integer({ min: 0, max: 40 }),
  count: fc.integer({ min: 1, max: 3 }),
});

function request(orgId: string, s: Step): RaiseRequest {
  const alert: NewAlert = {
    orgId,
    source: 'detect',
    rule: `duo.rule${s.key}`,
    title: `rule ${s.key}`,
    severity: SEVERITIES[s.severity] as AlertSeverity,
    entity: `user${s.key}`,
    firstSeen: new Date(T + s.at * MIN),
    lastSeen: new Date(T + (s.at + s.span) * MIN),
    count: s.count,
    eventIds: [`e${s.event}`, `e${s.event + 1}`],
    fields: { step: s.at, [`f${s.severity}`]: s.event },
    dedupeKey: `k${s.key}`,
  };
  return { alert, suppressForMs: s.window * MIN, status: s.muted ? 'suppressed' : 'open' };
}

/** Every alert of the organization, its id, and the last outbox change of each. */
async function snapshot(
  x: Side,
  orgId: string,
): Promise<{ alerts: StoredAlert[]; last: Map<string, AlertChange['alert']> }> {
  const alerts = await x.repo.list(orgId, { limit: 1000 });
  const last = new Map<string, AlertChange['alert']>();
  for (const c of await alertOutbox(x.env.store).read(orgId, 0, 100_000)) last.set(c.alertId, c.alert);
  return { alerts: [...alerts].sort((a, b) => a.id.localeCompare(b.id)), last };
}

describe('raiseMany', () => {
  it('stores what one raise after another stores, with one outbox change per touched alert', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 6 }),
        fc.array(step, { minLength: 1, maxLength: 30 }),
        async (before, steps) => {
          run += 1;
          const orgs: [string, string][] = [];
          for (const x of [seq, batch]) {
            x.prefix = `r${run}-`;
            x.ids = 0;
            const a = (await x.env.store.organizations.create({ slug: `r${run}a` })).id;
            const b = (await x.env.store.organizations.create({ slug: `r${run}b` })).id;
            orgs.push([a, b]);
          }
          const [seqOrgs, batchOrgs] = orgs as [[string, string], [string, string]];
          // Alerts raised before the batch, the same way on both sides.
          for (const s of before) {
            const r = request(seqOrgs[s.org], s);
            await seq.repo.raise(r.alert, r);
            const b = request(batchOrgs[s.org], s);
            await batch.repo.raise(b.alert, b);
          }
          const changesBefore = (await alertOutbox(batch.env.store).read(batchOrgs[0], 0, 100_000)).length;
          for (const s of steps) {
            const r = request(seqOrgs[s.org], s);
            await seq.repo.raise(r.alert, r);
          }
          const outcomes = await batch.repo.raiseMany(steps.map((s) => request(batchOrgs[s.org], s)));
          expect(outcomes).toHaveLength(steps.length);

          for (const o of [0, 1] as const) {
            const a = await snapshot(seq, seqOrgs[o]);
            const b = await snapshot(batch, batchOrgs[o]);
            const strip = (x: StoredAlert) => ({ ...x, orgId: '' });
            expect(b.alerts.map(strip)).toEqual(a.alerts.map(strip));
            // The outbox ends on the same state of every alert.
            const stripJson = (x: AlertChange['alert'] | undefined) => ({ ...x, orgId: '' });
            for (const al of a.alerts)
              expect(stripJson(b.last.get(al.id))).toEqual(stripJson(a.last.get(al.id)));
          }
          // Every occurrence is counted once, whether it opened an alert or folded into one.
          let counted = 0;
          for (const o of [0, 1] as const)
            for (const al of (await snapshot(batch, batchOrgs[o])).alerts) counted += al.count;
          expect(counted).toBe([...before, ...steps].reduce((n, s) => n + s.count, 0));
          // One change per alert the batch touched (organization 0).
          const touched = new Set(
            outcomes.filter((o) => o.alert.orgId === batchOrgs[0]).map((o) => o.alert.id),
          );
          const changesAfter = (await alertOutbox(batch.env.store).read(batchOrgs[0], 0, 100_000)).length;
          expect(changesAfter - changesBefore).toBe(touched.size);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('notifies a created alert once, with its count after the batch; folds into an earlier alert silently', async () => {
    const sent: StoredAlert[] = [];
    const stored: [string, boolean, number][] = [];
    const org = (await batch.env.store.organizations.create({ slug: 'notify' })).id;
    const raiser = createStoredRaiser({
      repo: batch.repo,
      config: { suppressionMinutes: 15, mute: [] },
      channels: [
        {
          channel: { name: 'test', send: (a) => Promise.resolve(void sent.push(a)) },
          minSeverity: 'low',
          throttle: { take: () => true, takeDropped: () => 0 },
        },
      ],
      orgSlug: () => Promise.resolve('notify'),
      dashboardUrl: null,
      clock: () => new Date(T),
      events: { stored: (a, created, n) => stored.push([a.id, created, n]) },
    });
    const one = (k: string, minute: number): NewAlert => ({
      ...request(org, {
        org: 0,
        key: 0,
        at: minute,
        span: 0,
        severity: 2,
        window: 15,
        muted: false,
        event: minute,
        count: 1,
      }).alert,
      dedupeKey: k,
    });
    await raiser.raise(one('old', 0));
    await raiser.raiseMany([one('old', 1), one('new', 2), { ...one('new', 3), count: 4 }, one('new', 4)]);
    await raiser.settled();
    expect(sent.map((a) => [a.dedupeKey, a.count])).toEqual([
      ['old', 1],
      ['new', 6],
    ]);
    // Metrics count every raise, folded or not, with the occurrences it stood for.
    expect(stored.map(([, created, n]) => [created, n])).toEqual([
      [true, 1],
      [false, 1],
      [true, 1],
      [false, 4],
      [false, 1],
    ]);
  });
});
