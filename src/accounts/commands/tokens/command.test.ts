import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/cli-emulator.test-helpers.js';
import { capabilityMigrations } from '../../../app/index.js';
import { openStore } from '../../../store/index.js';
import { sha256 } from '../../secrets.js';

// `duowatch tokens …` through the CLI's own entry point over a real SQLite data directory.
const dir = mkdtempSync(join(tmpdir(), 'duowatch-tokens-'));
const env = { DUOWATCH_DATA_DIR: join(dir, 'data'), DUOWATCH_EMULATOR_MODE: 'off' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => runCli(args, { env });

interface TokenRow {
  id: string;
  label: string;
  role: string;
  expiresAt: string | null;
}

describe('duowatch tokens', () => {
  it('creates a token shown once, lists it without the secret, revokes it; audited as the CLI', async () => {
    expect((await run(['orgs', 'add', 'acme'])).code).toBe(0);
    expect((await run(['orgs', 'add', 'other'])).code).toBe(0);
    const made = await run([
      'tokens',
      'create',
      '--org',
      'acme',
      '--label',
      'siem pull',
      '--role',
      'auditor',
      '--expires-in-days',
      '30',
      '--json',
    ]);
    expect(made.code, made.err).toBe(0);
    const { token, apiToken } = JSON.parse(made.out) as { token: string; apiToken: TokenRow };
    expect(apiToken).toMatchObject({ label: 'siem pull', role: 'auditor' });
    expect(apiToken.expiresAt).not.toBeNull();
    const plain = await run(['tokens', 'create', '--org', 'acme', '--label', 'ops', '--role', 'admin']);
    expect(plain.code, plain.err).toBe(0);
    const second = /token \(shown once, stored only as a hash\): (\S+)/.exec(plain.out)?.[1] ?? '';
    expect(second.length).toBeGreaterThan(20);

    const listed = await run(['tokens', 'list', '--org', 'acme', '--json']);
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).not.toContain(token);
    const rows = JSON.parse(listed.out) as TokenRow[];
    expect(rows.map((r) => r.label).sort()).toEqual(['ops', 'siem pull']);
    // Another organization's token id is not found there (exit 4), and stays.
    expect((await run(['tokens', 'revoke', apiToken.id, '--org', 'other'])).code).toBe(4);

    // Refused inputs exit 2 and create nothing.
    const badDays = ['tokens', 'create', '--org', 'acme', '--label', 'x', '--role', 'admin'];
    expect((await run([...badDays, '--expires-in-days', '0'])).code).toBe(2);
    expect((await run([...badDays, '--expires-in-days', '1.5'])).code).toBe(2);
    // An unknown role is a usage error (commander's exit code 1), before anything is opened.
    const badRole = await run(['tokens', 'create', '--org', 'acme', '--label', 'x', '--role', 'root']);
    expect(badRole.code).toBe(1);
    expect(badRole.err).toContain('root');
    expect((await run(['tokens', 'list', '--org', 'ghost'])).code).toBe(4);

    const revoked = await run(['tokens', 'revoke', apiToken.id, '--org', 'acme']);
    expect(revoked.code, revoked.err).toBe(0);
    const after = JSON.parse((await run(['tokens', 'list', '--org', 'acme', '--json'])).out) as TokenRow[];
    expect(after.map((r) => r.label)).toEqual(['ops']);
    expect((await run(['tokens', 'revoke', apiToken.id, '--org', 'acme'])).code).toBe(4);

    const store = await openStore({
      dataDir: env.DUOWATCH_DATA_DIR,
      env: {},
      migrations: capabilityMigrations,
    });
    try {
      const now = new Date();
      // The revoked token no longer authenticates; the other one does, as stored (hash only).
      expect(await store.apiTokens.findByHash(sha256(token), now)).toBeUndefined();
      expect((await store.apiTokens.findByHash(sha256(second), now))?.role).toBe('admin');
      const entries = (await store.auditLog.listAll({ limit: 100 })).filter(
        (e) => e.actor === 'cli' && e.action.startsWith('api_token.'),
      );
      expect(entries.map((e) => e.action).sort()).toEqual([
        'api_token.create',
        'api_token.create',
        'api_token.revoke',
      ]);
      const text = JSON.stringify(entries);
      expect(text).not.toContain(token);
      expect(text).not.toContain(second);
    } finally {
      await store.close();
    }
  });
});
