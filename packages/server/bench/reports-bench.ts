/**
 * `npm run bench:reports`: wall time and peak memory of rendering a report of 1,000
 * inspections, as a PDF and as an Excel workbook.
 *
 * Seeding (this process, not measured): an app on a fresh SQLite data folder, the demo
 * classifier (models/surface-classifier), 1,000 generated 256 x 256 images run through
 * `POST /detect/batch` (so rows, findings and blobs are the real ones; their `created_at` is
 * then spread over the last 14 days with an UPDATE, so the charts have periods), 800 of them
 * reviewed through `POST /inspections/{id}/reviews`, and the 3 newest explained with
 * gradcam and saliency through `POST /explain` (stored heatmaps and their aggregate).
 *
 * Measuring: for each format a child process (this file with `--child`) opens the same data
 * folder and runs the `report.render` job's work (services/report-render.ts: metrics,
 * calibration, rendering, storing the file blob and the reports row). It prints the render's
 * wall time and `process.resourceUsage().maxRSS` (the child's peak resident memory, which
 * includes the app itself; its RSS before rendering is printed too).
 * Targets: under 60 s and under 1 GiB for each format.
 * Usage: `npm run bench:reports [-- inspections [pdfOut]]` (default 1000; pdfOut: keep the PDF there).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng } from '@xai-qc/core';
import { buildApp } from '../src/app.ts';
import type { App } from '../src/app.ts';
import { testConfig } from '../src/config/load-config.ts';
import { registerModelFolder, multipartBody } from '../src/routes/inspections.test-helpers.ts';
import type { Inspection } from '../src/schemas/inspection.schema.ts';
import { renderReport } from '../src/services/report-render.ts';
import { bearer, TEST_AUTH_ENV } from '../src/test/test-tokens.ts';

const API = '/api/xai-qc';
const ACCOUNT = 'acct-bench';
const SELF = fileURLToPath(import.meta.url);
const MODEL_DIR = fileURLToPath(new URL('../../../models/surface-classifier', import.meta.url));
const SIDE = 256;

async function openApp(dataDir: string): Promise<App> {
  const app = await buildApp(testConfig(dataDir, { jobConcurrency: 0, blobSweepIntervalMs: 0 }, TEST_AUTH_ENV), { logger: false });
  await app.ready();
  return app;
}

/** A SIDE x SIDE RGB PNG: a texture from `seed`, with a dark blob when `spot`. */
async function png(seed: number, spot: boolean): Promise<Uint8Array> {
  const data = new Uint8Array(SIDE * SIDE * 3);
  let s = seed + 1;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 110 + ((s >>> 16) % 50);
  }
  const y0 = 60 + (seed % 60);
  if (spot) for (let y = y0; y < y0 + 64; y++) for (let x = 70; x < 160; x++) data.fill(10, (y * SIDE + x) * 3, (y * SIDE + x) * 3 + 3);
  return encodePng({ width: SIDE, height: SIDE, channels: 3, data });
}

async function seed(dataDir: string, n: number): Promise<void> {
  const app = await openApp(dataDir);
  try {
    await registerModelFolder(app, MODEL_DIR, 'surface-classifier');
    const operator = await bearer('operator', ACCOUNT);
    const inspections: Inspection[] = [];
    for (let b = 0; b < n; b += 16) {
      const files = [];
      for (let i = b; i < Math.min(n, b + 16); i++) files.push({ filename: `part-${i}.png`, bytes: await png(i, i % 3 === 0) });
      const body = multipartBody(files);
      const res = await app.inject({ method: 'POST', url: `${API}/detect/batch?model=surface-classifier`, payload: body.payload, headers: { ...body.headers, ...operator } });
      if (res.statusCode !== 200) throw new Error(`detect: ${res.statusCode} ${res.body}`);
      for (const item of res.json<{ items: { inspection?: Inspection }[] }>().items) inspections.push(item.inspection as Inspection);
    }
    // Spread over the last 14 days (order kept), so that the charts have periods to show.
    const now = Date.now();
    for (let i = 0; i < inspections.length; i++) {
      const at = new Date(now - ((inspections.length - 1 - i) / inspections.length) * 14 * 86_400_000).toISOString();
      await app.db.updateTable('inspections').set({ created_at: at }).where('id', '=', inspections[i].id).execute();
    }
    for (let i = 0; i < inspections.length; i++) {
      if (i % 5 === 4) continue;
      const insp = inspections[i];
      const verdict = (i % 3 === 0) !== (i % 7 === 1) ? 'reject' : 'pass';
      const label = insp.verdict === verdict ? insp.label : verdict === 'reject' ? insp.labels.find((l) => l !== 'good') : 'good';
      const res = await app.inject({ method: 'POST', url: `${API}/inspections/${insp.id}/reviews`, payload: { verdict, label }, headers: operator });
      if (res.statusCode !== 201) throw new Error(`review: ${res.statusCode} ${res.body}`);
    }
    for (const insp of inspections.slice(-3)) {
      const res = await app.inject({ method: 'POST', url: `${API}/explain`, payload: { inspectionId: insp.id, methods: ['gradcam', 'saliency'] }, headers: operator });
      if (res.statusCode !== 200) throw new Error(`explain: ${res.statusCode} ${res.body}`);
    }
  } finally {
    await app.close();
  }
}

/** Child: renders one report and prints its figures as one JSON line. */
async function child(dataDir: string, format: 'pdf' | 'xlsx', pdfOut: string | undefined): Promise<void> {
  const app = await openApp(dataDir);
  const rssBeforeMiB = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  const reportId = crypto.randomUUID();
  const result = await renderReport(
    { db: app.db, blobs: app.blobs, registry: app.modelRegistry, publicUrl: 'http://127.0.0.1:8080' },
    { id: crypto.randomUUID(), accountId: ACCOUNT },
    { reportId, format, title: 'Benchmark report', createdBy: 'bench' },
    async () => undefined,
  );
  const wallS = (performance.now() - started) / 1000;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  if (pdfOut && format === 'pdf') {
    const row = await app.db.selectFrom('reports').select('file_sha256').where('id', '=', reportId).executeTakeFirstOrThrow();
    writeFileSync(pdfOut, (await app.blobs.get(row.file_sha256)).bytes);
  }
  await app.close();
  console.log(JSON.stringify({ format, wallS, maxRssMiB, rssBeforeMiB, size: result.size, pages: result.pages, inspections: result.inspections }));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3], process.argv[4] as 'pdf' | 'xlsx', process.argv[5]);
    return;
  }
  const n = Number(process.argv[2] ?? 1000);
  const pdfOut = process.argv[3];
  const dataDir = mkdtempSync(join(tmpdir(), 'xqc-report-bench-'));
  try {
    const t0 = performance.now();
    await seed(dataDir, n);
    console.log(`seeded ${n} inspections in ${((performance.now() - t0) / 1000).toFixed(1)} s (not measured)`);
    console.log(`load average before rendering (1, 5, 15 min): ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
    for (const format of ['pdf', 'xlsx'] as const) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', dataDir, format, ...(pdfOut ? [pdfOut] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (run.status !== 0) throw new Error(`${format} child exited with ${run.status}`);
      const r = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { wallS: number; maxRssMiB: number; rssBeforeMiB: number; size: number; pages: number | null; inspections: number };
      const ok = r.wallS < 60 && r.maxRssMiB < 1024;
      console.log(
        `${format}: ${r.inspections} inspections, ${(r.size / 2 ** 20).toFixed(1)} MiB${r.pages === null ? '' : `, ${r.pages} pages`}; render ${r.wallS.toFixed(1)} s; peak RSS ${r.maxRssMiB.toFixed(0)} MiB (app before rendering ${r.rssBeforeMiB.toFixed(0)} MiB); targets < 60 s and < 1024 MiB: ${ok ? 'met' : 'MISSED'}`,
      );
    }
    console.log(`load average after (1, 5, 15 min): ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
