import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuoClient, LimiterRegistry, systemClock, type DuoClient } from '../duo/index.js';
import { appDispatcher } from '../duo/test-support/app-dispatcher.test-helpers.js';
import { createEmulator, type Emulator, type TenantCredentials } from '../emulator/index.js';
import { openStore, type Store } from '../store/index.js';
import { checkpointRepository, type CheckpointRepository } from './checkpoint.repository.js';
import { collectOrg, processOwner, type CollectorDeps } from './collect-org.js';
import { createDeliveryLock } from './delivery-lock.js';
import { logsMigrations } from './migrations.js';
import { RecorderSink } from './recorder-sink.test-helpers.js';
import { LOG_STREAMS, type LogStream } from './streams.js';

let emu: Emulator;
let creds: TenantCredentials;
let dir: string;
let store: Store;
let repo: CheckpointRepository;
let org: { id: string; slug: string };
let integrationId: string;

function client(): DuoClient {
  const limiter = new LimiterRegistry({ clock: systemClock, ratesPerMinute: { log: 0, auth_log: 0 } });
  return createDuoClient({
    ...creds.admin,
    host: creds.hostname,
    dispatcher: appDispatcher(emu.app),
    limiter,
  });
}

function deps(sink: RecorderSink, now = () => emu.world.clock.now()): CollectorDeps {
  const c = client();
  return {
    store,
    repo,
    clientFor: () => Promise.resolve(c),
    sinks: [sink],
    lock: createDeliveryLock(),
    now,
    owner: processOwner(),
  };
}

/** The emulator's own count of each stream's events in [lo, hi] ms, read in-process (the oracle). */
function emulatorCount(stream: LogStream, lo: number, hi: number): number {
  const t = emu.world.tenant(creds.hostname);
  const q = { mintime: lo, maxtime: hi, limit: 1, sort: 'ts:asc' as const };
  if (stream === 'auth') return t.authLog(q).total;
  if (stream === 'telephony') return t.telephonyLog(q).total;
  if (stream === 'activity') return t.activityLog(q).total;
  let n = 0;
  if (stream === 'trust_monitor') {
    let offset: number | undefined;
    for (;;) {
      const page = t.trustMonitor({
        mintime: lo,
        maxtime: hi,
        limit: 200,
        ...(offset === undefined ? {} : { offset }),
      });
      n += page.events.length;
      if (page.next === null) return n;
      offset = page.next;
    }
  }
  const read = (m: number) =>
    stream === 'admin'
      ? t.adminLog(m, 1000, Math.floor(hi / 1000))
      : t.offlineEnrollmentLog(m, 1000, Math.floor(hi / 1000));
  const seen = new Set<string>();
  let m = Math.floor(lo / 1000);
  for (;;) {
    const rows = read(m);
    for (const r of rows) if (r.timestamp * 1000 <= hi) seen.add(JSON.stringify(r));
    if (rows.length < 1000) return seen.size;
    m = Math.max(...rows.map((r) => r.timestamp)) + 1;
  }
}

beforeAll(async () => {
  emu = await createEmulator({
    seed: 'logs-collect',
    users: 40,
    rateLimit: false,
    signAgainstWallClock: true,
  });
  const first = emu.credentials()[0];
  if (first === undefined) throw new Error('no tenant');
  creds = first;
  dir = await mkdtemp(join(tmpdir(), 'duowatch-logs-'));
  store = await openStore({ dataDir: dir, env: {}, migrations: logsMigrations });
  repo = checkpointRepository(store);
  const o = await store.organizations.create({ slug: 'acme' });
  org = { id: o.id, slug: o.slug };
  const i = await store.integrations.create(o.id, {
    kind: 'admin',
    apiHost: creds.hostname,
    label: 'emulated',
    mkey: null,
    ikey: creds.admin.ikey,
    skey: creds.admin.skey,
  });
  integrationId = i.id;
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('collector against the emulator', () => {
  it('drains all six streams exactly once, then continues from the checkpoints', async () => {
    const sink = new RecorderSink();
    const start = emu.world.clock.now();
    const firstFrom = start - 30 * 86_400_000;
    const reports = await collectOrg(deps(sink), org, { streams: LOG_STREAMS, firstFrom, pageSize: 100 });
    expect(reports.map((r) => [r.key.stream, r.outcome, r.error])).toEqual(
      LOG_STREAMS.map((s) => [s, 'ok', null]),
    );
    const ids = sink.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const hi = start - 120_000;
    for (const stream of LOG_STREAMS) {
      const got = sink.events.filter((e) => e.stream === stream);
      expect({ stream, n: got.length }).toEqual({ stream, n: emulatorCount(stream, firstFrom, hi) });
      // Oldest first within a stream, never newer than now − 2 min.
      for (let k = 1; k < got.length; k++) expect(got[k]!.ts).toBeGreaterThanOrEqual(got[k - 1]!.ts);
      expect(got.every((e) => e.ts <= hi && e.orgSlug === 'acme')).toBe(true);
    }
    // Thirty days of this tenant hold every stream, and auth spans many 100-event pages.
    expect(sink.events.filter((e) => e.stream === 'auth').length).toBeGreaterThan(1000);
    for (const s of LOG_STREAMS) expect(sink.events.some((e) => e.stream === s)).toBe(true);

    // Again at once: nothing new, nothing repeated (the inclusive overlap is de-duplicated).
    const before = sink.events.length;
    const again = await collectOrg(deps(sink), org, { streams: LOG_STREAMS, firstFrom });
    expect(again.every((r) => r.outcome === 'ok')).toBe(true);
    expect(sink.events.length).toBe(before);

    // Ten emulated minutes later: only the newer events, still no duplicate.
    emu.world.clock.advance(600_000);
    const later = await collectOrg(deps(sink), org, { streams: LOG_STREAMS, firstFrom });
    expect(later.every((r) => r.outcome === 'ok')).toBe(true);
    const all = sink.events.map((e) => e.id);
    expect(new Set(all).size).toBe(all.length);
    const hi2 = emu.world.clock.now() - 120_000;
    for (const stream of ['auth', 'telephony', 'activity'] as const)
      expect(sink.events.filter((e) => e.stream === stream).length).toBe(
        emulatorCount(stream, firstFrom, hi2),
      );
  });

  it('a failing sink commits nothing; the retry delivers the batch once', async () => {
    const o = await store.organizations.create({ slug: 'retry' });
    await store.integrations.create(o.id, {
      kind: 'admin',
      apiHost: creds.hostname,
      label: 'emulated',
      mkey: null,
      ikey: creds.admin.ikey,
      skey: creds.admin.skey,
    });
    const sink = new RecorderSink('retry-sink');
    sink.failNext = 1;
    const firstFrom = emu.world.clock.now() - 86_400_000;
    const d = deps(sink);
    const r1 = await collectOrg(
      d,
      { id: o.id, slug: o.slug },
      { streams: ['auth'], firstFrom, pageSize: 50 },
    );
    expect(r1[0]?.outcome).toBe('backoff');
    expect(r1[0]?.error).toMatch(/receiver down/);
    expect(sink.events).toHaveLength(0);
    const r2 = await collectOrg(
      d,
      { id: o.id, slug: o.slug },
      { streams: ['auth'], firstFrom, pageSize: 50 },
    );
    expect(r2[0]?.outcome).toBe('ok');
    const ids = sink.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(emulatorCount('auth', firstFrom, emu.world.clock.now() - 120_000));
    const rec = (await repo.list(o.id))[0];
    expect(rec?.status).toBe('ok');
    expect(rec?.eventsTotal).toBe(ids.length);
  });

  it('marks a stream needs_grant on 40301 and keeps collecting the others', async () => {
    const t = emu.world.tenant(creds.hostname);
    const app = t.addApplication('admin', { name: 'no log grant', grants: { read_log: false } });
    const o = await store.organizations.create({ slug: 'nogrant' });
    await store.integrations.create(o.id, {
      kind: 'admin',
      apiHost: creds.hostname,
      label: 'no grant',
      mkey: null,
      ikey: app.ikey,
      skey: app.skey,
    });
    const c = createDuoClient({
      ikey: app.ikey,
      skey: app.skey,
      host: creds.hostname,
      dispatcher: appDispatcher(emu.app),
    });
    const sink = new RecorderSink('grant-sink');
    const reports = await collectOrg(
      { ...deps(sink), clientFor: () => Promise.resolve(c) },
      { id: o.id, slug: o.slug },
      { streams: ['auth', 'admin'], firstFrom: emu.world.clock.now() - 3_600_000 },
    );
    expect(reports.map((r) => r.outcome)).toEqual(['needs_grant', 'needs_grant']);
    expect(reports[0]?.error).toMatch(/Grant read log/);
    const stored = await repo.list(o.id);
    expect(stored.map((s) => s.status)).toEqual(['needs_grant', 'needs_grant']);
    void integrationId;
  });
});

describe('MSP child accounts through the Accounts API', () => {
  it('reads every child tenant with the Accounts keys and account_id, each with its own checkpoints', async () => {
    const msp = await createEmulator({ seed: 'logs-msp', tenants: 3, users: 20, rateLimit: false });
    const parent = msp.credentials()[0];
    if (parent === undefined) throw new Error('no parent');
    const children = msp.credentials().filter((c) => c.parent !== null);
    expect(children).toHaveLength(2);
    const o = await store.organizations.create({ slug: 'msp' });
    const i = await store.integrations.create(o.id, {
      kind: 'accounts',
      apiHost: parent.hostname,
      label: 'accounts',
      mkey: null,
      ikey: parent.accounts.ikey,
      skey: parent.accounts.skey,
    });
    const c = createDuoClient({
      ...parent.accounts,
      host: parent.hostname,
      dispatcher: appDispatcher(msp.app),
      ratesPerMinute: { log: 0, auth_log: 0 },
    });
    const sink = new RecorderSink('msp-sink');
    const firstFrom = msp.world.clock.now() - 3 * 86_400_000;
    const exclude = children[1]?.accountId ?? '';
    const reports = await collectOrg(
      { ...deps(sink, () => msp.world.clock.now()), clientFor: () => Promise.resolve(c) },
      { id: o.id, slug: o.slug },
      { streams: ['auth'], firstFrom, excludeAccounts: [exclude] },
    );
    expect(reports.map((r) => [r.key.accountId, r.outcome])).toEqual([[children[0]?.accountId, 'ok']]);
    expect(reports[0]?.key.integrationId).toBe(i.id);
    const child = children[0];
    if (child === undefined) throw new Error('no child');
    const expected = msp.world.tenant(child.hostname).authLog({
      mintime: firstFrom,
      maxtime: msp.world.clock.now() - 120_000,
      limit: 1,
      sort: 'ts:asc',
    }).total;
    expect(expected).toBeGreaterThan(0);
    expect(sink.events).toHaveLength(expected);
    // Both children without the exclusion: the second one starts its own checkpoint.
    const both = await collectOrg(
      { ...deps(sink, () => msp.world.clock.now()), clientFor: () => Promise.resolve(c) },
      { id: o.id, slug: o.slug },
      { streams: ['auth'], firstFrom },
    );
    expect(both.map((r) => r.outcome)).toEqual(['ok', 'ok']);
    expect(both.find((r) => r.key.accountId === child.accountId)?.result?.events).toBe(0);
    expect((await repo.list(o.id)).map((r) => r.key.accountId).sort()).toEqual(
      children.map((x) => x.accountId).sort(),
    );
  });
});
