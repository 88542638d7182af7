import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startVerifyStack, type VerifyStack } from './fixtures/verify-stack.js';

/**
 * Duo 2FA on the duowatch login in a real Chromium, against the emulator over TLS driven through its control
 * API: push approve, push deny, fraud, SMS then passcode, a Duo outage (an admin refused; an auditor let in
 * with the password only under the health fail-mode policy, audited), the break-glass account enabled from
 * the CLI, and "verify this user" from the dashboard. Any console error (a CSP violation included) fails.
 */
const CHROMIUM = process.env['DUOWATCH_CHROMIUM'] ?? '/usr/bin/chromium';
const required = process.env.DUOWATCH_REQUIRE_SERVICES === '1';
const available = existsSync(CHROMIUM);
const SHOTS = 'test-results/login-2fa';

if (!available && required) {
  describe('login 2FA e2e', () => {
    it('needs Chromium', () => {
      throw new Error(`DUOWATCH_REQUIRE_SERVICES=1 but ${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  });
}

describe.skipIf(!available)(`login 2FA e2e (skipped: ${CHROMIUM} not installed)`, () => {
  let stack: VerifyStack;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const behave = (user: string, kind: 'approve' | 'deny' | 'fraud', afterS = 1) =>
    stack.control('POST', `/tenants/${stack.creds.hostname}/users/${user}/behaviour`, { kind, afterS });

  async function password(username: string, secret = PASSWORD) {
    await page.getByRole('heading', { name: 'Sign in to duowatch' }).waitFor();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function signOut() {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to duowatch' }).waitFor();
  }

  const loginError = () => page.locator('#login-error');

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    stack = await startVerifyStack('login-2fa-e2e');
    await stack.operator('ops-owner', 'owner', stack.users.push);
    // One operator per push: duowatch spaces pushes to one account out (15 s, then longer).
    await stack.operator('ops-denied', 'owner', stack.users.push);
    await stack.operator('ops-admin', 'admin', stack.users.push);
    await stack.operator('ops-texter', 'auditor', stack.users.sms);
    await stack.operator('ops-auditor', 'auditor', stack.users.push);
    await stack.operator('ops-caller', 'auditor', stack.users.phone);
    // A Duo username the tenant does not know: Duo's preauth answers "enroll".
    await stack.operator('ops-newcomer', 'auditor', 'not.yet.enrolled');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => {
      // Expected: 401s (signed-out session checks) and the 403s that refuse a sign-in (shown on the page).
      if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(stack.url + '/');
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('push approve: the waiting screen, then signed in with the factor shown', async () => {
    await behave(stack.users.push, 'approve', 2);
    await password('ops-owner');
    await page.getByRole('heading', { name: 'Confirm it is you with Duo' }).waitFor();
    expect(await page.evaluate<string>("document.activeElement ? document.activeElement.id : ''")).toBe(
      'second-step-title',
    );
    await page.setViewportSize({ width: 375, height: 800 });
    const wide = await page.evaluate<string[]>(
      "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.tagName + '#' + e.id)",
    );
    expect(wide).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/00-choose-narrow.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'Send a Duo Push' }).click();
    await page.getByText('Waiting for your answer on your device').waitFor();
    await page.screenshot({ path: `${SHOTS}/01-waiting.png`, fullPage: true });
    await page.getByRole('heading', { name: 'Organizations' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#who-factor').textContent()).toBe('· Duo push');
    expect(await page.locator('#session-note').isHidden()).toBe(true);
    // After a reload the page asks the server how this session was opened.
    await page.reload();
    await page.getByRole('heading', { name: 'Organizations' }).waitFor();
    expect(await page.locator('#who-factor').textContent()).toBe('· Duo push');
    await signOut();
  });

  it('push deny: refused, back on the password form with the reason', async () => {
    await behave(stack.users.push, 'deny', 1);
    await password('ops-denied');
    await page.getByRole('button', { name: 'Send a Duo Push' }).click();
    await expect.poll(() => loginError().textContent(), { timeout: 30_000 }).toMatch(/Sign in again/);
    expect(await loginError().textContent()).toMatch(/den/i);
    expect(await page.getByLabel('Username').isVisible()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/02-denied.png`, fullPage: true });
  });

  it('fraud: refused, explained, and the administrators alerted', async () => {
    await behave(stack.users.push, 'fraud', 1);
    await password('ops-admin');
    await page.getByRole('button', { name: 'Send a Duo Push' }).click();
    await expect
      .poll(() => loginError().textContent(), { timeout: 30_000 })
      .toMatch(/reported the request as fraud/);
    expect(stack.alerts.some((a) => a.rule === 'verify.login_fraud' && a.entity === 'ops-admin')).toBe(true);
  });

  it('SMS then passcode: a wrong code is said, the texted code signs in', async () => {
    await password('ops-texter');
    await page.getByRole('button', { name: 'Text me passcodes' }).click();
    await page.getByText(/Enter one as a passcode/).waitFor();
    const { passcodes } = (await stack.control(
      'GET',
      `/tenants/${stack.creds.hostname}/users/${stack.users.sms}/sms`,
    )) as { passcodes: string[] };
    expect(passcodes.length).toBeGreaterThan(0);
    await page.getByLabel('Passcode').fill('0000000');
    await page.getByRole('button', { name: 'Verify passcode' }).click();
    await expect
      .poll(() => page.locator('#second-step-message').textContent())
      .toMatch(/incorrect|invalid|passcode/i);
    await page.getByLabel('Passcode').fill(passcodes[0] ?? '');
    await page.getByRole('button', { name: 'Verify passcode' }).click();
    await page.getByRole('heading', { name: 'Organizations' }).waitFor();
    expect(await page.locator('#who-factor').textContent()).toBe('· Duo passcode');
    await signOut();
  });

  it('phone call: the waiting screen while Duo calls, then signed in', async () => {
    await behave(stack.users.phone, 'approve', 1);
    await password('ops-caller');
    await page.getByRole('button', { name: 'Call me' }).click();
    await page.getByText('Waiting for your answer on your device').waitFor();
    await page.getByRole('heading', { name: 'Organizations' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#who-factor').textContent()).toBe('· Duo phone');
    await signOut();
  });

  it('not enrolled: refused with what to do', async () => {
    await password('ops-newcomer');
    await expect
      .poll(() => loginError().textContent(), { timeout: 30_000 })
      .toMatch(/not enrolled.*enrollment link/);
  });

  it('Duo down: an admin is refused; an auditor gets in with the password only, said and audited', async () => {
    const fault = (await stack.control('POST', '/faults', {
      kind: 'error',
      path: '/auth/v2/*',
      status: 503,
    })) as { id: string };
    try {
      await password('ops-admin');
      await expect
        .poll(() => loginError().textContent(), { timeout: 30_000 })
        .toMatch(/Duo cannot be reached.*owners and admins always fail closed/);
      await page.screenshot({ path: `${SHOTS}/03-outage-admin.png`, fullPage: true });
      await password('ops-auditor');
      await page.getByRole('heading', { name: 'Organizations' }).waitFor({ timeout: 30_000 });
      const note = page.locator('#session-note');
      expect(await note.isVisible()).toBe(true);
      expect(await note.textContent()).toMatch(/without a second factor \(password only/);
      expect(await page.locator('#who-factor').textContent()).toMatch(/^· password only/);
      await page.screenshot({ path: `${SHOTS}/04-outage-auditor.png`, fullPage: true });
    } finally {
      await stack.control('DELETE', `/faults/${fault.id}`);
    }
    const audit = await stack.store.auditLog.list(null, { limit: 200 });
    const open = audit.filter(
      (e) => e.action === 'session.second_factor' && e.details?.['decision'] === 'fail_open',
    );
    expect(open.map((e) => e.target)).toEqual(['ops-auditor']);
    expect(stack.alerts.some((a) => a.rule === 'verify.login_fail_open' && a.entity === 'ops-auditor')).toBe(
      true,
    );
    await signOut();
  });

  it('break-glass: enabled from the CLI, signs in without Duo, said on the page, audited and alerted', async () => {
    const enabled = await stack.cli(['accounts', 'break-glass', 'enable', '--json']);
    expect(enabled.code, enabled.err).toBe(0);
    const { username, password: secret } = JSON.parse(enabled.out) as { username: string; password: string };
    await password(username, secret);
    await page.getByRole('heading', { name: 'Organizations' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#session-note').textContent()).toMatch(/break-glass account/);
    expect(await page.content()).not.toContain(secret);
    const audit = await stack.store.auditLog.list(null, { limit: 200 });
    expect(audit.some((e) => e.action === 'session.break_glass' && e.target === username)).toBe(true);
    expect(stack.alerts.some((a) => a.rule === 'verify.break_glass_used')).toBe(true);
    await page.screenshot({ path: `${SHOTS}/05-break-glass.png`, fullPage: true });
  });

  it('verify this user: an admin sends a push with a reason and sees the recorded answer', async () => {
    await behave(stack.users.push, 'approve', 2);
    await page.getByRole('link', { name: 'Acme Corp' }).click();
    await page.getByRole('link', { name: 'Verify a user' }).click();
    await page.getByText('No user has been verified yet.').waitFor();
    await page.getByLabel('Duo username').fill(stack.users.push);
    await page.getByLabel(/^Reason/).fill('IR-7: sign-in from a new country');
    await page.getByRole('button', { name: 'Send verification push' }).click();
    const row = page.locator('#verify-requests tbody tr').first();
    await row.getByRole('cell', { name: 'IR-7: sign-in from a new country' }).waitFor();
    // The list refreshes itself until Duo's answer is in.
    await row.getByRole('cell', { name: 'Approved', exact: true }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${SHOTS}/06-verify-user.png`, fullPage: true });
    // The request's own row is written just before its audit row: wait for the latter (bounded).
    const org = await stack.store.organizations.findBySlug('acme');
    await expect
      .poll(
        async () =>
          (await stack.store.auditLog.list(org?.id ?? null, { limit: 200 })).find(
            (e) => e.action === 'verify.user.result' && e.target === stack.users.push,
          )?.details?.['outcome'],
        { timeout: 10_000 },
      )
      .toBe('success');
    await signOut();
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
