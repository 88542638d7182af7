import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../io.js';
import { register as registerDb } from './command.js';
import { register as registerKeys } from '../keys/command.js';
import { openStore } from '../../../store/index.js';
import { capabilityMigrations } from '../../../app/index.js';

function run(args: string[]): Promise<string> {
  const out: string[] = [];
  const stdout = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  const io: CliIo = { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {} };
  const program = new Command('duowatch').option('--data-dir <dir>').option('--config <file>').exitOverride();
  registerDb(program, io);
  registerKeys(program, io);
  return program.parseAsync(args, { from: 'user' }).then(() => out.join(''));
}

describe('duowatch db and keys', () => {
  it('status shows pending migrations without creating a key, migrate applies them, keys rotate re-encrypts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duowatch-cli-db-'));
    try {
      const before = JSON.parse(await run(['--data-dir', dir, 'db', 'status', '--json'])) as {
        dialect: string;
        pending: string[];
      };
      expect(before.dialect).toBe('sqlite');
      // Capabilities add their own migrations; the core's must all be pending on a new database.
      expect(before.pending).toEqual(
        expect.arrayContaining([
          '001-initial',
          '002-job-run-queue-id',
          '004-token-creator',
          '005-login-hardening',
        ]),
      );
      expect(await readdir(dir)).not.toContain('master.key');
      const migrated = JSON.parse(await run(['--data-dir', dir, 'db', 'migrate', '--json'])) as {
        applied: string[];
      };
      expect(migrated.applied).toEqual(before.pending);
      expect(await run(['--data-dir', dir, 'db', 'migrate'])).toBe('database is up to date\n');
      expect(await run(['--data-dir', dir, 'db', 'status'])).toMatch(/up to date/);

      const store = await openStore({ dataDir: dir, env: {}, migrations: capabilityMigrations });
      const org = await store.organizations.create({ slug: 'acme' });
      const integration = await store.integrations.create(org.id, {
        kind: 'admin',
        apiHost: 'api-1.duosecurity.com',
        ikey: 'DIX',
        skey: 'rotate-me-secret',
      });
      const oldKey = store.vault.currentKeyId;
      await store.close();

      const rotated = await run(['--data-dir', dir, 'keys', 'rotate', '--json']);
      expect(rotated).not.toContain('rotate-me-secret');
      const result = JSON.parse(rotated) as {
        reEncrypted: number;
        retiredKeyIds: string[];
        newKeyId: string;
      };
      expect(result).toMatchObject({ reEncrypted: 1, retiredKeyIds: [oldKey] });

      const reopened = await openStore({ dataDir: dir, env: {}, migrations: capabilityMigrations });
      try {
        expect((await reopened.integrations.credentials(org.id, integration.id))?.skey.reveal()).toBe(
          'rotate-me-secret',
        );
        expect(reopened.vault.currentKeyId).toBe(result.newKeyId);
        expect((await reopened.auditLog.listAll()).map((e) => e.action)).toEqual(['keys.rotate']);
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
