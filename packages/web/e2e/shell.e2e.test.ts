/**
 * The app shell in a real browser against the real server: sign in and out, deep links
 * after sign-in, role-based navigation (an operator cannot reach admin pages), the session
 * expiring without losing the page, and no serious accessibility violation on the shell.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, formatViolations, launchBrowser, newContext, seriousA11yViolations, signIn, startServer } from './harness.ts';
import type { E2eServer } from './harness.ts';

let server: E2eServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('app shell', () => {
  it('signs in with a local account, keeps the deep link, and signs out', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(`${server.url}/history`);
    await page.waitForURL(/\/sign-in\?next=/);
    expect(await seriousA11yViolations(page).then(formatViolations)).toBe('');
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('wrong-password-0000');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/./);
    await page.getByLabel('Password').fill('e2e-admin-password-0001');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/history$/);
    expect(await page.getByTestId('user-name').textContent()).toContain('admin');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await page.goto(`${server.url}/dashboard`);
    await page.waitForURL(/\/sign-in\?next=/);
    await ctx.close();
  });

  it('shows an operator only the pages of their role and refuses admin pages', async () => {
    const password = await createUser(server, 'op1', 'operator');
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server, 'op1', password);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect.poll(() => nav.getByRole('link', { name: 'Inspect' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Thresholds' }).count()).toBe(0);
    for (const path of ['/admin/users', '/admin/api-keys', '/thresholds']) {
      await page.goto(`${server.url}${path}`);
      await page.waitForURL(/\/forbidden$/);
      await page.getByRole('heading', { name: 'Not allowed for your role' }).waitFor();
    }
    expect(await seriousA11yViolations(page).then(formatViolations)).toBe('');
    await ctx.close();
  });

  it('asks to sign in again over the page when the session ends, keeping what was typed', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server);
    await page.goto(`${server.url}/history`);
    // the server forgets every session: the stored tokens no longer work
    await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('xqc-session')!);
      s.accessToken = 'expired.' + s.accessToken.split('.')[1] + '.x';
      s.refreshToken = 'spent';
      s.expiresAt = Date.now() - 1000;
      localStorage.setItem('xqc-session', JSON.stringify(s));
    });
    await page.reload();
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor();
    expect(page.url()).toMatch(/\/history$/);
    await dialog.getByLabel('Password').fill('e2e-admin-password-0001');
    await dialog.getByRole('button', { name: 'Sign in', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(page.url()).toMatch(/\/history$/);
    await ctx.close();
  });

  it('serves client-side routes on reload and answers unknown API paths as API errors', async () => {
    const html = await fetch(`${server.url}/reviews`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(await html.text()).toContain('<div id="root">');
    const api = await fetch(`${server.url}/api/xai-qc/nope`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { code: string }).code).toBe('XQC_NOT_FOUND');
    const js = await fetch(`${server.url}/`, { headers: { accept: 'text/html', 'accept-encoding': 'br' } });
    expect(js.headers.get('cache-control')).toBe('no-cache');
  });
});
