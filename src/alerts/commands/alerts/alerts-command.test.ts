import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/index.js';
import { alertRepository } from '../../alerts.repository.js';
import { testStore } from '../../test-store.test-helpers.js';

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  return { io: { stdout, stderr, stdin: new PassThrough(), env: {} }, out: () => o, err: () => e };
}

let env: Awaited<ReturnType<typeof testStore>>;
let ids: string[];
beforeAll(async () => {
  env = await testStore();
  const repo = alertRepository(env.store);
  ids = [];
  for (const [orgId, rule, entity] of [
    [env.acme, 'duo.fraud', 'alice'],
    [env.acme, 'duo.mfa_fatigue', 'bob'],
    [env.globex, 'duo.admin_bypass_create', 'Root Admin'],
  ] as const) {
    const { alert } = await repo.raise(
      {
        orgId,
        source: 'detect',
        rule,
        title: rule,
        severity: 'high',
        entity,
        firstSeen: new Date('2026-03-02T12:00:00Z'),
        lastSeen: new Date('2026-03-02T12:00:00Z'),
        eventIds: [`ev-${entity}`],
        fields: { ip: '5.31.1.1' },
      },
      { suppressForMs: 60_000 },
    );
    ids.push(alert.id);
  }
  await env.store.close();
});
afterAll(async () => {
  await env.close().catch(() => undefined);
});

describe('duowatch alerts list|show|ack|resolve', () => {
  it('lists per organization as JSON and as text', async () => {
    const c = capture();
    expect(await main(['--data-dir', env.dir, 'alerts', 'list', '--org', 'acme', '--json'], c.io)).toBe(0);
    const list = JSON.parse(c.out()) as { org: string; rule: string; status: string }[];
    expect(list.map((a) => a.rule).sort()).toEqual(['duo.fraud', 'duo.mfa_fatigue']);
    expect(list.every((a) => a.org === 'acme' && a.status === 'open')).toBe(true);
    const text = capture();
    expect(await main(['--data-dir', env.dir, 'alerts', 'list'], text.io)).toBe(0);
    expect(text.out()).toContain('globex/Root Admin');
  });

  it('searches text with --q and pages older with --before/--before-id', async () => {
    const run = async (...args: string[]) => {
      const c = capture();
      expect(await main(['--data-dir', env.dir, 'alerts', 'list', '--json', ...args], c.io)).toBe(0);
      return JSON.parse(c.out()) as { id: string; entity: string; lastSeen: string }[];
    };
    expect((await run('--q', 'ROOT ADMIN')).map((a) => a.entity)).toEqual(['Root Admin']);
    expect((await run('--q', '5.31.1.1')).map((a) => a.entity).sort()).toEqual([
      'Root Admin',
      'alice',
      'bob',
    ]);
    // All three share one last-seen time: the id breaks the tie, so two pages of 2 + 1 cover them once.
    const first = await run('--limit', '2');
    const last = first.at(-1);
    expect(last).toBeDefined();
    const rest = await run('--before', last?.lastSeen ?? '', '--before-id', last?.id ?? '');
    expect([...first, ...rest].map((a) => a.id).sort()).toEqual([...ids].sort());
    expect(await run('--before', last?.lastSeen ?? '')).toEqual([]);
  });

  it('acknowledges and resolves with a note, audited, and shows who did it', async () => {
    const id = ids[0] as string;
    expect(await main(['--data-dir', env.dir, 'alerts', 'ack', id, '--note', 'looking'], capture().io)).toBe(
      0,
    );
    const resolved = capture();
    expect(await main(['--data-dir', env.dir, 'alerts', 'resolve', id, '--json'], resolved.io)).toBe(0);
    expect(JSON.parse(resolved.out())).toMatchObject({ status: 'resolved', statusBy: 'cli' });
    const shown = capture();
    expect(await main(['--data-dir', env.dir, 'alerts', 'show', id], shown.io)).toBe(0);
    expect(shown.out()).toMatch(/status:\s+resolved by cli/);
    expect(shown.out()).toContain('ev-alice');
    const again = capture();
    expect(await main(['--data-dir', env.dir, 'alerts', 'ack', id], again.io)).toBe(2);
    expect(again.err()).toContain('[alerts.already_resolved]');
    const { openStore } = await import('../../../store/index.js');
    const { capabilityMigrations } = await import('../../../app/index.js');
    const store = await openStore({ dataDir: env.dir, env: {}, migrations: capabilityMigrations });
    try {
      const audit = await store.auditLog.list(env.acme);
      expect(audit.map((e) => e.action)).toEqual(['alert.resolve', 'alert.ack']);
    } finally {
      await store.close();
    }
  });

  it('rejects a bad filter and a missing alert with clear codes', async () => {
    const bad = capture();
    expect(await main(['--data-dir', env.dir, 'alerts', 'list', '--status', 'closed'], bad.io)).toBe(2);
    expect(bad.err()).toContain('[alerts.bad_option]');
    const when = capture();
    expect(await main(['--data-dir', env.dir, 'alerts', 'list', '--before', 'yesterday'], when.io)).toBe(2);
    expect(when.err()).toContain('[alerts.bad_option]');
    const missing = capture();
    expect(await main(['--data-dir', env.dir, 'alerts', 'show', 'nope'], missing.io)).toBe(3);
    expect(missing.err()).toContain('[alerts.not_found]');
  });
});
