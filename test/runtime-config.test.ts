import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRuntime } from '../src/runtime/index.js';

// Integrations declared in the configuration file (keys from the environment or files, never inline) are
// created in the store at start, and a changed key is rotated in place, both audited.
const dir = mkdtempSync(join(tmpdir(), 'duowatch-runtime-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = join(dir, 'duowatch.yaml');
writeFileSync(
  config,
  [
    'integrations:',
    '  - org: acme',
    '    orgName: Acme Corp',
    '    apiHost: api-1a2b3c4d.duosecurity.com',
    '    ikey: ${ACME_IKEY}',
    `    skeyFile: ${join(dir, 'acme-skey')}`,
    '',
  ].join('\n'),
);

async function open(skey: string) {
  writeFileSync(join(dir, 'acme-skey'), skey + '\n', { mode: 0o600 });
  return openRuntime({
    configFile: config,
    env: { ACME_IKEY: 'DIAAAAAAAAAAAAAAAAAA', DUOWATCH_DATA_DIR: join(dir, 'data') },
    cwd: dir,
  });
}

describe('integrations from the configuration file', () => {
  it('creates the organization and the integration with its keys encrypted', async () => {
    const rt = await open('a'.repeat(40));
    try {
      const [integration] = await rt.services.integrations.list('acme');
      expect(integration).toMatchObject({ kind: 'admin', apiHost: 'api-1a2b3c4d.duosecurity.com' });
      const creds = await rt.store.integrations.credentials(integration?.orgId ?? '', integration?.id ?? '');
      expect(creds?.skey.reveal()).toBe('a'.repeat(40));
      expect(JSON.stringify(await rt.services.integrations.list('acme'))).not.toContain('a'.repeat(40));
    } finally {
      await rt.close();
    }
  });

  it('rotates the stored key when the file changes, without a second integration', async () => {
    const rt = await open('b'.repeat(40));
    try {
      const list = await rt.services.integrations.list('acme');
      expect(list).toHaveLength(1);
      const creds = await rt.store.integrations.credentials(list[0]?.orgId ?? '', list[0]?.id ?? '');
      expect(creds?.skey.reveal()).toBe('b'.repeat(40));
      const actions = (await rt.store.auditLog.list(list[0]?.orgId ?? null)).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['integration.create', 'integration.rotate']));
    } finally {
      await rt.close();
    }
  });
});
