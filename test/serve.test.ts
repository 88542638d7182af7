import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startService } from '../src/runtime/service.js';

// What `npm start` does on a fresh machine, minus the build: no Duo keys, an empty data directory.
const dir = mkdtempSync(join(tmpdir(), 'duowatch-serve-'));
const env = { DUOWATCH_DATA_DIR: join(dir, 'data'), DUOWATCH_LOG_LEVEL: 'silent' };
// The demo tenant's last 24 h hold more than 1,000 authentication events on a weekday and fewer on a weekend,
// so the first auth-log poll needs one or two pages depending on the date. With Duo's budget (one auth-log
// request a minute) the second page would wait a minute; a one-second budget makes the test the same on
// every day. The pending state that the default budget produces is tested in src/services/services.test.ts.
const configFile = join(dir, 'duowatch.yaml');
writeFileSync(configFile, 'duo:\n  rateLimit:\n    authLogMinIntervalMs: 1000\n');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Polls until `fn` answers; the ceiling only stops a broken run, it is not a performance expectation. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ceilingMs = 150_000): Promise<T> {
  const deadline = Date.now() + ceilingMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('duowatch serve on an empty data directory', () => {
  let firstPassword = '';
  let demoHost = '';

  it('starts the emulated demo tenant, an administrator, and evidence for all five signals', async () => {
    const lines: string[] = [];
    const service = await startService({ env, cwd: dir, configFile, port: 0, out: (l) => lines.push(l) });
    try {
      expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const console = lines.join('\n');
      expect(console).toMatch(/EMULATED Duo tenant/);
      expect(console).toMatch(/to connect a real tenant/);
      firstPassword = /password \(shown once[^)]*\): (\S+)/.exec(console)?.[1] ?? '';
      expect(firstPassword.length).toBeGreaterThanOrEqual(16);
      expect(statSync(join(dir, 'data', 'master.key')).mode & 0o077).toBe(0);

      const health = await fetch(`${service.url}/healthz`);
      expect(health.status).toBe(200);

      const { services, demo } = service.runtime;
      demoHost = demo?.credentials.hostname ?? '';
      const [integration] = await services.integrations.list('demo');
      expect(integration).toMatchObject({ kind: 'admin', apiHost: demoHost, health: { state: 'ok' } });
      const view = await waitFor('all five signals', async () => {
        const v = await services.evidence.latest('demo');
        return v.signals.length >= 5 ? v : undefined;
      });
      expect(view.pending).toBeUndefined();
      expect(view.signals.map((s) => s.id)).toEqual(
        expect.arrayContaining([
          'mfa_enrollment',
          'global_policy',
          'admin_inventory',
          'account_settings',
          'auth_log_aggregate',
        ]),
      );
      // The secret key stays out of what the service answers.
      const login = await fetch(`${service.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: firstPassword }),
      });
      expect(login.status).toBe(200);
      expect(await login.text()).not.toContain(demo?.credentials.admin.skey ?? 'no-demo');

      // The demo collects the emulated tenant's logs to a file sink in the data directory.
      expect(console).toMatch(/logs: collecting the demo tenant's Duo logs/);
      const logFile = join(dir, 'data', 'logs', 'demo-duo-events.ndjson');
      const logLines = await waitFor('demo log events in the file sink', () => {
        let text = '';
        try {
          text = readFileSync(logFile, 'utf8');
        } catch {
          return Promise.resolve(undefined);
        }
        const l = text.split('\n').filter((x) => x !== '');
        return Promise.resolve(l.length > 0 ? l : undefined);
      });
      const tag = (JSON.parse(logLines[0] ?? '{}') as { duowatch?: { org: string; stream: string } })
        .duowatch;
      expect(tag?.org).toBe('demo');

      // End to end: the emulator's attack scenarios → the collector → detections → a stored alert, marked as
      // the demo tenant's, read back through the REST API as the administrator.
      const cookie = /dw_session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0] ?? '';
      const alert = await waitFor('a detection alert for the demo tenant', async () => {
        const r = await fetch(`${service.url}/api/v1/orgs/demo/alerts?limit=50`, { headers: { cookie } });
        if (r.status !== 200) return undefined;
        const body = (await r.json()) as {
          alerts: Array<{ source: string; rule: string; fields: Record<string, unknown> }>;
        };
        return body.alerts.find((a) => a.source === 'detect');
      });
      expect(alert.rule).toMatch(/^duo\./);
      expect(alert.fields['tenant']).toBe('EMULATED demo tenant (no real Duo)');
    } finally {
      await service.stop();
    }
  }, 180_000);

  it('restarts on the same data: same demo tenant, no second password, runs recorded', async () => {
    const lines: string[] = [];
    const service = await startService({ env, cwd: dir, configFile, port: 0, out: (l) => lines.push(l) });
    try {
      expect(lines.join('\n')).not.toMatch(/password/);
      expect(service.runtime.demo?.credentials.hostname).toBe(demoHost);
      const integrations = await service.runtime.services.integrations.list('demo');
      expect(integrations).toHaveLength(1);
      const runs = await service.runtime.services.runs.list('demo', {});
      expect(runs.some((r) => r.kind === 'identity_sync' && r.status === 'succeeded')).toBe(true);
    } finally {
      await service.stop();
    }
  });
});
