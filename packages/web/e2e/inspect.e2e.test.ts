/**
 * Inspect and the inspection page in a real browser against the real server: sign in,
 * inspect demo images with the anomaly model, the verdicts appear, a layer is switched off
 * and on and its opacity changed, the zoom stays when switching to the second image, the
 * inspection page opens with the viewer and its panels; no serious accessibility violation
 * on either page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiToken, formatViolations, launchBrowser, newContext, REPO, seriousA11yViolations, signIn, startServer } from './harness.ts';
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

const fixture = (name: string) => join(REPO, 'packages/web/e2e/fixtures', name);

/** The stage's CSS transform (the image's place and scale in the viewport). */
const stageTransform = (page: Page) => page.getByTestId('viewer-stage').evaluate((el) => (el as HTMLElement).style.transform);

describe('inspect', () => {
  it('inspects demo images, shows layers, keeps the zoom across images and opens the inspection', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, server);
    await page.goto(`${server.url}/inspect`);
    await page.getByRole('heading', { name: 'Inspect', exact: true }).waitFor();
    await page.getByTestId('inspect-dropzone').waitFor();
    expect(formatViolations(await seriousA11yViolations(page))).toBe('');

    // the anomaly model: every image gets an anomaly map layer
    await page.getByLabel('Model').selectOption('surface-anomaly');
    await page.getByTestId('inspect-files').setInputFiles([fixture('surface-crack.png'), fixture('surface-good.png')]);
    const items = page.getByTestId('inspect-item');
    await expect.poll(() => items.count()).toBe(2);
    await expect.poll(() => page.locator('[data-testid=inspect-item][data-status=done]').count(), { timeout: 60_000 }).toBe(2);
    expect(await page.getByTestId('inspect-counts').textContent()).toMatch(/2 of 2 done/);
    // the first result is selected and its verdict shown
    const verdict = page.getByTestId('inspect-verdict');
    await verdict.waitFor();
    expect(await verdict.textContent()).toMatch(/(Pass|Reject)/);
    expect(await items.first().getAttribute('aria-selected')).toBe('true');
    expect(await items.first().textContent()).toMatch(/surface-crack\.png(Pass|Reject)/);

    // the anomaly map layer: on by default, switched off and on, opacity 50 % -> 40 %
    const layer = page.getByTestId('layer-anomaly');
    const map = page.getByRole('img', { name: 'Anomaly map' });
    await map.waitFor();
    // the pixel under the pointer and the anomaly map's value there
    const box = (await page.getByTestId('viewer-viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => page.getByTestId('viewer-readout').textContent()).toMatch(/^x 6[34], y 6[34] \u00b7 anomaly [01]\.\d\d$/);
    const toggle = layer.getByRole('switch', { name: 'Anomaly map' });
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    await toggle.click();
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await expect.poll(() => map.count()).toBe(0);
    await toggle.click();
    await map.waitFor();
    const opacity = layer.getByRole('slider', { name: 'Anomaly map opacity' });
    expect(await opacity.getAttribute('aria-valuenow')).toBe('50');
    await opacity.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await opacity.getAttribute('aria-valuenow')).toBe('40');
    expect(await map.evaluate((el) => (el as HTMLElement).style.opacity)).toBe('0.4');
    // a colormap other than jet is drawn in the browser
    await layer.getByRole('combobox', { name: 'Anomaly map colormap' }).selectOption('viridis');
    await map.waitFor();

    // zoom in with the keyboard; the zoom and the place stay when the second image is selected
    const zoom = page.getByTestId('viewer-zoom');
    const fitZoom = await zoom.textContent();
    await page.getByTestId('viewer-viewport').focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.keyboard.press('ArrowRight');
    const zoomed = await zoom.textContent();
    expect(zoomed).not.toBe(fitZoom);
    const transform = await stageTransform(page);
    await page.getByTestId('inspect-list').focus();
    await page.keyboard.press('j');
    await expect.poll(() => items.nth(1).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.getByTestId('viewer-layers').isVisible()).toBe(true);
    await expect.poll(async () => (await page.getByTestId('image-viewer').getByRole('img', { name: /Inspected image/ }).getAttribute('alt')) ?? '').toMatch(/surface-good\.png/);
    expect(await zoom.textContent()).toBe(zoomed);
    expect(await stageTransform(page)).toBe(transform);
    // and the layer settings too
    expect(await page.getByTestId('layer-anomaly').getByRole('slider', { name: 'Anomaly map opacity' }).getAttribute('aria-valuenow')).toBe('40');
    // 0 fits the image again
    await page.getByTestId('viewer-viewport').focus();
    await page.keyboard.press('0');
    expect(await zoom.textContent()).toBe(fitZoom);
    expect(formatViolations(await seriousA11yViolations(page))).toBe('');

    // the inspection page of the selected result
    await page.getByRole('link', { name: 'Open inspection' }).click();
    await page.waitForURL(/\/inspections\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Inspection of surface-good.png' }).waitFor();
    await page.getByTestId('inspection-summary').waitFor();
    expect(await page.getByTestId('inspection-summary').textContent()).toMatch(/surface-anomaly/);
    await page.getByTestId('image-viewer').getByRole('img', { name: /Inspected image/ }).waitFor();
    await page.getByRole('img', { name: 'Anomaly map' }).waitFor();
    await page.getByRole('heading', { name: 'Explanations' }).waitFor();
    expect(formatViolations(await seriousA11yViolations(page))).toBe('');

    // back on Inspect the results are still there
    await page.goBack();
    await expect.poll(() => page.getByTestId('inspect-item').count()).toBe(2);
    expect(pageErrors).toEqual([]);
    await ctx.close();
  });

  it('shows a file the server refuses as a sentence and inspects the rest', async () => {
    const ctx = await newContext(browser, 'tablet');
    const page = await ctx.newPage();
    await signIn(page, server);
    await page.goto(`${server.url}/inspect`);
    await page.getByLabel('Model').selectOption('surface-segmenter');
    await page.getByTestId('inspect-files').setInputFiles([
      { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('this is not a png') },
      { name: 'surface-scratch.png', mimeType: 'image/png', buffer: readFileSync(fixture('surface-scratch.png')) },
    ]);
    await expect.poll(() => page.locator('[data-testid=inspect-item][data-status=done]').count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => page.locator('[data-testid=inspect-item][data-status=failed]').count(), { timeout: 60_000 }).toBe(1);
    const failed = page.locator('[data-testid=inspect-item][data-status=failed]');
    expect(await failed.textContent()).toMatch(/broken\.png.*Failed/);
    await failed.click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/not an image|not supported|cannot read/i);
    await alert.getByRole('button', { name: /Try broken\.png again/ }).waitFor();
    expect(formatViolations(await seriousA11yViolations(page))).toBe('');
    await ctx.close();
  });

  it('shows an explanation heatmap as a layer, as computed and in a colormap drawn in the browser', async () => {
    const ctx = await newContext(browser, 'desktop', { colorScheme: 'dark' });
    const page = await ctx.newPage();
    await signIn(page, server);
    await page.goto(`${server.url}/inspect`);
    await page.getByLabel('Model').selectOption('surface-classifier');
    await page.getByTestId('inspect-files').setInputFiles([fixture('surface-scratch.png')]);
    await page.getByTestId('inspect-verdict').waitFor();
    const id = (await page.getByRole('link', { name: 'Open inspection' }).getAttribute('href'))!.split('/').pop()!;
    // an explanation computed through the API (the explanation panel's own test covers the buttons)
    const r = await fetch(`${server.url}/api/xai-qc/explain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await apiToken(server)}` },
      body: JSON.stringify({ inspectionId: id, methods: ['saliency'] }),
    });
    expect(r.status).toBe(200);
    await page.goto(`${server.url}/inspections/${id}`);
    const layer = page.getByTestId('layer-heatmap');
    const method = layer.getByRole('combobox', { name: 'Heatmap method' });
    await method.waitFor();
    expect(await method.locator('option:checked').textContent()).toMatch(/^saliency/);
    await layer.getByRole('switch', { name: 'Heatmap' }).click();
    const heatmap = page.getByRole('img', { name: /^Heatmap: saliency/ });
    await heatmap.waitFor();
    expect(await heatmap.evaluate((el) => el.tagName)).toBe('IMG'); // the server's PNG
    await layer.getByRole('combobox', { name: 'Heatmap colormap' }).selectOption('inferno');
    await expect.poll(() => heatmap.evaluate((el) => el.tagName)).toBe('CANVAS'); // the .npy coloured here
    // the canvas holds the map's pixels, not a blank
    const colours = await heatmap.evaluate((el) => {
      const c = el as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
      return seen.size;
    });
    expect(colours).toBeGreaterThan(10);
    expect(formatViolations(await seriousA11yViolations(page))).toBe('');
    await ctx.close();
  });
});
