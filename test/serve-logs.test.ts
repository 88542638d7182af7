import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startService } from '../src/runtime/service.js';

// `serve` collecting through the `logs` configuration: every routed organization and stream goes to the
// configured sinks (filters applied), the demo keeps its data-dir file, and the REST API and /metrics say so.
const dir = mkdtempSync(join(tmpdir(), 'duowatch-serve-logs-'));
const env = { DUOWATCH_DATA_DIR: join(dir, 'data'), DUOWATCH_LOG_LEVEL: 'silent' };
const configFile = join(dir, 'duowatch.yaml');
writeFileSync(
  configFile,
  `duo:
  rateLimit:
    authLogMinIntervalMs: 1000
logs:
  pollIntervalSeconds: 86400
  sinks:
    archive: { type: file, path: logs/archive.ndjson, format: raw }
    denied: { type: file, path: logs/denied.ndjson, format: ecs }
  routes:
    - { org: '*', sinks: [archive] }
    - org: demo
      streams: [auth]
      sinks: [denied]
      where: [{ field: result, in: [denied, fraud] }]
  budgets:
    - { org: demo, requestsPerMinute: 0 }
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ceilingMs = 150_000): Promise<T> {
  const deadline = Date.now() + ceilingMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const lines = (file: string): Record<string, unknown>[] => {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
};

describe('serve with a logs configuration', () => {
  it('collects every routed stream to the configured sinks, filtered, and reports streams and sinks', async () => {
    const out: string[] = [];
    const service = await startService({ env, cwd: dir, configFile, port: 0, out: (l) => out.push(l) });
    try {
      expect(out.join('\n')).toMatch(/logs: 2 route\(s\) to 2 sink\(s\) \(archive, denied\)/);
      const password = /password \(shown once[^)]*\): (\S+)/.exec(out.join('\n'))?.[1] ?? '';
      const repo = service.runtime.store;
      const demo = await repo.organizations.findBySlug('demo');
      expect(demo).toBeDefined();
      // Wait until all six streams have a successful poll.
      const { checkpointRepository } = await import('../src/logs/index.js');
      const checkpoints = checkpointRepository(service.runtime.store);
      // The first collection has finished (every page of every stream delivered), so the files are still.
      await waitFor('the first logs-poll run to finish', async () => {
        const list = await checkpoints.list(demo!.id);
        const runs = await service.runtime.store.jobRuns.list(demo!.id, { kind: 'logs-poll' });
        return list.length === 6 && runs.length > 0 && runs.every((r) => r.finishedAt !== null)
          ? runs
          : undefined;
      });
      const data = join(dir, 'data', 'logs');
      const demoFile = lines(join(data, 'demo-duo-events.ndjson'));
      const archive = lines(join(data, 'archive.ndjson'));
      const denied = lines(join(data, 'denied.ndjson'));
      const ids = (ls: Record<string, unknown>[]) =>
        ls.map((l) => (l['duowatch'] as { id: string }).id).sort();
      // The archive (org *, every stream, no filter) holds exactly what the demo file holds.
      expect(archive.length).toBeGreaterThan(0);
      expect(ids(archive)).toEqual(ids(demoFile));
      // Several Duo streams, not only the authentication log.
      expect(new Set(archive.map((l) => (l['duowatch'] as { stream: string }).stream)).size).toBeGreaterThan(
        3,
      );
      // The filtered sink: only denied or fraudulent authentications, in ECS, each also in the archive.
      const deniedInArchive = archive.filter(
        (l) =>
          (l['duowatch'] as { stream: string }).stream === 'auth' &&
          ['denied', 'fraud'].includes(String(l['result'])),
      );
      expect(deniedInArchive.length).toBeGreaterThan(0);
      expect(denied.map((l) => (l['event'] as { id: string }).id).sort()).toEqual(
        deniedInArchive.map((l) => (l['duowatch'] as { id: string }).id).sort(),
      );

      const login = await fetch(`${service.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0] ?? '')
        .join('; ');
      const res = await fetch(`${service.url}/api/v1/orgs/demo/logs`, { headers: { cookie } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        collected: boolean;
        streams: { stream: string; status: string; events_total: number; lag_seconds: number | null }[];
        sinks: { name: string; type: string }[];
      };
      expect(body.collected).toBe(true);
      expect(body.streams.map((s) => s.stream).sort()).toEqual([
        'activity',
        'admin',
        'auth',
        'offline_enrollment',
        'telephony',
        'trust_monitor',
      ]);
      expect(body.streams.every((s) => s.status === 'ok')).toBe(true);
      // Per stream, what the API reports delivered is what the archive holds.
      for (const s of body.streams)
        expect(archive.filter((l) => (l['duowatch'] as { stream: string }).stream === s.stream).length).toBe(
          s.events_total,
        );
      expect(body.sinks.map((s) => s.name).sort()).toEqual(expect.arrayContaining(['archive', 'denied']));

      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(
        /duowatch_log_events_delivered_total\{org="demo",integration="[^"]+",account="",stream="auth"\} [1-9]/,
      );
      expect(metrics).toMatch(/duowatch_log_lag_seconds\{[^}]*stream="admin"\} \d+/);
      expect(metrics).toMatch(/duowatch_log_sink_queue_events\{sink="archive",type="file"\} 0/);
    } finally {
      await service.stop();
    }
  }, 240_000);
});
