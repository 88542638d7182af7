import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogEventHub, type CollectedEvent, type NewAlert } from '../app/index.js';
import { alertRepository } from '../alerts/alerts.repository.js';
import { createStoredRaiser } from '../alerts/raiser.js';
import { testStore } from '../alerts/test-store.test-helpers.js';
import { createClock, createTenant } from '../emulator/world/index.js';
import { storeBaselines } from './baseline.repository.js';
import { emulatorEvents } from './emulator-events.test-helpers.js';
import { createEngine } from './engine.js';
import { foldDetections } from './fold.js';
import { openGeo } from './geo.js';
import { subscribeLive } from './live.js';
import { auth, history, T0 } from './test-events.test-helpers.js';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const HOUR = 3_600_000;

let env: Awaited<ReturnType<typeof testStore>>;
beforeEach(async () => {
  env = await testStore();
});
afterEach(async () => {
  await env.close();
});

/** The emulated tenant with every scenario, as the collector would deliver it (org id = the real one). */
function scenarioEvents(orgId: string): CollectedEvent[] {
  let real = NOW;
  const clock = createClock({ realNow: () => real });
  const t = createTenant({ hostname: 'api-live.duosecurity.com', seed: 'live', users: 60, now: NOW }, clock);
  t.inject({ kind: 'push_fatigue', pushes: 7 });
  t.inject({ kind: 'fraud' });
  t.inject({ kind: 'bypass_code_use' });
  t.inject({ kind: 'user_to_bypass' });
  t.inject({ kind: 'admin_action', action: 'bypass_create' });
  t.inject({ kind: 'admin_action', action: 'user_delete' });
  t.inject({ kind: 'admin_action', action: 'admin_create' });
  t.inject({ kind: 'admin_action', action: 'integration_skey_view' });
  t.inject({ kind: 'new_country', country: 'Russia' });
  t.inject({ kind: 'remembered_device_abuse' });
  t.inject({ kind: 'telephony_fraud' });
  real += 8 * HOUR; // the remembered-device scenario runs for hours
  return emulatorEvents(t, 'demo', NOW - 4 * 24 * HOUR, NOW + 8 * HOUR).map((e) => ({ ...e, orgId }));
}

describe('live detection through the log event hub', () => {
  it('gives the same alerts as replay for the same events (stored, folded, with event ids)', async () => {
    const events = scenarioEvents(env.acme);
    const geo = await openGeo();

    const replayed = foldDetections(await createEngine({ geo }).process(events));

    const repo = alertRepository(env.store);
    const raiser = createStoredRaiser({
      repo,
      config: { suppressionMinutes: 60, mute: [] },
      channels: [],
      orgSlug: () => Promise.resolve('demo'),
      dashboardUrl: null,
    });
    const hub = createLogEventHub((e) => {
      throw e;
    });
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const live = subscribeLive(
      { shared: { logEvents: hub, alerts: raiser }, logger },
      createEngine({ geo, baselines: storeBaselines(env.store) }),
    );
    // The collector publishes page by page (here 250 events), each a separate batch.
    for (let i = 0; i < events.length; i += 250) await hub.publish(events.slice(i, i + 250));
    await live.idle();
    live.close();

    const stored = await repo.list(env.acme, { limit: 1000 });
    const key = (a: {
      rule: string;
      entity: string;
      first: string;
      last: string;
      count: number;
      events: readonly string[];
    }) => `${a.rule}|${a.entity}|${a.first}|${a.last}|${a.count}|${[...a.events].join(',')}`;
    const fromReplay = replayed.map((a) => key({ ...a, first: a.first_seen, last: a.last_seen })).sort();
    const fromLive = stored
      .map((a) =>
        key({ ...a, first: a.firstSeen.toISOString(), last: a.lastSeen.toISOString(), events: a.eventIds }),
      )
      .sort();
    expect(fromLive).toEqual(fromReplay);
    const rules = new Set(stored.map((a) => a.rule));
    for (const r of [
      'duo.mfa_fatigue',
      'duo.mfa_fatigue_success',
      'duo.fraud',
      'duo.bypass_used',
      'duo.user_to_bypass',
      'duo.admin_bypass_create',
      'duo.admin_user_delete',
      'duo.admin_created',
      'duo.skey_viewed',
      'duo.new_country',
      'duo.remembered_device_excessive',
      'duo.trust_monitor',
      'duo.remembered_device_new_location',
      'duo.telephony_many_numbers',
      'duo.impossible_travel',
    ])
      expect(rules, r).toContain(r);
  });

  it('remembers baselines across a restart (a new engine over the same database)', async () => {
    const before = createEngine({ baselines: storeBaselines(env.store) });
    await before.process(history(5, { org: env.acme }).map((e) => ({ ...e, orgId: env.acme })));
    await before.flush(); // as `serve` does on shutdown (and every few seconds while running)
    const after = createEngine({ baselines: storeBaselines(env.store) });
    const foreign = { ...auth(T0, { ip: '5.31.1.1', country: 'Russia' }), orgId: env.acme };
    const rules = (await after.process([foreign])).map((d) => d.rule);
    expect(rules).toContain('duo.new_country');
    // Without the stored history the same event is a first login, which never counts as new.
    const fresh = createEngine();
    expect((await fresh.process([foreign])).map((d) => d.rule)).not.toContain('duo.new_country');
  });

  describe('storing a batch’s detections fails', () => {
    function setup(failures: number) {
      const repo = alertRepository(env.store);
      const raiser = createStoredRaiser({
        repo,
        config: { suppressionMinutes: 60, mute: [] },
        channels: [],
        orgSlug: () => Promise.resolve('acme'),
        dashboardUrl: null,
      });
      let calls = 0;
      const flaky = {
        raise: (a: NewAlert) => raiser.raise(a),
        raiseMany: (alerts: readonly NewAlert[]) =>
          (calls += 1) <= failures
            ? Promise.reject(new Error('database is locked'))
            : raiser.raiseMany(alerts),
      };
      const logged: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
      const log = (level: string) => (fields: object, msg?: string) =>
        void logged.push({ level, msg: msg ?? '', fields: fields as Record<string, unknown> });
      const logger = { info: log('info'), warn: log('warn'), error: log('error') };
      const hub = createLogEventHub((e) => {
        throw e;
      });
      const waits: number[] = [];
      const live = subscribeLive(
        { shared: { logEvents: hub, alerts: flaky }, logger },
        createEngine({ baselines: storeBaselines(env.store) }),
        null,
        { raiseRetryDelaysMs: [10, 20, 30], sleep: (ms) => Promise.resolve(void waits.push(ms)) },
      );
      const fraud = (minute: number) => ({
        ...auth(T0 + minute * 60_000, { result: 'fraud', reason: 'user_marked_fraud', user: `u${minute}` }),
        orgId: env.acme,
      });
      return { repo, hub, live, logged, waits, fraud };
    }

    it('is retried after the configured waits, and the detections are stored once', async () => {
      const t = setup(2);
      await t.hub.publish([t.fraud(0), t.fraud(1)]);
      await t.live.idle();
      const stored = await t.repo.list(env.acme);
      expect(stored.map((a) => [a.rule, a.entity, a.count]).sort()).toEqual([
        ['duo.fraud', 'u0', 1],
        ['duo.fraud', 'u1', 1],
      ]);
      expect(t.waits).toEqual([10, 20]);
      expect(t.logged.map((l) => [l.level, l.msg, l.fields['detections'], l.fields['attempt']])).toEqual([
        ['warn', 'storing detections failed; retrying', 2, 1],
        ['warn', 'storing detections failed; retrying', 2, 2],
      ]);
      t.live.close();
    });

    it('after the last attempt gives the batch up, says how many, and goes on with the next batch', async () => {
      const t = setup(4);
      await t.hub.publish([t.fraud(0), t.fraud(1)]);
      await t.hub.publish([t.fraud(2)]);
      await t.live.idle();
      expect((await t.repo.list(env.acme)).map((a) => a.entity)).toEqual(['u2']);
      expect(t.waits).toEqual([10, 20, 30]);
      const given = t.logged.filter((l) => l.level === 'error');
      expect(given.map((l) => [l.msg, l.fields['detections'], l.fields['attempts']])).toEqual([
        ['detections not stored: giving them up', 2, 4],
      ]);
      t.live.close();
    });
  });
});
