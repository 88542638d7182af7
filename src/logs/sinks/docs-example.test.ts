import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveSinksConfig } from './sink-config.js';

// The configuration example in docs/log-sinks.md must stay a working configuration.
describe('docs/log-sinks.md example', () => {
  it('validates, with secrets from the environment and files', async () => {
    const md = await readFile(join(import.meta.dirname, '../../../docs/log-sinks.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(md)?.[1];
    expect(yaml).toBeDefined();
    const doc = parse(yaml!) as { logs: { sinks: unknown } };
    const got = await resolveSinksConfig(doc.logs.sinks, {
      at: 'logs.sinks',
      env: { SPLUNK_HEC_TOKEN: 'hec-token', DUOWATCH_WEBHOOK_SECRET: 'whsec' },
      baseDir: '/var/lib/duowatch',
      readFile: (p) => Promise.resolve(`contents of ${p}`),
    });
    expect(Object.keys(got).sort()).toEqual([
      'archive',
      'console',
      'elastic',
      'hook',
      'siem',
      'siem-relp',
      'siem-tcp',
      'siem-udp',
      'splunk',
    ]);
    expect(got.archive).toMatchObject({ path: '/var/lib/duowatch/logs/duo.ndjson' });
    expect(got.splunk).toMatchObject({ token: 'hec-token' });
    expect(got.elastic).toMatchObject({ apiKey: 'contents of /run/secrets/es_api_key' });
    expect(got['siem-relp']).toMatchObject({ transport: 'relp-tls', port: 2514, window: 128 });
  });
});
