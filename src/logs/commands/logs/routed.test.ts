import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startLogsCliEmulator, type CliEmulator } from '../../../cli/cli-emulator.test-helpers.js';

// `logs once` and `logs run` without --sink collect by the configuration's routes, sinks and filters (the
// service `serve` uses), and `logs status` — another process's view — shows the rate, backlog and sink health
// those runs stored in the database.
let world: CliEmulator;
let env: Record<string, string>;
let archive: string;
let denied: string;

beforeAll(async () => {
  world = await startLogsCliEmulator('duowatch-cli-logs-routed-', 'cli-logs', 60);
  archive = join(world.dir, 'archive.ndjson');
  denied = join(world.dir, 'denied.ndjson');
  const configFile = join(world.dir, 'duowatch.yaml');
  writeFileSync(
    configFile,
    `logs:
  firstRunLookback: 30d
  sinks:
    archive: { type: file, path: ${JSON.stringify(archive)}, format: raw }
    denied: { type: file, path: ${JSON.stringify(denied)}, format: raw }
  routes:
    - { org: acme, sinks: [archive] }
    - org: acme
      streams: [auth]
      sinks: [denied]
      where: [{ field: result, in: [denied, fraud] }]
`,
  );
  env = { ...world.env, DUOWATCH_CONFIG: configFile };
});

afterAll(async () => world.close());

const run = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(args, { env: { ...env, ...extraEnv } });

interface Line {
  result?: string;
  duowatch: { id: string; stream: string; org: string };
}
const lines = (file: string): Line[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);

interface Status {
  streams: Array<{
    stream: string;
    events: number;
    eventsPerSecond: number;
    backlogEstimate: number | null;
    lagSeconds: number | null;
  }>;
  sinks: Array<{
    sink: string;
    type: string | null;
    queueEvents: number | null;
    lastAck: string | null;
    position: string | null;
  }>;
}

describe('logs once / run by the configured routes', () => {
  it('deliver to the routed sinks with their filters, and status shows rates and sinks', async () => {
    expect((await run(['orgs', 'add', 'acme', '--name', 'Acme'])).code).toBe(0);
    expect((await run(['orgs', 'add', 'other', '--name', 'Other'])).code).toBe(0);
    for (const org of ['acme', 'other']) {
      const add = await run(
        [
          'integrations',
          'add',
          '--org',
          org,
          '--host',
          world.creds.hostname,
          '--ikey',
          world.creds.admin.ikey,
          '--force',
        ],
        { DUOWATCH_SKEY: world.creds.admin.skey },
      );
      expect(add.code).toBe(0);
    }

    const startedAt = Date.now();
    const once = await run(['logs', 'once', '--org', 'acme', '--json']);
    expect(once.err).toBe('');
    expect(once.code).toBe(0);
    const summary = JSON.parse(once.out) as { streams: Array<{ stream: string; events: number }> };
    expect(summary.streams).toHaveLength(6);
    expect(summary.streams.filter((s) => s.events === 0)).toEqual([]);
    const all = lines(archive);
    expect(all.length).toBe(summary.streams.reduce((n, s) => n + s.events, 0));
    expect(new Set(all.map((l) => l.duowatch.id)).size).toBe(all.length);
    // The filtered route: exactly the archive's denied or fraud authentications.
    const expectedDenied = all
      .filter((l) => l.duowatch.stream === 'auth' && (l.result === 'denied' || l.result === 'fraud'))
      .map((l) => l.duowatch.id);
    expect(expectedDenied.length).toBeGreaterThan(0);
    expect(lines(denied).map((l) => l.duowatch.id)).toEqual(expectedDenied);

    // Another process's view: the rate is the delivered count over the shared ten-minute window.
    const status = await run(['logs', 'status', '--org', 'acme', '--json']);
    expect(status.code).toBe(0);
    const st = JSON.parse(status.out) as Status;
    expect(st.streams).toHaveLength(6);
    for (const s of st.streams) {
      expect(s.eventsPerSecond).toBe(Math.round((s.events / 600) * 1000) / 1000);
      expect(s.backlogEstimate).not.toBeNull();
      expect(s.lagSeconds).toBeGreaterThanOrEqual(120);
    }
    const sinks = new Map(st.sinks.map((s) => [s.sink, s]));
    for (const name of ['archive', 'denied']) {
      const s = sinks.get(name);
      expect(s?.type).toBe('file');
      expect(s?.queueEvents).toBe(0);
      expect(Date.parse(s?.lastAck ?? '')).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(s?.position).not.toBeNull();
    }
    const table = await run(['logs', 'status', '--org', 'acme']);
    expect(table.out).toMatch(/BACKLOG\s+EV\/S/);
    expect(table.out).toMatch(/^archive\s+file\s+0\s+\d{4}-/m);

    // The daemon: the same checkpoints, so an emulated hour later only the newer events, once.
    // Office-hours baseline: a night hour may hold no event, so a burst in that hour keeps the test
    // independent of the time of day it runs at.
    world.emulator.world
      .tenant(world.creds.hostname)
      .inject({ kind: 'push_fatigue', at: world.emulator.world.clock.now() + 1_800_000 });
    world.emulator.world.clock.advance(3_600_000);
    const daemon = await run(['logs', 'run', '--rounds', '1', '--interval', '1']);
    expect(daemon.err).toBe('');
    expect(daemon.code).toBe(0);
    const after = lines(archive);
    expect(after.length).toBeGreaterThan(all.length);
    expect(after.slice(0, all.length)).toEqual(all);
    expect(new Set(after.map((l) => l.duowatch.id)).size).toBe(after.length);
    expect(after.every((l) => l.duowatch.org === 'acme')).toBe(true);

    // An organization no route names: a usage error that says how to fix it.
    const unrouted = await run(['logs', 'once', '--org', 'other']);
    expect(unrouted.code).toBe(2);
    expect(unrouted.err).toMatch(/no logs\.routes entry collects organization "other".*\[logs\.no_sink\]/);
    const since = await run(['logs', 'once', '--org', 'acme', '--since', '7d']);
    expect(since.code).toBe(2);
    expect(since.err).toMatch(/--since needs --sink/);
  });
});
