import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../server/harness.test-helpers.js';
import { alertRepository, type AlertRepository } from './alerts.repository.js';
import { alertsMigrations } from './migrations.js';
import { mountAlertRoutes } from './routes.js';

let h: Harness;
let repo: AlertRepository;
let id: string;
beforeEach(async () => {
  // The app is built inside the harness, before its store exists here: the routes reach the repository late.
  const late: AlertRepository = {
    raise: (a, o) => repo.raise(a, o),
    raiseMany: (r) => repo.raiseMany(r),
    get: (o, i) => repo.get(o, i),
    list: (o, q) => repo.list(o, q),
    setStatus: (i, s, b, n) => repo.setStatus(i, s, b, n),
    counts: () => repo.counts(),
  };
  h = await harness({ options: { routes: [(app, deps) => mountAlertRoutes(app, deps, late)] } });
  // The harness store runs the core's migrations only; add this capability's tables.
  for (const m of Object.values(alertsMigrations(h.store.dialect))) await m.up(h.store.db as never);
  repo = alertRepository(h.store);
  const raised = await repo.raise(
    {
      orgId: h.orgs.a.id,
      source: 'detect',
      rule: 'duo.fraud',
      title: 'User reported a Duo request as fraud',
      severity: 'high',
      entity: 'alice',
      firstSeen: new Date('2026-11-22T11:00:00Z'),
      lastSeen: new Date('2026-11-22T11:00:00Z'),
      eventIds: ['auth:tx1'],
      fields: { ip: '5.31.1.1' },
    },
    { suppressForMs: 60_000 },
  );
  id = raised.alert.id;
});
afterEach(async () => {
  await h.close();
});

describe('alerts REST routes', () => {
  it('lists and shows for an auditor, hides from another organization', async () => {
    const auditor = await h.login('auditor-a');
    const list = (await (await h.call(auditor, 'GET', `/api/v1/orgs/acme/alerts?status=open`)).json()) as {
      alerts: { id: string }[];
    };
    expect(list.alerts.map((a) => a.id)).toEqual([id]);
    const one = (await (await h.call(auditor, 'GET', `/api/v1/orgs/acme/alerts/${id}`)).json()) as {
      eventIds: string[];
    };
    expect(one.eventIds).toEqual(['auth:tx1']);
    const other = await h.login('owner-b');
    expect((await h.call(other, 'GET', `/api/v1/orgs/globex/alerts/${id}`)).status).toBe(404);
  });

  it('searches text server-side and pages older by a last-seen/id cursor without skipping ties', async () => {
    // Five more alerts, three sharing one last-seen time so the cursor must break ties by id.
    const at = (m: number) => new Date(Date.parse('2026-11-22T10:00:00Z') + m * 60_000);
    for (const [i, m] of [0, 5, 5, 5, 9].entries())
      await repo.raise(
        {
          orgId: h.orgs.a.id,
          source: 'detect',
          rule: 'duo.mfa_fatigue',
          title: `Push storm ${String(i)}`,
          severity: 'medium',
          entity: `user${String(i)}`,
          firstSeen: at(m),
          lastSeen: at(m),
          eventIds: [`auth:p${String(i)}`],
          fields: { ip: `10.0.0.${String(i)}`, note: '50%_off' },
        },
        { suppressForMs: 60_000 },
      );
    const auditor = await h.login('auditor-a');
    const get = async (query: string) =>
      (await (await h.call(auditor, 'GET', `/api/v1/orgs/acme/alerts?${query}`)).json()) as {
        alerts: { id: string; entity: string }[];
        older: { before: string; before_id: string } | null;
      };
    // Text in the title (any case), in a triage field, and wildcards taken literally.
    expect((await get('q=PUSH%20STORM')).alerts).toHaveLength(5);
    expect((await get('q=5.31.1')).alerts.map((a) => a.id)).toEqual([id]);
    expect((await get('q=50%25_off')).alerts).toHaveLength(5);
    expect((await get('q=5_%25off')).alerts).toHaveLength(0);
    expect((await get('q=nobody')).older).toBeNull();
    // Pages of two, oldest last, until `older` is null: every alert exactly once, in order.
    const seen: string[] = [];
    let query = 'limit=2&q=storm';
    for (let page = 0; page < 10; page++) {
      const r = await get(query);
      seen.push(...r.alerts.map((a) => a.entity));
      if (r.older === null) break;
      query = `limit=2&q=storm&before=${encodeURIComponent(r.older.before)}&before_id=${r.older.before_id}`;
    }
    expect(seen.slice(0, 1)).toEqual(['user4']);
    expect(seen.slice(4)).toEqual(['user0']);
    expect([...seen].sort()).toEqual(['user0', 'user1', 'user2', 'user3', 'user4']);
    const long = await h.call(auditor, 'GET', `/api/v1/orgs/acme/alerts?q=${'x'.repeat(201)}`);
    expect(long.status).toBe(400);
  });

  it('acknowledge needs admin, records who did it, and is audited', async () => {
    const auditor = await h.login('auditor-a');
    expect((await h.call(auditor, 'POST', `/api/v1/orgs/acme/alerts/${id}/ack`, {})).status).toBe(403);
    const admin = await h.login('admin-a');
    const res = await h.call(admin, 'POST', `/api/v1/orgs/acme/alerts/${id}/ack`, { note: 'on it' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'acknowledged',
      statusBy: 'admin-a',
      statusNote: 'on it',
    });
    const resolved = await h.call(admin, 'POST', `/api/v1/orgs/acme/alerts/${id}/resolve`, {});
    expect(await resolved.json()).toMatchObject({ status: 'resolved' });
    expect((await h.call(admin, 'POST', `/api/v1/orgs/acme/alerts/${id}/resolve`, {})).status).toBe(409);
    const actions = (await h.audit()).map((e) => e.action);
    expect(actions).toContain('alert.ack');
    expect(actions).toContain('alert.resolve');
  });
});
