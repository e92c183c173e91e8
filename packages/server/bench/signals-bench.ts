/**
 * `npm run bench:signals`: what recording the monitoring signals adds to `POST /detect`.
 *
 * Starts two real servers (bench-server.ts, embedded SQLite, demo classifier), one with
 * signals on (the default) and one with `XQC_SIGNALS=off`, each in its own process and data
 * folder; only one is loaded at a time, so they do not compete. Then rounds drive `/detect`
 * with the 224 x 224 bench PNG: in each round, 1 client (latency: mean and p50) on one server
 * then on the other, and 8 clients (throughput) in the reverse order (A B B A), `seconds` each;
 * the first server of a round alternates from round to round, so load that drifts during the
 * run (the machine is shared) falls on both sides alike. Each round gives a ratio on / off;
 * the verdict is the median ratio over the rounds, printed with its spread (min, quartiles,
 * max) (the target: signals add at most 5 %, mean latency ratio <= 1.05 at 1 client and
 * throughput ratio >= 0.95 at 8 clients). Beside them, the server's CPU time per request at
 * 8 clients (every thread of the server process, from /proc), which a loaded machine blurs far
 * less than latency and throughput.
 *
 * `--aa` runs the same rounds with signals on in both servers (an A/A comparison): its ratios
 * show the noise floor of the machine and of the two-server design, against which the A/B
 * ratios are to be read. `--off-first` starts the off (B) server first instead of the on (A)
 * one: the first-started server has used more CPU per request in A/A runs, so a series of runs
 * alternates the order.
 *
 * Then, in this process, what the worker itself spends: the inference worker's ModelRunner
 * on the same image, `WORKER_RUNS` batches of one alternating signals on and off (median and
 * mean ms), which is the part of the difference the signals cause (no HTTP, no database, no
 * other process); `--no-worker` skips it. Prints the load average and time with the figures.
 * Usage: `npm run bench:signals [-- [seconds [rounds]] [--aa] [--off-first] [--no-worker]]`
 * (defaults 3 and 10): about 4 * rounds * seconds + 40 seconds.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
const FLAGS = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
const POSITIONAL = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const f of FLAGS) if (f !== '--aa' && f !== '--no-worker' && f !== '--off-first') throw new Error(`unknown flag ${f} (known: --aa, --no-worker, --off-first)`);
const DURATION_S = Number(POSITIONAL[0] ?? 3);
const ROUNDS = Number(POSITIONAL[1] ?? 10);
/** A/A: both servers record signals; the ratios are the noise floor. */
const AA = FLAGS.has('--aa');
/** Batches of one image per mode in the worker-side part. */
const WORKER_RUNS = 300;

interface Server {
  url: string;
  /** The server process, whose CPU time each load slice reads. */
  pid: number | undefined;
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
    pid: child.pid,
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
  /** Server CPU ms per stored request at 8 clients. */
  cpu8: number;
}

type Request = { headers: Record<string, string>; body: Buffer };

/** `seconds` of /detect at `connections` clients. */
async function load(server: Server, url: string, request: Request, connections: number, seconds: number): Promise<{ mean: number; p50: number; throughput: number; errors: number; cpuMs: number }> {
  const cpu0 = processCpuMs(server.pid);
  const r = await autocannon({ url, connections, duration: seconds, method: 'POST', headers: request.headers, body: request.body, timeout: 30 });
  const cpu1 = processCpuMs(server.pid);
  return { mean: r.latency.average, p50: r.latency.p50, throughput: r['2xx'] / (r.duration || seconds), errors: r.non2xx + r.errors, cpuMs: (cpu1 - cpu0) / Math.max(1, r['2xx']) };
}

/**
 * CPU time (user + system, every thread: event loop, inference worker, ONNX Runtime, libuv)
 * the process `pid` has used, ms, from /proc (Linux; NaN elsewhere). Unlike latency, the CPU a
 * request costs hardly depends on how many other processes share the cores, so its ratio
 * stays readable on a loaded machine. Resolution: one clock tick (10 ms) per slice.
 */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] and fields[12] are utime and stime (the 14th and 15th of the line), in ticks of 1/100 s
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** One round: 1 client on `first` then on the other, 8 clients on the other then on `first` (A B B A). */
async function round(servers: Record<'on' | 'off', Server>, urls: Record<'on' | 'off', string>, first: 'on' | 'off', request: Request, seconds: number): Promise<Record<'on' | 'off', Round>> {
  const second = first === 'on' ? 'off' : 'on';
  const one = { [first]: await load(servers[first], urls[first], request, 1, seconds), [second]: await load(servers[second], urls[second], request, 1, seconds) } as Record<'on' | 'off', Awaited<ReturnType<typeof load>>>;
  const eight = { [second]: await load(servers[second], urls[second], request, 8, seconds), [first]: await load(servers[first], urls[first], request, 8, seconds) } as Record<'on' | 'off', Awaited<ReturnType<typeof load>>>;
  const of = (m: 'on' | 'off'): Round => ({ mean: one[m].mean, p50: one[m].p50, throughput: eight[m].throughput, errors: one[m].errors + eight[m].errors, cpu8: eight[m].cpuMs });
  return { on: of('on'), off: of('off') };
}

/** The `q`-quantile of `xs` (linear interpolation between order statistics). */
const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (h - lo);
};

const median = (xs: readonly number[]): number => quantile(xs, 0.5);

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
  // In A/A mode the "off" server records signals too: the ratios measure the noise floor.
  // The server started first has used more CPU per request in A/A runs; --off-first swaps the start order.
  const offFirst = FLAGS.has('--off-first');
  const first = offFirst ? await startServer(dirs.off, secret, AA ? 'on' : 'off') : await startServer(dirs.on, secret, 'on');
  const second = offFirst ? await startServer(dirs.on, secret, 'on') : await startServer(dirs.off, secret, AA ? 'on' : 'off');
  const servers = offFirst ? { on: second, off: first } : { on: first, off: second };
  const urls = { on: `${servers.on.url}/api/xai-qc/detect?model=${MODEL}`, off: `${servers.off.url}/api/xai-qc/detect?model=${MODEL}` };
  const pairs: { on: Round; off: Round }[] = [];
  try {
    process.stderr.write('servers ready; warm-up\n');
    await round(servers, urls, 'on', request, 2);
    for (let r = 0; r < ROUNDS; r++) {
      pairs.push(await round(servers, urls, r % 2 === 0 ? 'on' : 'off', request, DURATION_S));
      process.stderr.write(`round ${r + 1} of ${ROUNDS} done\n`);
    }
  } finally {
    await Promise.all([servers.on.stop(), servers.off.stop()]);
    rmSync(dirs.on, { recursive: true, force: true });
    rmSync(dirs.off, { recursive: true, force: true });
  }
  const worker = FLAGS.has('--no-worker') ? undefined : await workerSide(png);
  const [nameA, nameB] = AA ? ['A', 'B'] : ['on', 'off'];
  const f2 = (v: number): string => v.toFixed(2);
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; started ${started}, load average (1 min) ${f2(loadBefore)} before, ${f2(loadavg()[0])} after`);
  console.log(`model: ${MODEL}; image: 224 x 224 PNG, ${png.length} bytes; ${ROUNDS} rounds (A B B A, alternating) of ${DURATION_S} s at 1 and at 8 clients`);
  console.log(AA ? 'A/A: both servers record signals (the noise floor); A and B below are the two servers' : 'A/B: signals on against XQC_SIGNALS=off');
  console.log(`started first: ${FLAGS.has('--off-first') ? nameB : nameA}\n`);
  console.log(`round | ${nameA} mean ms | ${nameB} mean ms | mean ${nameA}/${nameB} | ${nameA} p50 | ${nameB} p50 | ${nameA} req/s (8) | ${nameB} req/s (8) | req/s ${nameA}/${nameB} | errors`);
  pairs.forEach((p, i) => {
    console.log(
      `${String(i + 1).padStart(5)} | ${f2(p.on.mean).padStart(10)} | ${f2(p.off.mean).padStart(11)} | ${(p.on.mean / p.off.mean).toFixed(3).padStart(11)} | ${f2(p.on.p50).padStart(6)} | ${f2(p.off.p50).padStart(7)} | ${f2(p.on.throughput).padStart(12)} | ${f2(p.off.throughput).padStart(13)} | ${(p.on.throughput / p.off.throughput).toFixed(3).padStart(12)} | ${p.on.errors + p.off.errors}`,
    );
  });
  const latencies = pairs.map((p) => p.on.mean / p.off.mean);
  const throughputs = pairs.map((p) => p.on.throughput / p.off.throughput);
  const latency = median(latencies);
  const throughput = median(throughputs);
  const spread = (xs: readonly number[]): string => `min ${Math.min(...xs).toFixed(3)}, quartiles ${quantile(xs, 0.25).toFixed(3)} / ${quantile(xs, 0.75).toFixed(3)}, max ${Math.max(...xs).toFixed(3)}`;
  console.log(`\nmedian ratios: mean latency ${nameA}/${nameB} ${latency.toFixed(3)} (1 client; ${spread(latencies)})`);
  console.log(`               throughput ${nameA}/${nameB} ${throughput.toFixed(3)} (8 clients; ${spread(throughputs)})`);
  const cpus8 = pairs.map((p) => p.on.cpu8 / p.off.cpu8);
  console.log(
    `               server CPU per request ${nameA}/${nameB} ${median(cpus8).toFixed(3)} (8 clients; ${spread(cpus8)}); ` +
      `median ${f2(median(pairs.map((p) => p.on.cpu8)))} ms ${nameA}, ${f2(median(pairs.map((p) => p.off.cpu8)))} ms ${nameB}`,
  );
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  if (worker) {
    console.log(
      `worker side (ModelRunner, ${WORKER_RUNS} batches of one per mode): median ${f2(median(worker.on))} ms on, ${f2(median(worker.off))} ms off (+${f2(median(worker.on) - median(worker.off))} ms); ` +
        `mean ${f2(mean(worker.on))} on, ${f2(mean(worker.off))} off (+${f2(mean(worker.on) - mean(worker.off))} ms)`,
    );
  }
  if (AA) {
    console.log('A/A run: no verdict; a ratio away from 1.000 here is noise (or a difference between the two servers), and bounds what an A/B run can resolve');
    return;
  }
  console.log('target: signals add at most 5 %');
  console.log(`  1 client: mean latency ratio <= 1.05 ... ${latency.toFixed(3)} ${latency <= 1.05 ? 'met' : 'NOT met'}`);
  console.log(`  8 clients: throughput ratio >= 0.95 ..... ${throughput.toFixed(3)} ${throughput >= 0.95 ? 'met' : 'NOT met'}`);
}

await main();
