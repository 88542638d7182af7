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
    get: (o, i) => repo.get(o, i),
    list: (o, q) => repo.list(o, q),
    setStatus: (i, s, b, n) => repo.setStatus(i, s, b, n),
    counts: () => repo.counts(),
  };
  h = await harness({ options: { routes: [(app, deps) => mountAlertRoutes(app, deps, late)] } });
  // The harness store runs the core's migrations only; add this capability's table.
  await alertsMigrations(h.store.dialect)['050-alerts']?.up(h.store.db as never);
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
