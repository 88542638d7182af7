import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/cli-emulator.test-helpers.js';
import { capabilityMigrations } from '../../../app/index.js';
import { openStore } from '../../../store/index.js';
import { verifyPassword } from '../../password.js';
import { createAccountsService } from '../../service.js';

// `duowatch operators …` through the CLI's own entry point over a real SQLite data directory.
const dir = mkdtempSync(join(tmpdir(), 'duowatch-operators-'));
const env = { DUOWATCH_DATA_DIR: join(dir, 'data'), DUOWATCH_EMULATOR_MODE: 'off' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], input?: string) =>
  runCli(args, { env, ...(input === undefined ? {} : { stdin: input }) });

interface Row {
  username: string;
  isAdmin: boolean;
  disabled: boolean;
  roles: Array<{ org: string; role: string }>;
}

describe('duowatch operators', () => {
  it('adds, lists, gives and removes roles, disables and enables; audited as the CLI, no password kept in clear', async () => {
    const made = await run(['operators', 'add', 'dana', '--json']);
    expect(made.code, made.err).toBe(0);
    const dana = JSON.parse(made.out) as { username: string; isAdmin: boolean; password: string };
    expect(dana).toMatchObject({ username: 'dana', isAdmin: false });
    expect(dana.password).toMatch(/^[\w-]{24}$/);
    const chosen = 'a long enough passphrase';
    const root = await run(['operators', 'add', 'root', '--admin', '--password-stdin'], `${chosen}\n`);
    expect(root.code, root.err).toBe(0);
    expect(root.out).toContain('created operator root (global admin)');
    expect(root.out).not.toContain(chosen);
    expect((await run(['operators', 'add', 'dana'])).code).toBe(2);
    expect((await run(['operators', 'add', 'eve', '--password-stdin'], 'short')).code).toBe(2);

    expect((await run(['orgs', 'add', 'acme'])).code).toBe(0);
    const role = await run(['operators', 'role', 'dana', 'acme', 'auditor']);
    expect(role.code, role.err).toBe(0);
    expect(role.out).toContain('dana is auditor in acme');
    expect((await run(['operators', 'role', 'ghost', 'acme', 'admin'])).code).toBe(4);
    expect((await run(['operators', 'disable', 'dana'])).code).toBe(0);
    let rows = JSON.parse((await run(['operators', 'list', '--json'])).out) as Row[];
    expect(rows.find((r) => r.username === 'dana')).toMatchObject({
      disabled: true,
      roles: [{ org: 'acme', role: 'auditor' }],
    });
    expect(rows.find((r) => r.username === 'root')).toMatchObject({ isAdmin: true, disabled: false });
    expect((await run(['operators', 'enable', 'dana'])).code).toBe(0);
    expect((await run(['operators', 'role', 'dana', 'acme', 'none'])).out).toContain('no role in acme');
    rows = JSON.parse((await run(['operators', 'list', '--json'])).out) as Row[];
    expect(rows.find((r) => r.username === 'dana')).toMatchObject({ disabled: false, roles: [] });

    const store = await openStore({
      dataDir: env.DUOWATCH_DATA_DIR,
      env: {},
      migrations: capabilityMigrations,
    });
    try {
      const op = await store.operators.findByUsername('root');
      expect(await verifyPassword(chosen, op?.passwordHash ?? '')).toBe(true);
      const entries = (await store.auditLog.listAll({ limit: 100 })).filter((e) => e.actor === 'cli');
      expect(entries.map((e) => e.action)).toEqual(
        expect.arrayContaining(['user.create', 'member.set', 'user.update', 'member.remove']),
      );
      const text = JSON.stringify(entries);
      expect(text).not.toContain(chosen);
      expect(text).not.toContain(dana.password);
    } finally {
      await store.close();
    }
  });

  it("resets another operator's password (generated or from stdin), ends their sessions, audited", async () => {
    expect(
      (await run(['operators', 'add', 'frank', '--password-stdin'], 'the first passphrase\n')).code,
    ).toBe(0);
    const store = await openStore({
      dataDir: env.DUOWATCH_DATA_DIR,
      env: {},
      migrations: capabilityMigrations,
    });
    try {
      const frank = await store.operators.findByUsername('frank');
      if (!frank) throw new Error('frank was not created');
      // A session opened the way a sign-in opens one.
      const sessions = createAccountsService({ store }).sessions;
      const opened = await sessions.open(frank.id, '127.0.0.1');
      expect((await sessions.resolve(opened.secret, null)).kind).toBe('ok');

      const generated = await run(['operators', 'reset-password', 'frank', '--json']);
      expect(generated.code, generated.err).toBe(0);
      const { password } = JSON.parse(generated.out) as { password: string };
      expect(password).toMatch(/^[\w-]{24}$/);
      let hash = (await store.operators.findByUsername('frank'))?.passwordHash ?? '';
      expect(await verifyPassword(password, hash)).toBe(true);
      expect(await verifyPassword('the first passphrase', hash)).toBe(false);
      expect((await sessions.resolve(opened.secret, null)).kind).toBe('none');

      const chosen = 'another long passphrase';
      const given = await run(['operators', 'reset-password', 'frank', '--password-stdin'], `${chosen}\n`);
      expect(given.code, given.err).toBe(0);
      expect(given.out).not.toContain(chosen);
      hash = (await store.operators.findByUsername('frank'))?.passwordHash ?? '';
      expect(await verifyPassword(chosen, hash)).toBe(true);
      expect((await run(['operators', 'reset-password', 'frank', '--password-stdin'], 'short')).code).toBe(2);
      expect((await run(['operators', 'reset-password', 'ghost'])).code).toBe(4);

      const resets = (await store.auditLog.listAll({ limit: 200 })).filter(
        (e) => e.actor === 'cli' && e.action === 'user.update' && e.target === 'frank',
      );
      expect(resets).toHaveLength(2);
      expect(resets.every((e) => JSON.stringify(e.details?.['changed']) === '["password"]')).toBe(true);
      const text = JSON.stringify(resets);
      expect(text).not.toContain(chosen);
      expect(text).not.toContain(password);
    } finally {
      await store.close();
    }
  });
});
