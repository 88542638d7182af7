import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointRepository } from '../../src/logs/index.js';
import { startService } from '../../src/runtime/service.js';

/**
 * The dashboard's Logs page in a real Chromium over a real `serve` (demo tenant over TLS, SQLite, a `logs`
 * route to a file sink): the streams with their lag and the sink's health, "Collect now" for the
 * administrator. Screenshots go to test-results/. Any console error (a CSP violation included) fails.
 */
const CHROMIUM = process.env['DUOWATCH_CHROMIUM'] ?? '/usr/bin/chromium';
const required = process.env.DUOWATCH_REQUIRE_SERVICES === '1';
const available = existsSync(CHROMIUM);
const SHOTS = 'test-results/logs-dashboard';

if (!available && required) {
  describe('logs dashboard e2e', () => {
    it('needs Chromium', () => {
      throw new Error(`DUOWATCH_REQUIRE_SERVICES=1 but ${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  });
}

describe.skipIf(!available)(`logs dashboard e2e (skipped: ${CHROMIUM} not installed)`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'duowatch-logs-e2e-'));
  let service: Awaited<ReturnType<typeof startService>>;
  let password = '';
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    const configFile = join(dir, 'duowatch.yaml');
    writeFileSync(
      configFile,
      `duo:
  rateLimit:
    authLogMinIntervalMs: 1000
logs:
  pollIntervalSeconds: 86400
  sinks:
    archive: { type: file, path: logs/archive.ndjson }
  routes:
    - { org: demo, sinks: [archive] }
  budgets:
    - { org: demo, requestsPerMinute: 0 }
`,
    );
    const out: string[] = [];
    service = await startService({
      env: { DUOWATCH_DATA_DIR: join(dir, 'data'), DUOWATCH_LOG_LEVEL: 'silent' },
      cwd: dir,
      configFile,
      port: 0,
      out: (l) => out.push(l),
    });
    password = /password \(shown once[^)]*\): (\S+)/.exec(out.join('\n'))?.[1] ?? '';
    // The first collection runs right after start; wait for its six streams.
    const demo = await service.runtime.store.organizations.findBySlug('demo');
    const repo = checkpointRepository(service.runtime.store);
    const deadline = Date.now() + 150_000;
    for (;;) {
      const list = await repo.list(demo!.id);
      if (list.length === 6 && list.every((r) => r.lastSuccessMs !== null)) break;
      if (Date.now() > deadline) throw new Error('the first collection did not finish');
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
      ],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows every stream of the collected organization with lag, and the sink with its queue', async () => {
    await page.goto(service.url + '/');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Organizations' }).waitFor();
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('heading', { name: 'Logs', level: 1 }).waitFor();
    const streams = page.getByRole('table', { name: /Log streams of Demo/ });
    await streams.waitFor();
    const rows = await streams.locator('tbody tr').allInnerTexts();
    expect(rows.map((r) => r.split('\t')[0]).sort()).toEqual([
      'activity',
      'admin',
      'auth',
      'offline_enrollment',
      'telephony',
      'trust_monitor',
    ]);
    // The API's numbers, as the page shows them.
    const api = (await (await page.request.get(service.url + '/api/v1/orgs/demo/logs')).json()) as {
      streams: { stream: string; events_total: number; status: string }[];
    };
    for (const s of api.streams) {
      const row = rows.find((r) => r.startsWith(s.stream + '\t'));
      expect(row?.split('\t')[6]).toBe(String(s.events_total));
      expect(row).toContain(s.status);
    }
    const auth = rows.find((r) => r.startsWith('auth\t')) ?? '';
    expect(auth.split('\t')[3]).toMatch(/^\d+ (s|min|h)$/);
    const sinks = await page.getByRole('table', { name: 'Sinks' }).locator('tbody tr').allInnerTexts();
    expect(sinks.some((r) => r.startsWith('archive\tfile\texactly once\t') && r.includes('0 queued'))).toBe(
      true,
    );
    await page.screenshot({ path: `${SHOTS}/01-logs.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it('queues a collection with "Collect now", says so, and audits it', async () => {
    await page.getByRole('button', { name: 'Collect now' }).click();
    // One poll for the demo's one Admin API integration (it queues behind a poll still draining).
    await page.getByText(/Collection queued \(1 poll\(s\)\)/).waitFor();
    const audit = await service.runtime.store.auditLog.listAll({ limit: 100 });
    expect(audit.filter((e) => e.action === 'logs.collect_now' && e.actor !== null)).toHaveLength(1);
    await page.screenshot({ path: `${SHOTS}/02-collect-now.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});
