import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevicesStack, type DevicesStack } from './fixtures/devices-stack.js';

/**
 * The Trusted endpoints tab in a real Chromium against the emulator's Device API over TLS: plan from a chosen
 * export, then sync while the page shows the run's live progress (polled from the progress route), then the
 * result, the new active cache and the run in the list. Any console error (a CSP violation included) fails.
 */
const CHROMIUM = process.env['DUOWATCH_CHROMIUM'] ?? '/usr/bin/chromium';
const required = process.env.DUOWATCH_REQUIRE_SERVICES === '1';
const available = existsSync(CHROMIUM);
const SHOTS = 'test-results/devices';
const COUNT = 3000;

const ids = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${i.toString(16).padStart(8, '0')}-7921-4d8a-ae8c-1b605ad58903`);

if (!available && required) {
  describe('devices e2e', () => {
    it('needs Chromium', () => {
      throw new Error(`DUOWATCH_REQUIRE_SERVICES=1 but ${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  });
}

describe.skipIf(!available)(`devices e2e (skipped: ${CHROMIUM} not installed)`, () => {
  let stack: DevicesStack;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const csv = {
    name: 'fleet.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`device_id\n${ids(COUNT).join('\n')}\n`),
  };

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    stack = await startDevicesStack('devices-e2e');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(stack.url + '/');
    await page.getByLabel('Username').fill(stack.username);
    await page.getByLabel('Password').fill(stack.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Organizations' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('plans from a chosen export without touching the cache', async () => {
    await page.getByRole('link', { name: 'Acme Corp' }).click();
    await page.getByRole('link', { name: 'Trusted endpoints' }).click();
    const card = page.getByRole('article', { name: stack.integrationLabel });
    await card.getByText('No active cache').waitFor();
    await card.getByLabel('Fleet export').setInputFiles(csv);
    await card.getByRole('button', { name: 'Plan' }).click();
    await card.getByText('Dry run: nothing activated').waitFor({ timeout: 60_000 });
    expect(await card.getByText(/^Plan: /).textContent()).toBe(
      `Plan: active 0, +${String(COUNT)} added, −0 removed, 0 unchanged`,
    );
  });

  it('syncs with a live progress bar, then shows the result and the new active cache', async () => {
    // Each batch of 1,000 waits 700 ms in the emulator: three batches leave the page time to poll.
    const fault = stack.emulator.control.addFault({
      kind: 'latency',
      latencyMs: 700,
      method: 'POST',
      path: '*/devices',
    });
    const card = page.getByRole('article', { name: stack.integrationLabel });
    try {
      await card.getByRole('button', { name: 'Sync' }).click();
      const words = card.locator('.progress-words');
      await words
        .getByText(new RegExp(`^Uploading: [\\d,]+ of ${COUNT.toLocaleString('en')} identifiers$`))
        .waitFor({
          timeout: 60_000,
        });
      const bar = card.getByRole('progressbar', { name: 'Sync progress' });
      expect(Number(await bar.getAttribute('max'))).toBe(COUNT);
      expect(await bar.evaluate((e: { value: number }) => e.value)).toBeGreaterThan(0);
      await page.screenshot({ path: `${SHOTS}/01-progress.png`, fullPage: true });
      await card.getByText('Synced: the new cache is active').waitFor({ timeout: 60_000 });
    } finally {
      stack.emulator.control.removeFault(fault.id);
    }
    expect(await card.getByText(/^Read /).textContent()).toMatch(
      new RegExp(`uploaded ${String(COUNT)}; Duo counts ${String(COUNT)}\\.$`),
    );
    await page.screenshot({ path: `${SHOTS}/02-synced.png`, fullPage: true });
    await page.reload();
    const fresh = page.getByRole('article', { name: stack.integrationLabel });
    await fresh.getByText(new RegExp(`^Active cache .*: ${String(COUNT)} devices$`)).waitFor();
    const rows = page.locator('table:below(h2:text-is("Recent syncs")) tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain('synced');
  });

  it('shows a scheduled sync that is already running when the tab opens, until it ends', async () => {
    const fault = stack.emulator.control.addFault({
      kind: 'latency',
      latencyMs: 700,
      method: 'POST',
      path: '*/devices',
    });
    let run: Promise<{ outcome: string }> | undefined;
    try {
      // As the scheduler runs it: through the same service, with the re-sync's export (one device replaced).
      const next = [...ids(COUNT - 1), 'ffffffff-7921-4d8a-ae8c-1b605ad58903'];
      run = stack.service.sync(
        'acme',
        stack.integrationLabel,
        { bytes: Buffer.from(`device_id\n${next.join('\n')}\n`), source: 'fleet.csv' },
        { trigger: 'schedule', actor: 'scheduler' },
      );
      const card = page.getByRole('article', { name: stack.integrationLabel });
      // Reload until the run shows (its progress is written once it holds the lease), bounded.
      for (let i = 0; i < 50; i++) {
        await page.reload();
        await card.getByRole('heading', { name: new RegExp(stack.integrationLabel) }).waitFor();
        if (await card.getByText('A scheduled sync is running now.').isVisible()) break;
        await page.waitForTimeout(100);
      }
      await card.getByText('A scheduled sync is running now.').waitFor({ timeout: 1000 });
      await card
        .locator('.running-elsewhere .progress-words')
        .getByText(/^(Reading the active cache back|Uploading): /)
        .waitFor({ timeout: 60_000 });
      await page.screenshot({ path: `${SHOTS}/03-scheduled-running.png`, fullPage: true });
      await card
        .getByText('That sync has ended: it synced: the new cache is active.')
        .waitFor({ timeout: 60_000 });
    } finally {
      stack.emulator.control.removeFault(fault.id);
      await run;
    }
    expect((await run)?.outcome).toBe('synced');
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
