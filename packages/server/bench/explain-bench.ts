/**
 * Explanation latency through the API against the core, per fast method, in one run.
 *
 * {@link benchExplain} starts nothing: given the base URL of a running server (API prefix
 * included) and an operator token, it stores one inspection of the image (`POST /detect`),
 * then for each method asks `POST /explain` `repeats` times with a fresh seed each time (the
 * seed is part of the stored key, so every ask computes: nothing is answered from the store)
 * and times the round trip. In this process it times the core's `explainImage` for the same
 * method, image (decoded as the server decodes it) and seeds, one call at a time. The first
 * ask of each side is a warm-up (thread start, session compile) and is not counted.
 *
 * What the API adds on top of `explainImage`: HTTP, checks, reading the inspection and its
 * image, the hop to the explain thread and back, decoding, rendering the .npy and PNGs, and
 * the storing transaction. Target (issue 14): at most 10 % or 20 ms more, whichever is larger.
 *
 * Run on its own (`tsx packages/server/bench/explain-bench.ts [repeats]`) it starts the bench
 * server (bench-server.ts) in a child process, as api-bench.ts does, and prints the table.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeImageWithFormat, explainImage, Predictor } from '@xai-qc/core';
import { SignJWT } from 'jose';
import { multipartBody } from '../src/routes/inspections.test-helpers.ts';
import { EXPLAIN_MAX_SIDE } from '../src/services/explanation.service.ts';
import { benchImage } from './bench-image.ts';

/** Options of {@link benchExplain}. */
export interface ExplainBenchOptions {
  /** e.g. `http://127.0.0.1:8080/api/xai-qc`. */
  baseUrl: string;
  /** Bearer token of an operator (or stronger). */
  token: string;
  /** Encoded image to inspect and explain. */
  image: Uint8Array;
  /** Registered model name the server runs (default surface-classifier). */
  model?: string;
  /** The same model's folder for the core side (default the repository's models/<model>). */
  modelDir?: string;
  /** Methods to time (default the four fast ones). */
  methods?: readonly string[];
  /** Counted asks per method and side (default 10), after one warm-up. */
  repeats?: number;
}

/** One method's figures, ms. */
export interface ExplainBenchRow {
  method: string;
  repeats: number;
  apiP50: number;
  apiMean: number;
  coreP50: number;
  coreMean: number;
  /** apiP50 - coreP50. */
  addedP50: number;
  /** max(0.1 * coreP50, 20). */
  allowed: number;
  met: boolean;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** See the module comment. */
export async function benchExplain(options: ExplainBenchOptions): Promise<ExplainBenchRow[]> {
  const model = options.model ?? 'surface-classifier';
  const modelDir = options.modelDir ?? fileURLToPath(new URL(`../../../models/${model}/`, import.meta.url));
  const methods = options.methods ?? ['gradcam', 'gradcampp', 'saliency', 'gradxinput'];
  const repeats = options.repeats ?? 10;
  const auth = { authorization: `Bearer ${options.token}` };

  const form = multipartBody([{ filename: 'bench.png', bytes: options.image }]);
  const detect = await fetch(`${options.baseUrl}/detect?model=${encodeURIComponent(model)}`, { method: 'POST', headers: { ...form.headers, ...auth }, body: form.payload });
  if (detect.status !== 201) throw new Error(`POST /detect answered ${detect.status}: ${await detect.text()}`);
  const inspectionId = ((await detect.json()) as { id: string }).id;

  const predictor = await Predictor.load(join(modelDir, 'model.onnx'));
  const { image } = await decodeImageWithFormat(options.image, { maxSide: EXPLAIN_MAX_SIDE });

  const rows: ExplainBenchRow[] = [];
  let seed = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  for (const method of methods) {
    const api: number[] = [];
    const core: number[] = [];
    for (let i = 0; i <= repeats; i++) {
      seed++;
      const t0 = performance.now();
      const res = await fetch(`${options.baseUrl}/explain`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ inspectionId, methods: [method], seed }) });
      const body = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`POST /explain ${method} answered ${res.status} (expected an inline 200): ${body}`);
      const t1 = performance.now();
      await explainImage(predictor, image, { methods: [method], seed });
      const coreMs = performance.now() - t1;
      if (i > 0) {
        api.push(ms);
        core.push(coreMs);
      }
    }
    const apiP50 = median(api);
    const coreP50 = median(core);
    const allowed = Math.max(0.1 * coreP50, 20);
    rows.push({ method, repeats, apiP50, apiMean: mean(api), coreP50, coreMean: mean(core), addedP50: apiP50 - coreP50, allowed, met: apiP50 - coreP50 <= allowed });
  }
  return rows;
}

/** The rows as a text table. */
export function formatExplainBench(rows: readonly ExplainBenchRow[]): string {
  const f = (v: number): string => v.toFixed(1).padStart(8);
  const lines = ['method       repeats  API p50  core p50    added  allowed  met', ...rows.map((r) => `${r.method.padEnd(12)} ${String(r.repeats).padStart(7)} ${f(r.apiP50)} ${f(r.coreP50)} ${f(r.addedP50)} ${f(r.allowed)}  ${r.met ? 'yes' : 'no'}`)];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const repeats = Number(process.argv[2] ?? 10);
  const issuer = 'https://bench.supabase.co/auth/v1';
  const model = 'surface-classifier';
  const dataDir = mkdtempSync(join(tmpdir(), 'xqc-bench-explain-'));
  const secret = randomBytes(32).toString('hex');
  const script = fileURLToPath(new URL('./bench-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, secret, issuer, model], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the bench server did not start within 180 s')), 180_000);
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('READY ')) {
          clearTimeout(timer);
          resolve(line.slice(6).split(' ')[0]);
        }
      });
      child.on('exit', (code) => reject(new Error(`the bench server exited with code ${code}`)));
    });
    const token = await new SignJWT({ app_metadata: { role: 'operator', account_id: 'bench' } })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer)
      .setAudience('authenticated')
      .setSubject('bench')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    const rows = await benchExplain({ baseUrl: `${url}/api/xai-qc`, token, image: await benchImage(), model, repeats });
    process.stdout.write(`explanation latency, 224 x 224 PNG, ${model}, ${repeats} asks per method after one warm-up (ms)\n${formatExplainBench(rows)}\n`);
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
