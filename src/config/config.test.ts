import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedConfig } from './index.js';

const dirs: string[] = [];
async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duowatch-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function issuesOf(promise: Promise<unknown>): Promise<Array<{ path: string; message: string }>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return [...(error as ConfigError).issues];
}

describe('loadConfig', () => {
  it('with no file and no environment gives the documented defaults, frozen', async () => {
    const config = await loadConfig({ env: {}, cwd: '/srv/dw' });
    expect(config).toMatchObject({
      file: null,
      dataDir: '/srv/dw/data',
      server: { host: '127.0.0.1', port: 8080, publicUrl: null, trustProxy: false },
      database: { url: null, poolSize: 10 },
      masterKeyFile: null,
      duo: {
        transport: {
          timeoutMs: 30_000,
          caFile: null,
          resolve: {},
          allowPrivateAddresses: false,
          proxy: null,
        },
        retry: { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 32_000 },
        rateLimit: { authLogMinIntervalMs: 60_000 },
      },
      schedules: {
        identity: '0 */4 * * *',
        authLog: '30 * * * *',
        jitterSeconds: 0,
        authFailedBackoffHours: 24,
      },
      logging: { level: 'info' },
      emulator: { mode: 'auto' },
      admin: { username: 'admin', bootstrapPassword: null },
      integrations: [],
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.duo.transport.resolve)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow();
  });

  it('reads YAML, applies DUOWATCH_* overrides over it, resolves secret refs and files, resolves paths', async () => {
    const dir = await dirWith({
      'duowatch.yaml': [
        'dataDir: state',
        'server: { port: 9000, host: 0.0.0.0 }',
        'duo:',
        '  transport:',
        "    resolve: { api-emu.duosecurity.com: 127.0.0.1, api-b.duosecurity.com: '127.0.0.1:8443', api-c.duosecurity.com: '[::1]:9443' }",
        'integrations:',
        '  - org: acme',
        '    apiHost: API-1234.duosecurity.com',
        '    ikey: ${ACME_IKEY}',
        '    skeyFile: acme.skey',
        'admin: { bootstrapPassword: "${ADMIN_PW}" }',
      ].join('\n'),
      'acme.skey': 'file-secret-key\n',
    });
    const config = await loadConfig({
      file: 'duowatch.yaml',
      cwd: dir,
      env: {
        DUOWATCH_SERVER_PORT: '9100',
        DUOWATCH_LOG_LEVEL: 'debug',
        DUOWATCH_DUO_ALLOW_PRIVATE_ADDRESSES: 'true',
        DATABASE_URL: 'postgres://u:pw@db/x',
        DUOWATCH_DATABASE_URL: 'postgres://u:pw2@db/y',
        ACME_IKEY: 'DIACME',
        ADMIN_PW: 'correct horse',
      },
    });
    expect(config.file).toBe(join(dir, 'duowatch.yaml'));
    expect(config.dataDir).toBe(join(dir, 'state'));
    expect(config.server).toMatchObject({ port: 9100, host: '0.0.0.0' });
    expect(config.logging.level).toBe('debug');
    expect(config.duo.transport.allowPrivateAddresses).toBe(true);
    expect(config.duo.transport.resolve).toEqual({
      'api-emu.duosecurity.com': '127.0.0.1',
      'api-b.duosecurity.com': '127.0.0.1:8443',
      'api-c.duosecurity.com': '[::1]:9443',
    });
    expect(config.database.url?.reveal()).toBe('postgres://u:pw2@db/y');
    expect(config.integrations[0]?.ikey.reveal()).toBe('DIACME');
    expect(config.integrations[0]?.skey.reveal()).toBe('file-secret-key');
    expect(config.integrations[0]?.apiHost).toBe('api-1234.duosecurity.com');
    expect(config.admin.bootstrapPassword?.reveal()).toBe('correct horse');
    expect(config.envApplied).toContain('DUOWATCH_SERVER_PORT');
    const shown = JSON.stringify(redactedConfig(config));
    for (const secret of ['file-secret-key', 'DIACME', 'correct horse', 'pw2'])
      expect(shown).not.toContain(secret);
    expect(shown).toContain('postgres://u:redacted@db/y');
  });

  it('reports every problem at once, with paths, across file, environment, schema, secrets and rules', async () => {
    const dir = await dirWith({
      'bad.yaml': [
        'server: { port: 70000, colour: blue }',
        'schedules: { identity: "61 * * * *" }',
        'logging: { level: loud }',
        'integrations:',
        '  - org: Acme Corp',
        '    apiHost: api-1.duosecurity.com',
      ].join('\n'),
    });
    const issues = await issuesOf(
      loadConfig({ file: 'bad.yaml', cwd: dir, env: { DUOWATCH_DUO_TIMEOUT_MS: 'soon' } }),
    );
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'env.DUOWATCH_DUO_TIMEOUT_MS',
        'server.port',
        'server',
        'logging.level',
        'integrations[0].org',
      ]),
    );
    expect(issues.find((i) => i.path === 'server')?.message).toMatch(/colour/);
  });

  it('reports shape problems together: types, unknown keys, cron patterns, pasted URLs as API hosts', async () => {
    const dir = await dirWith({
      'c.yaml': [
        'server: { port: "eighty", hots: 1 }',
        'schedules: { identity: "61 * * * *", authLog: "nope" }',
        'integrations:',
        '  - { org: acme, apiHost: "https://api-1.duosecurity.com/", ikey: x, skey: y }',
        '  - { org: acme, apiHost: admin-1a2b3c4d.duosecurity.com, ikey: x, skey: y }',
      ].join('\n'),
    });
    const issues = await issuesOf(loadConfig({ file: 'c.yaml', cwd: dir, env: {} }));
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'server.port',
        'server',
        'schedules.identity',
        'schedules.authLog',
        'integrations[0].apiHost',
        'integrations[1].apiHost',
      ]),
    );
    expect(issues.find((i) => i.path === 'integrations[0].apiHost')?.message).toMatch(/scheme/);
    expect(issues.find((i) => i.path === 'integrations[1].apiHost')?.message).toMatch(/Admin Panel/);
  });

  it('reports secret and rule problems together once the shape is valid', async () => {
    const dir = await dirWith({
      'c.yaml': [
        'database: { url: "mysql://x" }',
        'duo: { retry: { baseDelayMs: 5000, maxDelayMs: 10 }, transport: { resolve: { a.duosecurity.com: not-an-ip } } }',
        'integrations:',
        '  - { org: acme, apiHost: api-1.duosecurity.com, ikey: "${MISSING_VAR}" }',
        '  - { org: acme, apiHost: api-3.duosecurity.com, ikey: x, skey: y, skeyFile: z }',
        '  - { org: beta, apiHost: api-2.duosecurity.com, ikey: x, skeyFile: nowhere.skey }',
      ].join('\n'),
    });
    const issues = await issuesOf(loadConfig({ file: 'c.yaml', cwd: dir, env: {} }));
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'database.url',
        'duo.retry.maxDelayMs',
        'duo.transport.resolve.a.duosecurity.com',
        'integrations[0].ikey',
        'integrations[0].skey',
        'integrations[1].skey',
        'integrations[2].skeyFile',
      ]),
    );
    expect(issues.find((i) => i.path === 'integrations[0].ikey')?.message).toMatch(/MISSING_VAR/);
  });

  it('reports an unreadable file and broken YAML as problems of the file', async () => {
    const dir = await dirWith({ 'broken.yaml': 'server: [unclosed' });
    expect((await issuesOf(loadConfig({ file: 'missing.yaml', cwd: dir, env: {} })))[0]?.path).toBe('file');
    expect((await issuesOf(loadConfig({ file: 'broken.yaml', cwd: dir, env: {} })))[0]?.message).toMatch(
      /YAML/,
    );
  });

  it('lets --data-dir override the file and the environment', async () => {
    const config = await loadConfig({
      env: { DUOWATCH_DATA_DIR: '/env' },
      cwd: '/w',
      overrides: { dataDir: 'cli' },
    });
    expect(config.dataDir).toBe('/w/cli');
  });
});
