/**
 * Models and administration in a real browser against the real server: a model upload
 * refused field by field for a broken card, then accepted, activated and shown active; a
 * user and an API key created by the admin, the last admin's demotion refused in a
 * sentence; an operator refused the Users page; a monitor and an alert rule created.
 * axe-core finds no serious or critical violation on any page visited (dialogs open
 * included).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, formatViolations, launchBrowser, newContext, REPO, seriousA11yViolations, signIn, startServer } from './harness.ts';
import type { E2eServer } from './harness.ts';

let server: E2eServer;
let browser: Browser;

const DEMO = join(REPO, 'models/surface-classifier');
const CARD = readFileSync(join(DEMO, 'model_card.yaml'), 'utf8');
const NEW_VERSION = '1.1.0-e2e';

async function noSeriousViolations(page: Page): Promise<void> {
  expect(formatViolations(await seriousA11yViolations(page))).toBe('');
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('models and administration', () => {
  it('uploads a model (a broken card refused field by field first), activates it, creates a user, an API key, a monitor and an alert rule', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server);

    // models list with the demo models
    await page.goto(`${server.url}/models`);
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'surface-classifier' }).waitFor();
    await noSeriousViolations(page);

    // a broken card: the server's error lands under the card field, not under the model file
    await page.getByRole('button', { name: 'Upload model' }).click();
    const dialog = page.getByRole('dialog', { name: 'Upload a model version' });
    await dialog.waitFor();
    await dialog.getByLabel('Model file (.onnx)').setInputFiles(join(DEMO, 'model.onnx'));
    const broken = CARD.replace(/^version: .*$/m, `version: ${NEW_VERSION}`).replace(/^ {2}height: 64$/m, '  height: zero');
    expect(broken).not.toBe(CARD);
    await dialog.getByLabel('Model card file (model_card.yaml)').setInputFiles({ name: 'model_card.yaml', mimeType: 'application/yaml', buffer: Buffer.from(broken) });
    const cardText = dialog.getByLabel('Model card (YAML)');
    await expect.poll(() => cardText.inputValue()).toContain('height: zero');
    await dialog.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect.poll(() => cardText.getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.getByLabel('Model file (.onnx)').getAttribute('aria-invalid')).toBe('false');
    const cardErrorId = (await cardText.getAttribute('aria-describedby'))!.split(' ').find((id) => id.endsWith('-err'))!;
    expect(await page.locator(`[id="${cardErrorId}"]`).textContent()).toMatch(/model_card\.yaml|height/);
    await dialog.getByText('The upload was refused: see the fields marked below.').waitFor();
    await noSeriousViolations(page);

    // the fixed card is accepted; the page of the model opens on the new version
    await cardText.fill(CARD.replace(/^version: .*$/m, `version: ${NEW_VERSION}`));
    await dialog.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.waitForURL(/\/models\/surface-classifier\?version=1\.1\.0-e2e/, { timeout: 60_000 });
    const versions = page.getByRole('table', { name: 'Versions' });
    const row = versions.getByRole('row').filter({ hasText: NEW_VERSION });
    await row.getByText('inactive').waitFor();
    await page.getByRole('heading', { name: `Model card: ${NEW_VERSION}` }).waitFor();
    await page.getByRole('table', { name: /Comparison of 1\.0\.0 and 1\.1\.0-e2e/ }).waitFor();
    await noSeriousViolations(page);

    // activate: the new version becomes the active one
    await page.getByRole('button', { name: `Activate ${NEW_VERSION}` }).click();
    await row.getByText('active', { exact: true }).waitFor();
    await versions.getByRole('button', { name: 'Activate 1.0.0' }).waitFor();
    await page.goto(`${server.url}/models`);
    const listRow = page.getByRole('table', { name: 'Models' }).getByRole('row').filter({ hasText: 'surface-classifier' });
    await listRow.getByText(NEW_VERSION).waitFor();

    // a user
    await page.goto(`${server.url}/admin/users`);
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Users' }).getByText('admin').first().waitFor();
    await noSeriousViolations(page);
    // the last admin cannot be demoted: the 409 is a sentence, and the role stays
    await page.getByRole('combobox', { name: 'Role of admin' }).selectOption('engineer');
    await page.getByRole('alert').filter({ hasText: 'The last administrator cannot be removed or demoted.' }).waitFor();
    await expect.poll(() => page.getByRole('combobox', { name: 'Role of admin' }).inputValue()).toBe('admin');
    await noSeriousViolations(page);
    await page.getByRole('button', { name: 'Create user' }).click();
    const userDialog = page.getByRole('dialog', { name: 'Create a user' });
    await userDialog.getByLabel('User name').fill('line-operator');
    await userDialog.getByLabel('Role').selectOption('operator');
    await userDialog.getByLabel('Password (optional)').fill('line-operator-password-0001');
    await noSeriousViolations(page);
    await userDialog.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('dialog', { name: 'line-operator was created' }).getByRole('button', { name: 'Done' }).click();
    await page.getByRole('combobox', { name: 'Role of line-operator' }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Role of line-operator' }).inputValue()).toBe('operator');

    // an API key: the secret is shown once
    await page.goto(`${server.url}/admin/api-keys`);
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByText('No API keys yet').waitFor();
    await noSeriousViolations(page);
    await page.getByRole('button', { name: 'Create API key' }).first().click();
    const keyDialog = page.getByRole('dialog', { name: 'Create an API key' });
    await keyDialog.getByLabel('Name').fill('line-3-camera');
    await keyDialog.getByLabel('write: every other request (inspect, review, upload)').uncheck();
    await keyDialog.getByRole('button', { name: 'Create key' }).click();
    const created = page.getByRole('dialog', { name: 'API key created' });
    expect(await created.getByTestId('secret-value').textContent()).toMatch(/^xqc_/);
    await noSeriousViolations(page);
    await created.getByRole('button', { name: 'Done' }).click();
    const keyRow = page.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: 'line-3-camera' });
    await keyRow.getByText('active').waitFor();
    expect(await keyRow.textContent()).toContain('read');
    expect(await keyRow.textContent()).not.toContain('write');
    // revoked through the confirmation, which names the consequence
    await keyRow.getByRole('button', { name: 'Revoke line-3-camera' }).click();
    const revokeDialog = page.getByRole('dialog', { name: 'Revoke line-3-camera?' });
    expect(await revokeDialog.textContent()).toContain('refused from now on');
    await revokeDialog.getByRole('button', { name: 'Revoke key' }).click();
    await keyRow.getByText('revoked').waitFor();
    expect(await revokeDialog.count()).toBe(0);

    // a monitor of the now active version
    await page.goto(`${server.url}/monitoring`);
    await page.getByRole('heading', { name: 'Monitoring', level: 1 }).waitFor();
    await page.getByText('No monitors yet').waitFor();
    await noSeriousViolations(page);
    await page.getByRole('button', { name: 'Create monitor' }).first().click();
    const monDialog = page.getByRole('dialog', { name: 'Create a monitor' });
    await monDialog.getByLabel('Name').fill('line 3 surface');
    await monDialog.getByLabel('Model', { exact: true }).selectOption('surface-classifier');
    await expect.poll(() => monDialog.getByLabel('Version').inputValue()).toBe(NEW_VERSION);
    await monDialog.getByLabel('Inspections').first().fill('50');
    await noSeriousViolations(page);
    await monDialog.getByRole('button', { name: 'Create monitor' }).click();
    const monRow = page.getByRole('table', { name: 'Monitors' }).getByRole('row').filter({ hasText: 'line 3 surface' });
    await monRow.getByText('first 50 inspections').waitFor();
    await page.getByRole('heading', { name: 'Results of line 3 surface' }).waitFor();
    await page.getByText('No results yet').waitFor();

    // an alert rule
    await page.getByRole('tab', { name: 'Alert rules' }).click();
    await page.getByText('No alert rules yet').waitFor();
    await noSeriousViolations(page);
    await page.getByRole('button', { name: 'Create rule' }).first().click();
    const ruleDialog = page.getByRole('dialog', { name: 'Create an alert rule' });
    await ruleDialog.getByLabel('Name').fill('escapes on line 3');
    await ruleDialog.getByLabel('Metric').selectOption('escapeRate');
    await ruleDialog.getByLabel('Threshold').fill('0.05');
    await ruleDialog.getByLabel('Cooldown (minutes)').fill('240');
    await ruleDialog.getByRole('button', { name: 'Create rule' }).click();
    const ruleRow = page.getByRole('table', { name: 'Alert rules' }).getByRole('row').filter({ hasText: 'escapes on line 3' });
    await ruleRow.getByText('Escape rate > 0.05').waitFor();
    expect(await ruleRow.getByRole('switch', { name: 'Rule escapes on line 3 enabled' }).getAttribute('aria-checked')).toBe('true');
    await ruleRow.getByRole('switch', { name: 'Rule escapes on line 3 enabled' }).click();
    await expect.poll(() => ruleRow.getByRole('switch').getAttribute('aria-checked')).toBe('false');
    await noSeriousViolations(page);
    await ctx.close();
  });

  it('refuses the Users page to an operator', async () => {
    const ctx = await newContext(browser, 'tablet');
    const page = await ctx.newPage();
    const password = await createUser(server, 'op-admin-models', 'operator');
    await signIn(page, server, 'op-admin-models', password);
    await page.goto(`${server.url}/admin/users`);
    await page.waitForURL(/\/forbidden$/);
    await page.getByRole('heading', { name: 'Not allowed for your role' }).waitFor();
    await noSeriousViolations(page);
    // the operator still reads models and jobs
    await page.goto(`${server.url}/models`);
    await page.getByRole('link', { name: 'surface-classifier' }).waitFor();
    expect(await page.getByRole('button', { name: 'Upload model' }).count()).toBe(0);
    await page.goto(`${server.url}/jobs`);
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await noSeriousViolations(page);
    await ctx.close();
  });
});
