import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capabilityMigrations } from '../../src/app/index.js';
import { createEmulator } from '../../src/emulator/index.js';
import { HEALTH_DEFAULTS } from '../../src/health/config-schema.js';
import { HealthMonitor } from '../../src/health/monitor/monitor.js';
import { probeLeaseTtlMs } from '../../src/health/monitor/probe-lease.js';
import { startProbeLoop, type ProbeLoop } from '../../src/health/monitor/probe-loop.js';
import { allSubjects } from '../../src/health/probe/probe-targets.js';
import { healthRepository } from '../../src/health/store/health-repository.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createTestDatabase, reachable } from './store-pg-database.js';

// The health tables and the probe lease on PostgreSQL, with two probers on separate connection pools as two
// `serve` processes hold them: each integration is probed by one of them at a time, and when one dies (stops
// without handing its leases back, its pool closed) the other takes its integrations over once the leases
// expire. Fails, never skips, under DUOWATCH_REQUIRE_SERVICES=1.
const url = process.env['DATABASE_URL'] ?? '';
const required = process.env['DUOWATCH_REQUIRE_SERVICES'] === '1';
const available = url !== '' && (await reachable(url));

const INTEGRATIONS = 6;
const CONFIG = { ...HEALTH_DEFAULTS, intervalSeconds: 2, timeoutSeconds: 2 };

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Probed {
  integration: string;
  holder: string;
  start: number;
  end: number;
}

if (!available && required) {
  describe('health on postgres', () => {
    it('needs PostgreSQL (DUOWATCH_REQUIRE_SERVICES=1)', () => {
      throw new Error(url === '' ? 'DATABASE_URL is not set' : 'PostgreSQL at DATABASE_URL is not reachable');
    });
  });
} else if (!available) {
  describe.skip('health on postgres (skipped: DATABASE_URL unset or unreachable; set DUOWATCH_REQUIRE_SERVICES=1 to fail instead)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  describe('health on postgres', () => {
    it('two probers on one database: each integration probed by the lease holder only; the integrations of a dead holder are taken over when its leases expire', async () => {
      const database = await createTestDatabase(url);
      const dir = await mkdtemp(join(tmpdir(), 'duowatch-health-pg-'));
      const emulator = await createEmulator({ seed: 'health-pg', users: 5, rateLimit: false });
      const listening = await emulator.listen({ tlsDir: join(dir, 'tls') });
      const creds = emulator.credentials()[0];
      if (creds === undefined) throw new Error('no tenant');
      const transport = {
        resolve: { [creds.hostname]: { address: listening.address, port: listening.port } },
        extraCaPem: [await readFile(listening.caFile, 'utf8')],
        allowPrivateAddresses: true,
      };
      const open = () =>
        openStore({
          databaseUrl: database.url,
          dataDir: dir,
          env: {},
          poolSize: 3,
          migrations: capabilityMigrations,
        });
      const stores: Store[] = [];
      const loops = new Map<string, ProbeLoop>();
      const monitors: HealthMonitor[] = [];
      const probed: Probed[] = [];
      const prober = async (holder: string): Promise<Store> => {
        const store = await open();
        stores.push(store);
        const monitor = new HealthMonitor({
          store,
          config: CONFIG,
          transport,
          alerts: { raise: () => Promise.resolve() },
        });
        monitors.push(monitor);
        const ttl = probeLeaseTtlMs(CONFIG);
        loops.set(
          holder,
          startProbeLoop({
            subjects: () => allSubjects(store),
            intervalMs: CONFIG.intervalSeconds * 1000,
            concurrency: 4,
            refreshMs: 1000,
            claim: (s) => monitor.repo.claimProbe(s.integrationId, holder, Date.now(), ttl),
            probe: async (s) => {
              const start = Date.now();
              await monitor.probe(s);
              probed.push({ integration: s.integrationId, holder, start, end: Date.now() });
            },
          }),
        );
        return store;
      };
      try {
        const a = await prober('A');
        const org = await a.organizations.create({ slug: 'acme', name: 'Acme' });
        for (let i = 0; i < INTEGRATIONS; i++)
          await a.integrations.create(org.id, {
            kind: 'admin',
            apiHost: creds.hostname,
            ikey: creds.admin.ikey,
            skey: creds.admin.skey,
            label: `admin ${String(i)}`,
          });
        // A holds every integration before B starts, so B's claims all meet a live lease.
        await waitFor('A probing every integration', () =>
          Promise.resolve(new Set(probed.map((p) => p.integration)).size === INTEGRATIONS ? true : undefined),
        );
        await prober('B');
        const repo = healthRepository(a);

        // Three rounds of every integration.
        await waitFor('three probes of every integration', () => {
          const counts = new Map<string, number>();
          for (const p of probed) counts.set(p.integration, (counts.get(p.integration) ?? 0) + 1);
          return Promise.resolve(
            counts.size === INTEGRATIONS && [...counts.values()].every((n) => n >= 3) ? true : undefined,
          );
        });
        // One prober per integration: whoever took the lease first keeps it while it lives.
        const holderOf = new Map<string, Set<string>>();
        for (const p of probed)
          holderOf.set(p.integration, (holderOf.get(p.integration) ?? new Set()).add(p.holder));
        expect([...holderOf.values()].every((h) => h.size === 1)).toBe(true);
        const leases = await repo.probeHolders(Date.now());
        expect(leases.size).toBe(INTEGRATIONS);
        for (const [id, hs] of holderOf) expect(leases.get(id)).toBe([...hs][0]);
        // The health tables on PostgreSQL: a state row and minute buckets per integration.
        const states = await repo.states(org.id);
        expect(states).toHaveLength(INTEGRATIONS);
        expect(states.every((s) => s.state === 'UP')).toBe(true);
        for (const s of states) {
          const totals = await repo.totals(s.integrationId, 'minute', 0, Date.now() + 60_000);
          expect(totals.up).toBeGreaterThanOrEqual(1);
        }

        // A dies: its loop stops, its leases stay behind, its pool closes.
        const aOwned = [...holderOf].filter(([, h]) => h.has('A')).map(([id]) => id);
        expect(aOwned).toHaveLength(INTEGRATIONS);
        expect(loops.get('B')?.stats().notClaimed).toBeGreaterThan(0);
        expect(loops.get('B')?.stats().started).toBe(0);
        await loops.get('A')?.stop();
        await stores[0]?.close();
        const diedAt = Date.now();
        const takenOver = await waitFor('B probing every integration', () => {
          const byB = new Set(
            probed.filter((p) => p.holder === 'B' && p.start > diedAt).map((p) => p.integration),
          );
          return Promise.resolve(byB.size === INTEGRATIONS ? Date.now() - diedAt : undefined);
        });
        // A's integrations waited for their leases to expire, no longer than the lease plus one interval.
        if (aOwned.length > 0) {
          const firstByB = Math.min(
            ...probed.filter((p) => p.holder === 'B' && aOwned.includes(p.integration)).map((p) => p.start),
          );
          expect(firstByB - diedAt).toBeLessThanOrEqual(
            probeLeaseTtlMs(CONFIG) + CONFIG.intervalSeconds * 1000 + 2000,
          );
        }
        expect(takenOver).toBeGreaterThan(0);
        const after = await healthRepository(stores[1] as Store).probeHolders(Date.now());
        expect([...after.values()].every((h) => h === 'B')).toBe(true);
        // Never two probers on one integration at the same time.
        for (const id of holderOf.keys()) {
          const spans = probed.filter((p) => p.integration === id).sort((x, y) => x.start - y.start);
          for (let i = 1; i < spans.length; i++)
            expect((spans[i] as Probed).start).toBeGreaterThanOrEqual((spans[i - 1] as Probed).end);
        }
      } finally {
        for (const loop of loops.values()) await loop.stop();
        for (const m of monitors) m.close();
        for (const s of stores) await s.close().catch(() => undefined);
        await listening.close();
        await database.drop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
