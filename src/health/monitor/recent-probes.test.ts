import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { capabilityMigrations } from '../../app/index.js';
import { openStore } from '../../store/index.js';
import type { ProbeOutcome } from '../probe/probe-types.js';
import { RecentProbes } from './recent-probes.js';

let dir = '';
afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

const probe = (orgId: string, integrationId: string, at: number, total: number): ProbeOutcome => {
  const phases = { dns: 0.1, connect: 0.5, tls: 4, ttfb: total - 5, total };
  const step = {
    ok: true,
    ms: total,
    httpStatus: 200,
    stat: 'OK' as const,
    code: null,
    errorKind: null,
    message: null,
    phases,
  };
  return {
    orgId,
    integrationId,
    kind: 'admin',
    apiHost: 'api-12345678.duosecurity.com',
    check: 'GET /admin/v1/settings',
    at: new Date(at),
    ping: { ...step, ms: 2 },
    signed: step,
    clockSkewS: 0,
    healthy: total < 100,
    reason: 'ok',
  };
};

describe('RecentProbes (stored)', () => {
  it('keeps the last N per integration in the database, so a restarted process draws the same chart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'duowatch-recent-probes-'));
    const open = () => openStore({ dataDir: dir, env: {}, migrations: capabilityMigrations });
    const first = await open();
    const org = await first.organizations.create({ slug: 'acme' });
    const create = (n: number) =>
      first.integrations.create(org.id, {
        kind: 'admin',
        apiHost: `api-1234567${String(n)}.duosecurity.com`,
        label: `admin ${String(n)}`,
        mkey: null,
        ikey: `DIWJ8X6AEYOR5OMC6TQ${String(n)}`,
        skey: 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep',
      });
    const a = await create(1);
    const b = await create(2);
    const t0 = Date.parse('2026-11-22T11:00:00Z');
    const writer = new RecentProbes(first, 4);
    for (let i = 0; i < 7; i++) await writer.add(probe(org.id, a.id, t0 + i * 60_000, 10 + i), 'UP');
    await writer.add(probe(org.id, b.id, t0, 200), 'DOWN');
    await first.close();

    const second = await open();
    try {
      const reader = new RecentProbes(second, 4);
      const listed = await reader.list(a.id);
      expect(listed.map((p) => p.phases.total)).toEqual([13, 14, 15, 16]);
      expect(listed[0]).toEqual({
        at: t0 + 3 * 60_000,
        healthy: true,
        state: 'UP',
        pingMs: 2,
        signedMs: 13,
        phases: { dns: 0.1, connect: 0.5, tls: 4, ttfb: 8, total: 13 },
      });
      // Bounded in the table itself, not only in what is read back.
      const rows = await (second.db as unknown as Kysely<{ health_recent_probes: { id: number } }>)
        .selectFrom('health_recent_probes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(rows.n)).toBe(5);
      expect(await reader.list(b.id)).toMatchObject([{ healthy: false, state: 'DOWN', signedMs: 200 }]);
      await reader.forget(b.id);
      expect(await reader.list(b.id)).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
