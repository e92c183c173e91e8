/**
 * `npm run bench:signals`: what recording the monitoring signals adds to `POST /detect`.
 *
 * Starts two real servers (bench-server.ts, embedded SQLite, demo classifier), one with
 * signals on (the default) and one with `XQC_SIGNALS=off`, each in its own process and data
 * folder; only one is loaded at a time, so they do not compete. Then alternating rounds
 * (on, off, off, on, ... so neither side always goes first) drive `/detect` with the
 * 224 x 224 bench PNG at 1 client (latency: mean and p50) and at 8 clients (throughput),
 * `DURATION_S` seconds each. Each pair of rounds gives a ratio on / off; the verdict is the
 * median ratio over the rounds (the target: signals add at most 5 %, mean latency ratio
 * <= 1.05 at 1 client and throughput ratio >= 0.95 at 8 clients). Then, in this process,
 * what the worker itself spends: the inference worker's ModelRunner on the same image,
 * `WORKER_RUNS` batches of one alternating signals on and off (median and mean ms), which
 * is the part of the difference the signals cause (no HTTP, no database, no other process).
 * Prints the load average and time with the figures. Usage:
 * `npm run bench:signals [-- seconds [rounds]]` (defaults 5 and 6): about
 * 4 * rounds * seconds + 40 seconds.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseModelCardYaml } from '@xai-qc/core';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import { ModelRunner } from '../src/inference/model-runner.ts';
import { multipartBody } from '../src/routes/inspections.test-helpers.ts';
import { benchImage } from './bench-image.ts';

const MODEL = 'surface-classifier';
const ISSUER = 'https://bench.supabase.co/auth/v1';
const DURATION_S = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.argv[3] ?? 6);
/** Batches of one image per mode in the worker-side part. */
const WORKER_RUNS = 300;

interface Server {
  url: string;
  stop(): Promise<void>;
}

/** Starts bench-server.ts with signals `on` or `off` and waits for its READY line. */
async function startServer(dataDir: string, secret: string, signals: 'on' | 'off'): Promise<Server> {
  const script = fileURLToPath(new URL('./bench-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, secret, ISSUER, MODEL, signals], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench server did not start within 180 s')), 180_000);
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolve(line.slice(6));
      }
    });
    child.on('exit', (code) => reject(new Error(`the bench server exited with code ${code}`)));
  });
  return {
    url: ready.slice(0, ready.indexOf(' ')),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface Round {
  mean: number;
  p50: number;
  throughput: number;
  errors: number;
}

async function round(url: string, request: { headers: Record<string, string>; body: Buffer }, seconds: number): Promise<Round> {
  const one = await autocannon({ url, connections: 1, duration: seconds, method: 'POST', headers: request.headers, body: request.body, timeout: 30 });
  const eight = await autocannon({ url, connections: 8, duration: seconds, method: 'POST', headers: request.headers, body: request.body, timeout: 30 });
  return { mean: one.latency.average, p50: one.latency.p50, throughput: eight['2xx'] / (eight.duration || seconds), errors: one.non2xx + one.errors + eight.non2xx + eight.errors };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The inference worker's runner in this process: `WORKER_RUNS` batches per mode, alternating, after a warm-up. */
async function workerSide(png: Uint8Array): Promise<Record<'on' | 'off', number[]>> {
  const dir = fileURLToPath(new URL(`../../../models/${MODEL}/`, import.meta.url));
  const card = parseModelCardYaml(readFileSync(join(dir, 'model_card.yaml'), 'utf8'));
  const runner = await ModelRunner.load({ key: MODEL, card, runner: 'onnx', path: join(dir, 'model.onnx') }, { intraOpThreads: availableParallelism(), interOpThreads: 1 });
  for (let i = 0; i < 50; i++) await runner.detect([png], { maxPixels: 40e6, signals: i % 2 === 0 });
  const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
  for (let r = 0; r < 2 * WORKER_RUNS; r++) {
    const mode = r % 2 === 0 ? 'on' : 'off';
    const t0 = performance.now();
    await runner.detect([png], { maxPixels: 40e6, signals: mode === 'on' });
    times[mode].push(performance.now() - t0);
  }
  return times;
}

async function main(): Promise<void> {
  const secret = randomBytes(32).toString('hex');
  const token = await new SignJWT({ app_metadata: { role: 'operator', account_id: 'bench' } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience('authenticated')
    .setSubject('bench-client')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
  const png = await benchImage();
  const body = multipartBody([{ filename: 'surface.png', bytes: png, type: 'image/png' }]);
  const request = { headers: { ...body.headers, authorization: `Bearer ${token}` }, body: body.payload };
  const dirs = { on: mkdtempSync(join(tmpdir(), 'xqc-bench-sig-on-')), off: mkdtempSync(join(tmpdir(), 'xqc-bench-sig-off-')) };
  const loadBefore = loadavg()[0];
  const started = new Date().toISOString();
  const servers = { on: await startServer(dirs.on, secret, 'on'), off: await startServer(dirs.off, secret, 'off') };
  const url = (mode: 'on' | 'off'): string => `${servers[mode].url}/api/xai-qc/detect?model=${MODEL}`;
  const pairs: { on: Round; off: Round }[] = [];
  try {
    for (const mode of ['on', 'off'] as const) await round(url(mode), request, 2);
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      const got: Partial<Record<'on' | 'off', Round>> = {};
      for (const mode of order) got[mode] = await round(url(mode), request, DURATION_S);
      pairs.push(got as { on: Round; off: Round });
    }
  } finally {
    await Promise.all([servers.on.stop(), servers.off.stop()]);
    rmSync(dirs.on, { recursive: true, force: true });
    rmSync(dirs.off, { recursive: true, force: true });
  }
  const worker = await workerSide(png);
  const f2 = (v: number): string => v.toFixed(2);
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; started ${started}, load average (1 min) ${f2(loadBefore)} before, ${f2(loadavg()[0])} after`);
  console.log(`model: ${MODEL}; image: 224 x 224 PNG, ${png.length} bytes; ${ROUNDS} alternating rounds of ${DURATION_S} s at 1 and at 8 clients\n`);
  console.log('round | on mean ms | off mean ms | mean on/off | on p50 | off p50 | on req/s (8) | off req/s (8) | req/s on/off | errors');
  pairs.forEach((p, i) => {
    console.log(
      `${String(i + 1).padStart(5)} | ${f2(p.on.mean).padStart(10)} | ${f2(p.off.mean).padStart(11)} | ${(p.on.mean / p.off.mean).toFixed(3).padStart(11)} | ${f2(p.on.p50).padStart(6)} | ${f2(p.off.p50).padStart(7)} | ${f2(p.on.throughput).padStart(12)} | ${f2(p.off.throughput).padStart(13)} | ${(p.on.throughput / p.off.throughput).toFixed(3).padStart(12)} | ${p.on.errors + p.off.errors}`,
    );
  });
  const latency = median(pairs.map((p) => p.on.mean / p.off.mean));
  const throughput = median(pairs.map((p) => p.on.throughput / p.off.throughput));
  console.log(`\nmedian ratios: mean latency on/off ${latency.toFixed(3)} (1 client), throughput on/off ${throughput.toFixed(3)} (8 clients)`);
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `worker side (ModelRunner, ${WORKER_RUNS} batches of one per mode): median ${f2(median(worker.on))} ms on, ${f2(median(worker.off))} ms off (+${f2(median(worker.on) - median(worker.off))} ms); ` +
      `mean ${f2(mean(worker.on))} on, ${f2(mean(worker.off))} off (+${f2(mean(worker.on) - mean(worker.off))} ms)`,
  );
  console.log('target: signals add at most 5 %');
  console.log(`  1 client: mean latency ratio <= 1.05 ... ${latency.toFixed(3)} ${latency <= 1.05 ? 'met' : 'NOT met'}`);
  console.log(`  8 clients: throughput ratio >= 0.95 ..... ${throughput.toFixed(3)} ${throughput >= 0.95 ? 'met' : 'NOT met'}`);
}

await main();
