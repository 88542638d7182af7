import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { capabilityMigrations } from '../../src/app/index.js';
import { createEmulator } from '../../src/emulator/index.js';
import { HEALTH_DEFAULTS } from '../../src/health/config-schema.js';
import { createFailModeAdvisor } from '../../src/health/failmode/advisor.js';
import { HealthMonitor } from '../../src/health/monitor/monitor.js';
import { probeLeaseTtlMs } from '../../src/health/monitor/probe-lease.js';
import { startProbeLoop, type ProbeLoop } from '../../src/health/monitor/probe-loop.js';
import { allSubjects } from '../../src/health/probe/probe-targets.js';
import { healthRepository } from '../../src/health/store/health-repository.js';
import { openStore } from '../../src/store/index.js';
import { createTestDatabase, reachable } from './store-pg-database.js';
import { raiserOf } from '../../src/app/index.js';

// The health tables and the probe lease on PostgreSQL, with two probers as two `serve` processes run them: A
// in its own OS process, B in this one, each on its own pool. Only the lease holder probes an integration;
// when A is SIGKILLed, B takes its integrations over once their leases expire. Fails, never skips, under
// DUOWATCH_REQUIRE_SERVICES=1.
const url = process.env['DATABASE_URL'] ?? '';
const required = process.env['DUOWATCH_REQUIRE_SERVICES'] === '1';
const available = url !== '' && (await reachable(url));

const ROOT = join(import.meta.dirname, '..', '..');
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
    it('two probers on one database: each integration probed by the lease holder only; when the holder process is killed, the other takes its integrations over once the leases expire', async () => {
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
      const store = await openStore({
        databaseUrl: database.url,
        dataDir: dir,
        env: {},
        poolSize: 3,
        migrations: capabilityMigrations,
      });
      const repo = healthRepository(store);
      let child: ChildProcess | null = null;
      let loop: ProbeLoop | null = null;
      let monitor: HealthMonitor | null = null;
      const probed: Probed[] = [];
      try {
        const org = await store.organizations.create({ slug: 'acme', name: 'Acme' });
        for (let i = 0; i < INTEGRATIONS; i++)
          await store.integrations.create(org.id, {
            kind: 'admin',
            apiHost: creds.hostname,
            ikey: creds.admin.ikey,
            skey: creds.admin.skey,
            label: `admin ${String(i)}`,
          });

        // Prober A: its own OS process on its own pool.
        const a = spawn(
          process.execPath,
          ['--import', 'tsx', join(ROOT, 'test', 'services', 'health-prober.child.ts')],
          {
            cwd: ROOT,
            env: {
              ...process.env,
              DATABASE_URL: database.url,
              PROBER_DIR: dir,
              PROBER_TRANSPORT: JSON.stringify(transport),
            },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        child = a;
        const holderA = await new Promise<string>((resolve, reject) => {
          createInterface({ input: a.stdout }).once('line', resolve);
          a.once('error', reject);
          a.once('exit', (code) => reject(new Error(`prober A exited with ${String(code)}`)));
        });
        // A holds every integration before B starts, so B's claims all meet a live lease.
        await waitFor('A holding every integration', async () => {
          const holders = await repo.probeHolders(Date.now());
          return holders.size === INTEGRATIONS && [...holders.values()].every((h) => h === holderA)
            ? true
            : undefined;
        });
        const probesByA = async (): Promise<number> => {
          let n = 0;
          for (const s of await repo.states(org.id))
            n += (await repo.totals(s.integrationId, 'minute', 0, Date.now() + 60_000)).up;
          return n;
        };

        // Prober B: this process, another pool.
        const m = new HealthMonitor({
          store,
          config: CONFIG,
          transport,
          alerts: raiserOf(() => Promise.resolve()),
        });
        monitor = m;
        const ttl = probeLeaseTtlMs(CONFIG);
        const b = startProbeLoop({
          subjects: () => allSubjects(store),
          intervalMs: CONFIG.intervalSeconds * 1000,
          concurrency: 4,
          refreshMs: 1000,
          claim: (s) => m.repo.claimProbe(s.integrationId, 'B', Date.now(), ttl),
          probe: async (s) => {
            const start = Date.now();
            await m.probe(s);
            probed.push({ integration: s.integrationId, holder: 'B', start, end: Date.now() });
          },
        });
        loop = b;
        // Two rounds while A lives: A keeps probing (the uptime buckets grow), B probes nothing.
        const before = await probesByA();
        await waitFor('B asking for every integration twice', () =>
          Promise.resolve(b.stats().notClaimed >= 2 * INTEGRATIONS ? true : undefined),
        );
        expect(b.stats().started).toBe(0);
        expect(await probesByA()).toBeGreaterThan(before);
        // The health tables on PostgreSQL, as A wrote them: a state row per integration, UP.
        const states = await repo.states(org.id);
        expect(states).toHaveLength(INTEGRATIONS);
        expect(states.every((st) => st.state === 'UP')).toBe(true);

        // A is killed: no clean shutdown, its leases stay behind until they expire.
        const leasesAtKill = await repo.probeHolders(Date.now());
        expect([...leasesAtKill.values()].every((h) => h === holderA)).toBe(true);
        a.kill('SIGKILL');
        await new Promise((r) => a.once('exit', r));
        const killedAt = Date.now();
        await waitFor('B probing every integration', () =>
          Promise.resolve(new Set(probed.map((p) => p.integration)).size === INTEGRATIONS ? true : undefined),
        );
        const firstByB = Math.min(...probed.map((p) => p.start));
        // Not before A's leases could have expired (its last renewal was at most one interval before the kill),
        // and not long after: the lease time plus one interval, plus slack for a loaded machine.
        expect(firstByB - killedAt).toBeGreaterThanOrEqual(ttl - CONFIG.intervalSeconds * 1000 - 1000);
        expect(firstByB - killedAt).toBeLessThanOrEqual(ttl + CONFIG.intervalSeconds * 1000 + 5000);
        const after = await repo.probeHolders(Date.now());
        expect(after.size).toBe(INTEGRATIONS);
        expect([...after.values()].every((h) => h === 'B')).toBe(true);

        // Fail-mode decisions on PostgreSQL too: recorded by the advisor, the fail-open ones read back in order.
        const advisor = createFailModeAdvisor({
          store,
          repo,
          applications: () => [{ name: 'vpn', mode: 'open', roles: [] }],
          alerts: raiserOf(() => Promise.resolve()),
        });
        const t0 = Date.now();
        expect(
          (
            await advisor.decide({
              orgId: org.id,
              application: 'vpn',
              role: 'viewer',
              username: 'ann',
              cause: 'timeout',
            })
          ).allow,
        ).toBe(true);
        expect(
          (
            await advisor.decide({
              orgId: org.id,
              application: 'vpn',
              role: 'admin',
              username: 'root',
              cause: 'timeout',
            })
          ).allow,
        ).toBe(false);
        expect(
          (
            await advisor.decide({
              orgId: org.id,
              application: 'vpn',
              role: 'viewer',
              username: 'bob',
              cause: 'down',
            })
          ).allow,
        ).toBe(true);
        const open = await repo.failOpenDecisions(org.id, t0 - 1, Date.now() + 1, 10);
        expect(open.map((d) => [d.username, d.allow, d.healthState])).toEqual([
          ['ann', true, 'UP'],
          ['bob', true, 'UP'],
        ]);
        expect(await repo.decisions(org.id, t0 - 1, Date.now() + 1)).toHaveLength(3);
      } finally {
        child?.kill('SIGKILL');
        await loop?.stop();
        monitor?.close();
        await store.close();
        await listening.close();
        await database.drop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
