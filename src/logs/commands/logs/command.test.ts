import { readFileSync } from 'node:fs';
import { runCli, startLogsCliEmulator, type CliEmulator } from '../../../cli/cli-emulator.test-helpers.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, TenantCredentials } from '../../../emulator/index.js';

// `duowatch logs once` as the scripted checks run it: the emulator over TLS (limits off), the data directory,
// DUOWATCH_DUO_LOG_BUDGET=0, a file sink, JSON on stdout.
let emulator: Emulator;
let creds: TenantCredentials;
let world: CliEmulator;
let env: Record<string, string>;

beforeAll(async () => {
  world = await startLogsCliEmulator('duowatch-cli-logs-', 'cli-logs', 60);
  ({ emulator, creds, env } = world);
});

afterAll(async () => world.close());

const run = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(args, { env: { ...env, ...extraEnv } });

interface Line {
  duowatch: { id: string; stream: string; org: string };
  [k: string]: unknown;
}

const lines = (file: string): Line[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);

describe('duowatch logs once', () => {
  it('collects every stream to a file, prints the JSON summary, and a second run continues', async () => {
    expect((await run(['orgs', 'add', 'acme', '--name', 'Acme'])).code).toBe(0);
    const add = await run(
      // --force: Test before Save flags the emulated tenant's hour of clock skew (signatures still pass).
      [
        'integrations',
        'add',
        '--org',
        'acme',
        '--host',
        creds.hostname,
        '--ikey',
        creds.admin.ikey,
        '--force',
      ],
      { DUOWATCH_SKEY: creds.admin.skey },
    );
    expect(add.code).toBe(0);
    const file = join(world.dir, 'out', 'duo.ndjson');
    const r = await run([
      'logs',
      'once',
      '--org',
      'acme',
      '--since',
      '30d',
      '--sink',
      `file:${file}`,
      '--json',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out) as {
      streams: Array<{ stream: string; events: number; newest: string | null }>;
    };
    expect(summary.streams.map((s) => s.stream)).toEqual([
      'auth',
      'admin',
      'telephony',
      'activity',
      'trust_monitor',
      'offline_enrollment',
    ]);
    for (const s of summary.streams) expect(Object.keys(s).sort()).toEqual(['events', 'newest', 'stream']);
    const got = lines(file);
    expect(got.length).toBe(summary.streams.reduce((n, s) => n + s.events, 0));
    expect(summary.streams.every((s) => s.events > 0)).toBe(true);
    expect(new Set(got.map((l) => l.duowatch.id)).size).toBe(got.length);
    expect(got.every((l) => l.duowatch.org === 'acme')).toBe(true);
    const cutoff = Date.now() - 120_000;
    for (const s of summary.streams) {
      const newest = Date.parse(s.newest ?? '');
      expect(newest).toBeLessThanOrEqual(cutoff);
    }
    // Raw lines are Duo's object unchanged plus the duowatch key: the auth events match the emulator's own.
    const auth = got.filter((l) => l.duowatch.stream === 'auth');
    const t = emulator.world.tenant(creds.hostname);
    const firstAuth = auth[0];
    if (firstAuth === undefined) throw new Error('no auth events');
    const { duowatch: _tag, ...rawFirst } = firstAuth;
    const page = t.authLog({
      mintime: Date.parse(String(rawFirst['isotimestamp'])),
      maxtime: Date.parse(String(rawFirst['isotimestamp'])),
      limit: 10,
      sort: 'ts:asc',
    });
    expect(page.events.find((e) => e.txid === rawFirst['txid'])).toEqual(rawFirst);

    // Second run, at once: nothing new, the file unchanged.
    const before = readFileSync(file, 'utf8');
    const again = await run(['logs', 'once', '--org', 'acme', '--sink', `file:${file}`, '--json']);
    expect(again.code).toBe(0);
    const s2 = JSON.parse(again.out) as { streams: Array<{ events: number; newest: string | null }> };
    expect(s2.streams.every((s) => s.events === 0)).toBe(true);
    expect(s2.streams.map((s) => s.newest)).toEqual(summary.streams.map((s) => s.newest));
    expect(readFileSync(file, 'utf8')).toBe(before);

    // An emulated hour later (the tenant catches up with the wall clock): only the newer events, appended.
    // The baseline follows users' office hours, so a night hour may hold no login; a push-fatigue burst
    // in that hour makes the test independent of the time of day it runs at.
    t.inject({ kind: 'push_fatigue', at: emulator.world.clock.now() + 1_800_000 });
    emulator.world.clock.advance(3_600_000);
    const later = await run([
      'logs',
      'once',
      '--org',
      'acme',
      '--streams',
      'auth,admin',
      '--sink',
      `file:${file}`,
      '--json',
    ]);
    expect(later.code).toBe(0);
    const s3 = JSON.parse(later.out) as { streams: Array<{ stream: string; events: number }> };
    expect(s3.streams.map((s) => s.stream)).toEqual(['auth', 'admin']);
    expect(s3.streams[0]?.events).toBeGreaterThan(0);
    const all = lines(file);
    expect(all.length).toBe(got.length + s3.streams.reduce((n, s) => n + s.events, 0));
    expect(new Set(all.map((l) => l.duowatch.id)).size).toBe(all.length);
    expect(readFileSync(file, 'utf8').startsWith(before)).toBe(true);

    const status = await run(['logs', 'status', '--org', 'acme', '--json']);
    expect(status.code).toBe(0);
    const st = JSON.parse(status.out) as {
      streams: Array<{ stream: string; status: string; events: number }>;
    };
    expect(st.streams).toHaveLength(6);
    expect(st.streams.every((s) => s.status === 'ok')).toBe(true);
    expect(st.streams.reduce((n, s) => n + s.events, 0)).toBe(all.length);
  });

  it('writes ECS lines with the id in event.id', async () => {
    const file = join(world.dir, 'ecs.ndjson');
    // A fresh organization on the same tenant, so its checkpoints start at --since.
    expect((await run(['orgs', 'add', 'ecs-org', '--name', 'ECS'])).code).toBe(0);
    const add = await run(
      // --force: the emulated tenant's clock differs from ours, which the clock check flags.
      [
        'integrations',
        'add',
        '--org',
        'ecs-org',
        '--host',
        creds.hostname,
        '--ikey',
        creds.admin.ikey,
        '--force',
      ],
      { DUOWATCH_SKEY: creds.admin.skey },
    );
    expect(add.code).toBe(0);
    const r = await run([
      'logs',
      'once',
      '--org',
      'ecs-org',
      '--streams',
      'auth',
      '--since',
      '2d',
      '--sink',
      `file:${file}`,
      '--format',
      'ecs',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const got = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { event: { id: string } });
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((l) => /^[0-9a-f]{40}$/.test(l.event.id))).toBe(true);
  });

  it('refuses unknown streams, bad --since and a missing organization with usage errors', async () => {
    const file = join(world.dir, 'x.ndjson');
    const bad = await run([
      'logs',
      'once',
      '--org',
      'acme',
      '--streams',
      'auth,nope',
      '--sink',
      `file:${file}`,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown stream "nope".*\[logs\.invalid_streams\]/);
    const since = await run([
      'logs',
      'once',
      '--org',
      'acme',
      '--since',
      'yesterday',
      '--sink',
      `file:${file}`,
    ]);
    expect(since.code).toBe(2);
    expect(since.err).toMatch(/logs\.invalid_since/);
    const missing = await run(['logs', 'once', '--org', 'nobody', '--sink', `file:${file}`]);
    expect(missing.code).toBe(3);
    expect(missing.err).toMatch(/no organization "nobody"/);
  });
});
