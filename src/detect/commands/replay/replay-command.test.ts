import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/index.js';
import { createClock, createTenant } from '../../../emulator/world/index.js';
import { emulatorEvents, toLine } from '../../emulator-events.test-helpers.js';

const NOW = Date.UTC(2026, 10, 18, 15, 30);
const HOUR = 3_600_000;

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  return { io: { stdout, stderr, stdin: new PassThrough(), env: {} }, out: () => o, err: () => e };
}

let dir: string;
let file: string;
let ids: Set<string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duowatch-replay-'));
  let real = NOW;
  const clock = createClock({ realNow: () => real });
  const t = createTenant(
    { hostname: 'api-replay.duosecurity.com', seed: 'replay', users: 80, now: NOW },
    clock,
  );
  t.inject({ kind: 'push_fatigue', pushes: 8 });
  t.inject({ kind: 'fraud' });
  t.inject({ kind: 'bypass_code_use' });
  t.inject({ kind: 'admin_action', action: 'user_delete' });
  real += 2 * HOUR;
  const events = emulatorEvents(t, 'demo', NOW - 3 * 24 * HOUR, NOW + 2 * HOUR);
  ids = new Set(events.map((e) => e.id));
  file = join(dir, 'events.ndjson');
  await writeFile(file, events.map(toLine).join('\n') + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('duowatch detect replay FILE --json (scripted use, kept exactly)', () => {
  it('prints one JSON object per alert with exactly the documented keys, for the injected scenarios', async () => {
    const c = capture();
    expect(await main(['detect', 'replay', file, '--json'], c.io)).toBe(0);
    const alerts = c
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const a of alerts) {
      expect(Object.keys(a)).toEqual([
        'rule',
        'title',
        'severity',
        'org',
        'entity',
        'first_seen',
        'last_seen',
        'count',
        'events',
      ]);
      expect(a['org']).toBe('demo');
      expect(Date.parse(String(a['first_seen']))).toBeLessThanOrEqual(Date.parse(String(a['last_seen'])));
      expect((a['events'] as string[]).every((id) => ids.has(id))).toBe(true);
    }
    const rules = new Set(alerts.map((a) => a['rule']));
    for (const r of [
      'duo.mfa_fatigue',
      'duo.mfa_fatigue_success',
      'duo.fraud',
      'duo.bypass_used',
      'duo.admin_bypass_create',
      'duo.admin_user_delete',
    ])
      expect(rules, r).toContain(r);
  });

  it('--from/--to bound the events replayed', async () => {
    const c = capture();
    const to = new Date(NOW - HOUR).toISOString();
    expect(await main(['detect', 'replay', file, '--json', '--to', to], c.io)).toBe(0);
    const rules = c
      .out()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { rule: string }).rule);
    expect(rules).not.toContain('duo.mfa_fatigue');
  });

  it("reports a line that is not the collector's output, with its number, and exits 2", async () => {
    const bad = join(dir, 'bad.ndjson');
    await writeFile(bad, '{"result":"fraud"}\n');
    const c = capture();
    expect(await main(['detect', 'replay', bad, '--json'], c.io)).toBe(2);
    expect(c.err()).toMatch(/line 1: no "duowatch" object.*\[detect\.bad_line\]/);
    const missing = capture();
    expect(await main(['detect', 'replay', join(dir, 'nope.ndjson')], missing.io)).toBe(2);
    expect(missing.err()).toContain('[detect.bad_file]');
  });
});
