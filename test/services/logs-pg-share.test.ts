import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capabilityMigrations } from '../../src/app/index.js';
import { createClock, createEmulator } from '../../src/emulator/index.js';
import { checkpointRepository } from '../../src/logs/checkpoint.repository.js';
import { openStore } from '../../src/store/index.js';
import { createTestDatabase, reachable } from './store-pg-database.js';

// Two collector processes on one PostgreSQL database, each with its own data directory and file sink, reading
// the same organization's streams from the emulator over TLS. B starts while A drains and meets A's leases
// (reported `busy`); A is then SIGKILLed mid-drain with its leases held, and B takes those streams over once
// the leases expire (a 4 s lease). A restarted cuts what its killed run wrote but never committed (when the
// kill fell between a write and its commit; test/services/logs-crash.test.ts forces that case). Across the
// two files every event the emulator holds arrives exactly once, and every lease is released at the end.
// Fails, never skips, under DUOWATCH_REQUIRE_SERVICES=1.
const url = process.env['DATABASE_URL'] ?? '';
const required = process.env['DUOWATCH_REQUIRE_SERVICES'] === '1';
const available = url !== '' && (await reachable(url));

const ROOT = join(import.meta.dirname, '..', '..');
const STREAMS = ['auth', 'telephony', 'activity'] as const;
const LEASE_MS = 4000;
// Frozen emulated time an hour behind the wall clock: what the tenant holds does not change during the test.
const FROZEN = Date.now() - 3_600_000;
const SINCE = FROZEN - 30 * 86_400_000;

interface Line {
  round?: number;
  stream?: string;
  outcome?: string;
  events?: number;
  owner?: string;
}

interface Run {
  proc: ChildProcess;
  lines: Line[];
  err: string;
  exit: Promise<number | null>;
}

function collector(host: string, dataDir: string, file: string, env: Record<string, string>): Run {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'test', 'services', 'logs-pg-share.child.ts'),
      ...['--org', 'acme', '--since', String(SINCE), '--streams', STREAMS.join(',')],
      ...['--file', file, '--host', host, '--lease-ms', String(LEASE_MS)],
    ],
    {
      cwd: ROOT,
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DUOWATCH_'))),
        ...env,
        DUOWATCH_DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const run: Run = { proc, lines: [], err: '', exit: Promise.resolve(null) };
  let buffered = '';
  proc.stdout?.on('data', (c: Buffer) => {
    buffered += c.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) if (p !== '') run.lines.push(JSON.parse(p) as Line);
  });
  proc.stderr?.on('data', (c: Buffer) => (run.err += c.toString()));
  run.exit = new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => resolve(code));
  });
  return run;
}

async function waitFor(what: string, probe: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Event ids by stream in a raw NDJSON file sink's output. */
async function idsIn(file: string): Promise<Array<{ id: string; stream: string }>> {
  if (!existsSync(file)) return [];
  const text = await readFile(file, 'utf8');
  const out: Array<{ id: string; stream: string }> = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /"duowatch":\{"id":"([0-9a-f]+)","stream":"([a-z_]+)"/.exec(line);
    if (m === null) throw new Error(`a line without the duowatch envelope: ${line.slice(0, 120)}`);
    out.push({ id: m[1] ?? '', stream: m[2] ?? '' });
  }
  return out;
}

if (!available && required) {
  describe('logs on postgres', () => {
    it('needs PostgreSQL (DUOWATCH_REQUIRE_SERVICES=1)', () => {
      throw new Error(url === '' ? 'DATABASE_URL is not set' : 'PostgreSQL at DATABASE_URL is not reachable');
    });
  });
} else if (!available) {
  describe.skip('logs on postgres (skipped: DATABASE_URL unset or unreachable; set DUOWATCH_REQUIRE_SERVICES=1 to fail instead)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  describe('logs on postgres', () => {
    it('two processes share one organization’s streams: each event exactly once across their files; a killed process’s streams are taken over once its leases expire', async () => {
      const database = await createTestDatabase(url);
      const dir = await mkdtemp(join(tmpdir(), 'duowatch-logs-pg-'));
      const emulator = await createEmulator({
        seed: 'logs-pg-share',
        users: 600,
        rateLimit: false,
        signAgainstWallClock: true,
        clock: createClock({ realNow: () => FROZEN }),
      });
      const listening = await emulator.listen({ tlsDir: join(dir, 'tls') });
      const creds = emulator.credentials()[0];
      if (creds === undefined) throw new Error('no tenant');
      const env = {
        DATABASE_URL: database.url,
        DUOWATCH_MASTER_KEY: randomBytes(32).toString('base64'),
        DUOWATCH_DUO_RESOLVE: `${creds.hostname}=${listening.address}:${String(listening.port)}`,
        DUOWATCH_DUO_CA_FILE: listening.caFile,
        DUOWATCH_ALLOW_PRIVATE_ADDRESSES: 'true',
        DUOWATCH_DUO_LOG_BUDGET: '0',
        DUOWATCH_LOG_LEVEL: 'silent',
      };
      const store = await openStore({
        databaseUrl: database.url,
        dataDir: join(dir, 'setup'),
        env,
        poolSize: 2,
        migrations: capabilityMigrations,
      });
      const runs: Run[] = [];
      try {
        const org = await store.organizations.create({ slug: 'acme', name: 'Acme' });
        await store.integrations.create(org.id, {
          kind: 'admin',
          apiHost: creds.hostname,
          ikey: creds.admin.ikey,
          skey: creds.admin.skey,
          label: 'admin',
        });
        const repo = checkpointRepository(store);
        const fileA = join(dir, 'a', 'out', 'duo.ndjson');
        const fileB = join(dir, 'b', 'out', 'duo.ndjson');

        // A starts; once it has committed a first page (its file then holds events the checkpoints count), B
        // starts beside it on the same database and meets A's leases ('busy') while A drains.
        const a = collector('host-a', join(dir, 'a', 'data'), fileA, env);
        runs.push(a);
        await waitFor('A committing a first page', async () =>
          (await repo.list(org.id)).some((r) => r.eventsTotal > 0),
        );
        const b = collector('host-b', join(dir, 'b', 'data'), fileB, env);
        runs.push(b);
        await waitFor(`B meeting A's lease (A: ${a.err})`, () => b.lines.some((l) => l.outcome === 'busy'));
        // Then A is SIGKILLed mid-drain: no clean shutdown, its leases stay until they expire.
        expect(a.proc.exitCode, 'A finished before it could be killed').toBeNull();
        a.proc.kill('SIGKILL');
        await a.exit;
        const heldByA = (await repo.list(org.id))
          .filter((r) => r.leaseOwner !== null && r.leaseOwner.startsWith('host-a:'))
          .map((r) => r.key.stream);
        expect(heldByA.length, 'A held no lease when killed').toBeGreaterThan(0);
        expect(await b.exit, b.err).toBe(0);

        // B took each of them over: busy while the lease lived, then drained it to the end.
        for (const stream of heldByA) {
          const seen = b.lines.filter((l) => l.stream === stream);
          expect(seen[0]?.outcome, `${stream} in ${JSON.stringify(seen)}`).toBe('busy');
          expect(seen.at(-1)?.outcome).toBe('ok');
          expect(seen.some((l) => l.outcome === 'ok' && (l.events ?? 0) > 0)).toBe(true);
        }

        // A restarted: its file sink cuts what the killed run wrote but never committed; nothing is left to read.
        const a2 = collector('host-a', join(dir, 'a', 'data'), fileA, env);
        runs.push(a2);
        expect(await a2.exit, a2.err).toBe(0);
        expect(a2.lines.filter((l) => (l.events ?? 0) > 0)).toEqual([]);

        // Exactly once across the two files, and all of it.
        const all = [...(await idsIn(fileA)), ...(await idsIn(fileB))];
        const counts = new Map<string, number>();
        for (const e of all) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
        const inA = (await idsIn(fileA)).length;
        const busyRounds = b.lines.filter((l) => l.outcome === 'busy').length;
        process.stderr.write(
          `logs-pg-share: ${String(counts.size)} events (${String(inA)} in A's file, ${String(all.length - inA)} in B's); ` +
            `A held ${heldByA.join(',')} when killed; B reported busy ${String(busyRounds)} times\n`,
        );
        expect([...counts.entries()].filter(([, n]) => n > 1)).toEqual([]);
        const t = emulator.world.tenant(creds.hostname);
        const q = { mintime: SINCE, maxtime: FROZEN - 120_000, limit: 1, sort: 'ts:asc' as const };
        const expected = {
          auth: t.authLog(q).total,
          telephony: t.telephonyLog(q).total,
          activity: t.activityLog(q).total,
        };
        const got = Object.fromEntries(STREAMS.map((s) => [s, all.filter((e) => e.stream === s).length]));
        expect(got).toEqual(expected);
        expect(expected.auth).toBeGreaterThan(0);
        // A's committed pages survived its kill and its restart (only the uncommitted tail was cut).
        expect(inA).toBeGreaterThan(0);

        // Every lease released; every stream's checkpoint stored.
        const records = await repo.list(org.id);
        expect(records.map((r) => r.key.stream).sort()).toEqual([...STREAMS].sort());
        expect(records.filter((r) => r.leaseOwner !== null)).toEqual([]);
      } finally {
        for (const r of runs)
          if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
        await Promise.all(runs.map((r) => r.exit.catch(() => null)));
        await store.close();
        await listening.close();
        await database.drop();
        await rm(dir, { recursive: true, force: true });
      }
    }, 120_000);
  });
}
