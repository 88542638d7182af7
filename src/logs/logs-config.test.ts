import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedConfig } from '../config/index.js';
import { sinkSettings } from './logs-config.js';

const docs = join(import.meta.dirname, '../../docs/logs.md');

async function docsExample(): Promise<string> {
  const md = await readFile(docs, 'utf8');
  const yaml = /## Configuration[\s\S]*?```yaml\n([\s\S]*?)```/.exec(md)?.[1];
  if (yaml === undefined) throw new Error('docs/logs.md has no configuration example');
  return yaml;
}

const files: Record<string, string> = {
  '/etc/duowatch.yaml': '',
  '/run/secrets/es_api_key': 'es-key-from-file\n',
  '/etc/duowatch/siem-ca.pem': 'CA PEM',
  '/etc/duowatch/collector.pem': 'CERT PEM',
  '/etc/duowatch/collector.key': 'PRIVATE KEY PEM',
};

function load(yaml: string, env: Record<string, string> = {}) {
  return loadConfig({
    file: '/etc/duowatch.yaml',
    env,
    cwd: '/srv/dw',
    readFile: (p) => {
      if (p === '/etc/duowatch.yaml') return Promise.resolve(yaml);
      const text = files[p];
      return text === undefined
        ? Promise.reject(Object.assign(new Error('nope'), { code: 'ENOENT' }))
        : Promise.resolve(text);
    },
  });
}

async function issuesOf(promise: Promise<unknown>): Promise<{ path: string; message: string }[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return [...(error as ConfigError).issues];
}

describe('the logs configuration section', () => {
  it('is empty by default: no sinks, no routes, a 120 s poll and a 24 h first-run lookback', async () => {
    const config = await loadConfig({ env: {}, cwd: '/srv/dw' });
    expect(config.logs).toMatchObject({
      sinks: {},
      routes: [],
      pollIntervalSeconds: 120,
      firstRunLookback: '24h',
      budgets: [],
      msp: [],
    });
  });

  it("loads docs/logs.md's example: every sink kind, secrets from env and files, paths from the data dir", async () => {
    const config = await load(await docsExample(), {
      SPLUNK_HEC_TOKEN: 'hec-token-value',
      DUOWATCH_WEBHOOK_SECRET: 'webhook-secret-value',
    });
    const kinds = Object.fromEntries(Object.entries(config.logs.sinks).map(([n, s]) => [n, s.type]));
    expect(kinds).toEqual({
      console: 'stdout',
      archive: 'file',
      'siem-udp': 'syslog',
      'siem-tcp': 'syslog',
      'siem-tls': 'syslog',
      splunk: 'hec',
      elastic: 'elasticsearch',
      hook: 'webhook',
    });
    const sinks = config.logs.sinks;
    expect(sinkSettings(sinks['archive']!)).toMatchObject({ path: '/srv/dw/data/logs/duo.ndjson' });
    expect(sinkSettings(sinks['splunk']!)).toMatchObject({ token: 'hec-token-value' });
    expect(sinkSettings(sinks['elastic']!)).toMatchObject({ apiKey: 'es-key-from-file' });
    expect(sinkSettings(sinks['hook']!)).toMatchObject({ secret: 'webhook-secret-value' });
    expect(sinkSettings(sinks['siem-tls']!)).toMatchObject({
      transport: 'tls',
      tls: { ca: 'CA PEM', cert: 'CERT PEM', key: 'PRIVATE KEY PEM' },
    });
    expect(config.logs.routes).toHaveLength(4);
    expect(config.logs.routes[1]).toEqual({
      org: 'acme',
      streams: ['auth'],
      sinks: ['siem-tls'],
      where: [{ field: 'result', in: ['denied', 'fraud'] }],
    });
    expect(config.logs.routes[3]).toMatchObject({ org: '*', streams: ['telephony'] });
    expect(config.logs.firstRunLookback).toBe('7d');
    expect(config.logs.msp).toEqual([{ org: 'acme', include: [], exclude: ['DA0000000000000TEST'] }]);
  });

  it('never shows a secret, a private key or a header value in `config show`', async () => {
    const config = await load(
      (await docsExample()).replace(
        '  routes:',
        `    extra:
      type: webhook
      url: https://user:pw-in-url@hooks.example.com/x
      headers: { Authorization: Bearer header-secret-value }
  routes:`,
      ),
      { SPLUNK_HEC_TOKEN: 'hec-token-value', DUOWATCH_WEBHOOK_SECRET: 'webhook-secret-value' },
    );
    const shown = JSON.stringify(redactedConfig(config));
    for (const secret of [
      'hec-token-value',
      'es-key-from-file',
      'webhook-secret-value',
      'PRIVATE KEY PEM',
      'header-secret-value',
      'pw-in-url',
    ])
      expect(shown).not.toContain(secret);
    const logs = (redactedConfig(config) as { logs: { sinks: Record<string, unknown> } }).logs;
    expect(logs.sinks['splunk']).toMatchObject({ type: 'hec', shown: { token: '[redacted]', index: 'duo' } });
    expect(logs.sinks['extra']).toMatchObject({
      shown: { url: 'https://hooks.example.com/x', headers: { Authorization: '[redacted]' } },
      resolved: '[redacted]',
    });
  });

  it('reports every problem at once: unknown sink, bad filter, missing env, bad lookback, bad cron', async () => {
    const issues = await issuesOf(
      load(`
logs:
  firstRunLookback: yesterday
  inventory: { cron: 'every day' }
  sinks:
    splunk: { type: hec, url: 'https://s:8088', token: '\${NOT_SET}' }
  routes:
    - { org: acme, sinks: [splunk, nowhere] }
    - { streams: [auth, bogus], sinks: [splunk], where: [{ field: result, equals: denied, in: [x] }] }
`),
    );
    const paths = issues.map((i) => i.path).sort();
    expect(paths).toEqual([
      'logs.firstRunLookback',
      'logs.inventory.cron',
      'logs.routes[1].streams[1]',
      'logs.routes[1].where[0]',
    ]);
    // Schema problems stop before normalising; the cross-field ones are reported with each other.
    const second = await issuesOf(
      load(`
logs:
  sinks:
    splunk: { type: hec, url: 'https://s:8088', token: '\${NOT_SET}' }
  routes:
    - { org: acme, sinks: [splunk, nowhere] }
  msp:
    - { org: acme, include: [DA1], exclude: [DA1] }
`),
    );
    expect(second.map((i) => i.path).sort()).toEqual([
      'logs.msp[0]',
      'logs.routes[0].sinks[1]',
      'logs.sinks.splunk.token',
    ]);
    expect(second.find((i) => i.path === 'logs.routes[0].sinks[1]')?.message).toContain(
      'no sink named "nowhere"',
    );
  });
});
