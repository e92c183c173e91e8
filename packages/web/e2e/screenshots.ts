/**
 * `npm run screenshots:web`: screenshots of every page of the web app at the desktop
 * (1440x900) and tablet (1024x768) sizes into docs/screenshots/, against the real server
 * (embedded mode, demo models) with a small record made through the API first: inspections
 * of the classifier, the segmenter and the anomaly model, reviews, an explanation. The user
 * guide (docs/user-guide.md) links them. Needs the app built (`npm run build:web`).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { apiToken, launchBrowser, newContext, REPO, signIn, startServer } from './harness.ts';
import type { E2eServer } from './harness.ts';

const OUT = join(REPO, 'docs/screenshots');
const FIX = (f: string) => join(REPO, 'packages/web/e2e/fixtures', f);
const FILES = ['surface-scratch.png', 'surface-good.png', 'surface-spot.png', 'surface-crack.png'];

async function call<T>(server: E2eServer, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${server.url}/api/xai-qc${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (r.status === 204 ? undefined : await r.json()) as T;
}

async function detect(server: E2eServer, token: string, model: string, file: string): Promise<{ id: string }> {
  const form = new FormData();
  form.append('image', new Blob([readFileSync(FIX(file))], { type: 'image/png' }), file);
  const r = await fetch(`${server.url}/api/xai-qc/detect?model=${model}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`detect ${model}: ${r.status} ${await r.text()}`);
  return (await r.json()) as { id: string };
}

/** Seeds a small record; returns ids of inspections to show. */
async function seed(server: E2eServer): Promise<{ classifier: string; anomaly: string; segmenter: string }> {
  const token = await apiToken(server);
  const ids: Record<string, string[]> = { 'surface-classifier': [], 'surface-anomaly': [], 'surface-segmenter': [] };
  for (let i = 0; i < 16; i++) for (const m of Object.keys(ids)) if (i < 8 || m === 'surface-classifier') ids[m]!.push((await detect(server, token, m, FILES[i % 4]!)).id);
  // reviews: the ground truth of the first classifier inspections (the fixture's label)
  const labels = ['defect', 'good', 'defect', 'defect']; // the fixtures: scratch, good, spot, crack
  for (let i = 0; i < 10; i++) {
    const label = labels[i % 4]!;
    await call(server, token, 'POST', `/inspections/${ids['surface-classifier']![i]}/reviews`, { verdict: label === 'good' ? 'pass' : 'reject', label, comment: 'seeded for the screenshots' });
  }
  await call(server, token, 'POST', '/explain', { inspectionId: ids['surface-classifier']![0], method: 'gradcam' }).catch(() => undefined);
  // a question asked about the segmenter's first inspection (its answer is shown on the inspection page)
  await call(server, token, 'POST', `/inspections/${ids['surface-segmenter']![0]}/questions`, { question: 'Where is the defect?' });
  // a monitor of the classifier with one stored result, and an alert rule
  const models = await call<{ items: { name: string; activeVersion: string | null }[] }>(server, token, 'GET', '/models');
  const version = models.items.find((m) => m.name === 'surface-classifier')?.activeVersion ?? '1.0.0';
  const monitor = await call<{ id: string }>(server, token, 'POST', '/monitors', {
    name: 'Line 1 surface classifier',
    model: { name: 'surface-classifier', version },
    reference: { kind: 'first', count: 8 },
    current: { kind: 'count', count: 8 },
    signals: ['brightness', 'contrast', 'sharpness', 'saturation', 'score', 'predictedClass'],
  });
  await call(server, token, 'POST', `/monitors/${monitor.id}/run`);
  for (let i = 0; i < 300; i++) {
    const r = await call<{ items: unknown[] }>(server, token, 'GET', `/monitors/${monitor.id}/results`);
    if (r.items.length > 0) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  await call(server, token, 'POST', '/alert-rules', { name: 'Escape rate above 2 %', metric: 'escapeRate', model: { name: 'surface-classifier' }, comparator: '>', threshold: 0.02, windowMinutes: 1440 });
  return { classifier: ids['surface-classifier']![0]!, anomaly: ids['surface-anomaly']![0]!, segmenter: ids['surface-segmenter']![0]! };
}

async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForTimeout(600);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startServer();
  // Chromium's fake camera, so the station page shows a live view
  const browser = await launchBrowser({ extraArgs: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'] });
  try {
    const ids = await seed(server);
    const pages: [string, string][] = [
      ['inspect', '/inspect'],
      ['inspection-classifier', `/inspections/${ids.classifier}`],
      ['inspection-segmenter', `/inspections/${ids.segmenter}`],
      ['inspection-anomaly', `/inspections/${ids.anomaly}`],
      ['history', '/history'],
      ['reviews', '/reviews'],
      ['dashboard', '/dashboard'],
      ['calibration', '/calibration'],
      ['thresholds', '/thresholds'],
      ['monitoring', '/monitoring'],
      ['models', '/models'],
      ['datasets', '/datasets'],
      ['runs', '/runs'],
      ['jobs', '/jobs'],
      ['reports', '/reports'],
      ['users', '/admin/users'],
      ['api-keys', '/admin/api-keys'],
      ['station', '/station'],
      ['knowledge', '/knowledge'],
    ];
    for (const size of ['desktop', 'tablet'] as const) {
      const ctx = await newContext(browser, size);
      const page = await ctx.newPage();
      await page.goto(`${server.url}/sign-in`);
      await settle(page);
      await page.screenshot({ path: join(OUT, `sign-in-${size}.png`) });
      await signIn(page, server);
      for (const [name, path] of pages) {
        await page.goto(`${server.url}${path}`);
        await settle(page);
        if (name === 'inspect') {
          const value = await page.locator('option', { hasText: 'surface-classifier' }).first().getAttribute('value');
          if (value !== null) await page.getByLabel('Model').selectOption(value);
          await page.locator('input[type=file]:not([webkitdirectory])').first().setInputFiles(FILES.map(FIX)).catch(() => undefined);
          await page.waitForTimeout(4000);
        }
        await page.screenshot({ path: join(OUT, `${name}-${size}.png`) });
        console.log(`${name}-${size}.png`);
      }
      await ctx.close();
    }
    const dark = await newContext(browser, 'desktop', { colorScheme: 'dark' });
    const page = await dark.newPage();
    await signIn(page, server);
    for (const [name, path] of [['inspection-classifier', `/inspections/${ids.classifier}`], ['dashboard', '/dashboard']] as const) {
      await page.goto(`${server.url}${path}`);
      await settle(page);
      await page.screenshot({ path: join(OUT, `${name}-desktop-dark.png`) });
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
