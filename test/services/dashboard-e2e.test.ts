import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboardStack, type DashboardStack } from './fixtures/dashboard-stack.js';

/**
 * The dashboard in a real Chromium (playwright-core, no downloaded browser): sign in, add an integration
 * through Test before Save, see the evidence cards and their charts, Sync now, export, read runs and the
 * audit log, sign out. Screenshots go to test-results/. Any console error (a CSP violation included) fails.
 */
const CHROMIUM = process.env['DUOWATCH_CHROMIUM'] ?? '/usr/bin/chromium';
const required = process.env.DUOWATCH_REQUIRE_SERVICES === '1';
const available = existsSync(CHROMIUM);
const SHOTS = 'test-results/dashboard';

if (!available && required) {
  describe('dashboard e2e', () => {
    it('needs Chromium', () => {
      throw new Error(`DUOWATCH_REQUIRE_SERVICES=1 but ${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  });
}

describe.skipIf(!available)(`dashboard e2e (skipped: ${CHROMIUM} not installed)`, () => {
  let stack: DashboardStack;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    stack = await startDashboardStack();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => {
      // The browser reports the expected 401s (signed-out session checks) as console errors; anything else,
      // a CSP violation above all, is a problem.
      if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('signs in', async () => {
    await page.goto(stack.url + '/');
    await page.getByLabel('Username').fill(stack.username);
    await page.getByLabel('Password').fill(stack.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Organizations' }).waitFor();
    expect(await page.getByRole('link', { name: 'Acme Corp' }).isVisible()).toBe(true);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'dw_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    await page.screenshot({ path: `${SHOTS}/01-overview.png`, fullPage: true });
  });

  it('adds an integration with Test before Save, never echoing the secret key', async () => {
    await page.getByRole('link', { name: 'Acme Corp' }).click();
    await page.getByText('No evidence yet').waitFor();
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByLabel('API hostname').fill(stack.candidate.apiHost);
    await page.getByLabel('Integration key').fill(stack.candidate.ikey);
    await page.getByLabel('Secret key').fill(stack.candidate.skey);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('heading', { name: /Connection test passed/ }).waitFor();
    expect(await page.locator('.report > p').first().textContent()).toMatch(/^Clock skew: -?\d+\.\d s/);
    expect(await page.locator('.checks li').count()).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: `${SHOTS}/02-test-before-save.png`, fullPage: true });
    await page.getByRole('button', { name: 'Test and save' }).click();
    await page
      .getByText('Saved. A first sync is queued')
      .waitFor({ timeout: 30_000 })
      .catch(async (error: unknown) => {
        throw new Error(`not saved: ${await page.locator('#add-integration .out').textContent()}`, {
          cause: error,
        });
      });
    expect(await page.getByLabel('Secret key').inputValue()).toBe('');
    expect(await page.content()).not.toContain(stack.candidate.skey);
    await page.screenshot({ path: `${SHOTS}/03-saved.png`, fullPage: true });
  });

  it('shows a card per signal with its history chart', async () => {
    await page.getByRole('link', { name: 'see the evidence' }).click();
    // The queued first sync runs in the background: reload until its cards are there (bounded).
    for (let i = 0; i < 20 && (await page.locator('article.signal').count()) < stack.expect.signals; i += 1) {
      await page.waitForTimeout(500);
      await page.reload();
      await page.getByRole('heading', { name: 'Controls', exact: true }).waitFor();
    }
    expect(await page.locator('article.signal').count()).toBeGreaterThanOrEqual(stack.expect.signals);
    await page.locator('article.signal .uplot canvas').first().waitFor();
    expect(await page.getByRole('heading', { name: 'Owners' }).count()).toBeGreaterThanOrEqual(1);
    if (stack.expect.authLog)
      expect(await page.getByRole('heading', { name: 'Factor distribution' }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/04-controls.png`, fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.screenshot({ path: `${SHOTS}/05-controls-narrow.png`, fullPage: true });
    const wide = await page.evaluate<string[]>(
      "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map((e) => e.tagName + '.' + e.className)",
    );
    expect(wide).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('queues a sync and exports evidence', async () => {
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByText(/Sync queued/).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'JSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^duowatch-.*acme-.*\.json$/);
    const body = JSON.parse(await readFile((await download.path()) ?? '', 'utf8')) as unknown;
    expect(JSON.stringify(body)).toContain('mfa_enrollment');
  });

  it('lists runs and the audit log', async () => {
    await page.getByRole('link', { name: 'Runs' }).click();
    // Wait for the Runs view itself: the controls view before it has tables of its own.
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    const runs = page.locator('section:has(h2:text-is("Runs")) tbody tr');
    await runs.first().waitFor();
    expect(await runs.count()).toBeGreaterThanOrEqual(2);
    await page.getByRole('link', { name: 'Audit log' }).first().click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByRole('cell', { name: 'evidence.export' }).first().waitFor();
    await page.screenshot({ path: `${SHOTS}/06-audit.png`, fullPage: true });
  });

  it('is keyboard reachable: the skip link comes first', async () => {
    const first =
      "[...document.querySelectorAll('a[href], button, input, select')].find((e) => e.tabIndex >= 0)";
    expect(await page.evaluate<string>(`${first}.textContent`)).toBe('Skip to content');
    await page.locator('.skip').focus();
    expect((await page.locator('.skip').boundingBox())?.x).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>("document.activeElement ? document.activeElement.id : ''")).toBe(
      'main',
    );
  });

  it('signs out, and the session no longer works', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to duowatch' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/orgs')).status);
    expect(status).toBe(401);
    await page.screenshot({ path: `${SHOTS}/07-signed-out.png`, fullPage: true });
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
