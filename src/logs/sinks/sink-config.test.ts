import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { resolveSinksConfig } from './sink-config.js';
import { parseSinkSpec, SinkSpecError } from './sink-spec.js';

const files: Record<string, string> = {
  '/etc/duowatch/hec.token': 'tok-from-file\n',
  '/etc/duowatch/ca.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
};
const readFile = (p: string): Promise<string> =>
  p in files
    ? Promise.resolve(files[p]!)
    : Promise.reject(Object.assign(new Error('nope'), { code: 'ENOENT' }));

describe('sinks configuration', () => {
  it('resolves every sink type with defaults, relative paths and secrets from env or files', async () => {
    const got = await resolveSinksConfig(
      {
        out: { type: 'stdout' },
        archive: { type: 'file', path: 'logs/duo.ndjson', format: 'ecs' },
        siem: {
          type: 'syslog',
          host: 'siem.example',
          transport: 'tls',
          tls: { caFile: '/etc/duowatch/ca.pem' },
        },
        splunk: { type: 'hec', url: 'https://splunk.example:8088', tokenFile: '/etc/duowatch/hec.token' },
        elastic: { type: 'elasticsearch', url: 'https://es.example:9200', apiKey: '${ES_KEY}' },
        hook: { type: 'webhook', url: 'https://hooks.example/duo', secret: 's3cret' },
      },
      { env: { ES_KEY: 'a2V5' }, baseDir: '/var/lib/duowatch', readFile },
    );
    expect(got.out).toEqual({ type: 'stdout', format: 'raw' });
    expect(got.archive).toMatchObject({ path: '/var/lib/duowatch/logs/duo.ndjson', format: 'ecs' });
    expect(got.archive).toMatchObject({ rotate: { maxBytes: 268435456, maxAgeHours: 24, gzip: true } });
    expect(got.siem).toMatchObject({
      transport: 'tls',
      framing: 'octet-counting',
      facility: 'local0',
      tls: { ca: files['/etc/duowatch/ca.pem'], insecureSkipVerify: false },
    });
    expect(got.splunk).toMatchObject({ token: 'tok-from-file', gzip: true, ack: { enabled: false } });
    expect(got.splunk).not.toHaveProperty('tokenFile');
    expect(got.elastic).toMatchObject({ apiKey: 'a2V5', namespace: 'default', format: 'ecs' });
    expect(got.hook).toMatchObject({ secret: 's3cret' });
  });

  it('reports every problem at once, with paths, and never a secret value', async () => {
    const error = await resolveSinksConfig(
      {
        'Bad Name': { type: 'stdout' },
        a: { type: 'carrier-pigeon' },
        b: { type: 'syslog', host: 'x', port: 70000, facility: 'local9' },
        c: { type: 'file' },
      },
      { at: 'logs.sinks', env: {}, readFile },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'logs.sinks.a.type',
        'logs.sinks.b.port',
        'logs.sinks.b.facility',
        'logs.sinks.c.path',
      ]),
    );
    expect(paths.some((p) => p.includes('Bad Name'))).toBe(true);
    expect((error as ConfigError).exitCode).toBe(78);
  });

  it('reports missing secrets, unreadable files and half-configured mutual TLS together', async () => {
    const error = await resolveSinksConfig(
      {
        splunk: { type: 'hec', url: 'https://s:8088', token: '${NOPE}' },
        splunk2: { type: 'hec', url: 'https://s:8088' },
        both: { type: 'hec', url: 'https://s:8088', token: 'hunter2', tokenFile: '/etc/duowatch/hec.token' },
        tls: { type: 'syslog', host: 'x', transport: 'tls', tls: { certFile: '/missing.pem' } },
      },
      { env: {}, readFile },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'sinks.splunk.token', message: 'refers to environment variable NOPE, which is not set' },
        { path: 'sinks.splunk2.token', message: expect.stringContaining('required') as string },
        { path: 'sinks.both.token', message: 'set either token or tokenFile, not both' },
        { path: 'sinks.tls.tls', message: expect.stringContaining('go together') as string },
        { path: 'sinks.tls.tls.certFile', message: 'cannot read /missing.pem: ENOENT' },
      ]),
    );
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });

  it('refuses LF framing over TLS', async () => {
    await expect(
      resolveSinksConfig({ s: { type: 'syslog', host: 'x', transport: 'tls', framing: 'lf' } }, { readFile }),
    ).rejects.toMatchObject({ issues: [{ path: 'sinks.s.framing' }] });
  });
});

describe('--sink specs', () => {
  it('reads file:<path> (relative to cwd) and stdout', () => {
    expect(parseSinkSpec('file:out/duo.ndjson', { cwd: '/tmp/x', format: 'ecs' })).toEqual({
      name: 'file:/tmp/x/out/duo.ndjson',
      config: {
        type: 'file',
        path: '/tmp/x/out/duo.ndjson',
        format: 'ecs',
        rotate: { maxBytes: 268435456, maxAgeHours: 0, gzip: true, maxFiles: 0 },
      },
    });
    expect(parseSinkSpec('stdout')).toEqual({ name: 'stdout', config: { type: 'stdout', format: 'raw' } });
  });

  it('refuses anything else with a usage error', () => {
    expect(() => parseSinkSpec('file:')).toThrow(SinkSpecError);
    expect(() => parseSinkSpec('syslog://x')).toThrow(/not file:<path> or stdout/);
    const error = (() => {
      try {
        parseSinkSpec('nope');
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ code: 'sink.spec', exitCode: 64 });
  });
});
