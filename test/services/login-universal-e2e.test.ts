import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVerifyStack, PASSWORD, type VerifyStack } from './fixtures/verify-stack.js';

/**
 * Duo's Universal Prompt on the duowatch login in a real Chromium: the password, the redirect to the
 * emulator's prompt (the tenant's hostname mapped to 127.0.0.1; the emulator's local CA is not in
 * Chromium's store, so certificate errors are ignored for this browser only), the prompt's button, Duo's
 * redirect back to duowatch's callback, and the dashboard signed in with the factor shown; then a denied push
 * coming back to the sign-in form with what it means.
 */
const CHROMIUM = process.env['DUOWATCH_CHROMIUM'] ?? '/usr/bin/chromium';
const required = process.env.DUOWATCH_REQUIRE_SERVICES === '1';
const available = existsSync(CHROMIUM);

if (!available && required) {
  describe('login Universal Prompt e2e', () => {
    it('needs Chromium', () => {
      throw new Error(`DUOWATCH_REQUIRE_SERVICES=1 but ${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  });
}

describe.skipIf(!available)(`login Universal Prompt e2e (skipped: ${CHROMIUM} not installed)`, () => {
  let stack: VerifyStack;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const behave = (kind: 'approve' | 'deny') =>
    stack.control('POST', `/tenants/${stack.creds.hostname}/users/${stack.users.push}/behaviour`, {
      kind,
      afterS: 0,
    });

  async function password(username: string) {
    await page.getByRole('heading', { name: 'Sign in to duowatch' }).waitFor();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  beforeAll(async () => {
    stack = await startVerifyStack('login-universal-e2e', { universal: true });
    await stack.operator('up-owner', 'owner', stack.users.push);
    await stack.operator('up-auditor', 'auditor', stack.users.push);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-quic',
        `--host-resolver-rules=MAP ${stack.creds.hostname} 127.0.0.1`,
        '--ignore-certificate-errors',
      ],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(stack.url + '/');
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('password, Duo prompt, back to duowatch signed in with the factor shown', async () => {
    await behave('approve');
    await password('up-owner');
    // At Duo (the emulator's prompt page), on the tenant's own hostname.
    await page.getByRole('button', { name: 'Send Me a Push' }).click({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Organizations' }).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).origin).toBe(stack.url);
    expect(await page.locator('#who-factor').textContent()).toBe('· Duo Universal Prompt');
    const login = (await stack.store.auditLog.list(null, { limit: 20 })).find(
      (e) => e.action === 'session.login' && e.target === 'up-owner' && e.details?.['outcome'] === 'success',
    );
    expect(login?.details?.['secondFactor']).toMatchObject({ mfa: true, factor: 'universal' });
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('a push denied at Duo brings the browser back to the sign-in form, saying so', async () => {
    await behave('deny');
    await password('up-auditor');
    await page.getByRole('button', { name: 'Send Me a Push' }).click({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Sign in to duowatch' }).waitFor();
    await expect.poll(() => page.locator('#login-error').textContent()).toMatch(/Duo denied the sign-in/);
    // The code is dropped from the address once shown.
    expect(new URL(page.url()).search).toBe('');
    expect(problems).toEqual([]);
  });
});
