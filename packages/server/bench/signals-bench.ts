/**
 * `npm run bench:signals`: what recording the monitoring signals adds to `POST /detect`.
 *
 * Starts four real servers (bench-server.ts, embedded SQLite, demo classifier), two with
 * signals on (the default) and two with `XQC_SIGNALS=off`, each in its own process and data
 * folder, in the order on, off, off, on: the first-started server of a pair has used more CPU
 * per request in A/A runs (a start-order bias of up to 10 %), and with two servers per side
 * in A B B A order that bias falls on both sides alike. Only one server is loaded at a time,
 * so they do not compete. Then rounds drive `/detect` with the 224 x 224 bench PNG: in each
 * round, 1 client (latency: mean and p50) on each server, then 8 clients (throughput) on each
 * in the reverse order, `seconds` each; the visiting order rotates from round to round, so
 * load that drifts during the run (the machine is shared) falls on both sides alike. Each
 * side's figure in a round is the mean of its two servers; each round gives a ratio on / off;
 * the verdict is the median ratio over the rounds, printed with its spread (min, quartiles,
 * max) (the target: signals add at most 5 %, mean latency ratio <= 1.05 at 1 client and
 * throughput ratio >= 0.95 at 8 clients). Beside them, the server's CPU time per request at
 * 8 clients (every thread of the server process, from /proc), which a loaded machine blurs far
 * less than latency and throughput.
 *
 * `--aa` runs the same rounds with signals on in all four servers (an A/A comparison): its
 * ratios show the noise floor of the machine and of the design, against which the A/B ratios
 * are to be read. `--off-first` starts the servers in the order off, on, on, off.
 * `--latency-only` drops the 8-client loads, so the same time buys twice the 1-client rounds
 * (issue 17's bar is on latency). Each median ratio is printed with a 95 % bootstrap interval
 * (2000 resamples of the rounds, seeded), which says how far the median of that many rounds can
 * be trusted.
 *
 * Then, in this process, what the worker itself spends: the inference worker's ModelRunner
 * on the same image, `WORKER_RUNS` batches of one alternating signals on and off (median and
 * mean ms), which is the part of the difference the signals cause (no HTTP, no database, no
 * other process); `--no-worker` skips it. Prints the load average and time with the figures.
 * Usage: `npm run bench:signals [-- [seconds [rounds]] [--aa] [--off-first] [--no-worker] [--latency-only]]`
 * (defaults 3 and 10): about 8 * rounds * seconds + 60 seconds (4 * with `--latency-only`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelCardYaml } from '@xai-qc/core';
import autocannon from 'autocannon';
import { ModelRunner } from '../src/inference/model-runner.ts';
import { multipartBody } from '../src/routes/inspections.test-helpers.ts';
import { benchImage } from './bench-image.ts';
import { benchToken, startBenchServer } from './bench-process.ts';

const MODEL = 'surface-classifier';
const ISSUER = 'https://bench.supabase.co/auth/v1';
const FLAGS = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
const POSITIONAL = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const KNOWN_FLAGS = ['--aa', '--no-worker', '--off-first', '--latency-only'];
for (const f of FLAGS) if (!KNOWN_FLAGS.includes(f)) throw new Error(`unknown flag ${f} (known: ${KNOWN_FLAGS.join(', ')})`);
const DURATION_S = Number(POSITIONAL[0] ?? 3);
const ROUNDS = Number(POSITIONAL[1] ?? 10);
/** A/A: both servers record signals; the ratios are the noise floor. */
const AA = FLAGS.has('--aa');
/** 1-client rounds only. */
const LATENCY_ONLY = FLAGS.has('--latency-only');
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
  return startBenchServer([dataDir, secret, ISSUER, MODEL, signals]);
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

type Side = 'on' | 'off';

/** A running server of one side. */
interface Member {
  side: Side;
  server: Server;
  url: string;
}

/** Sums of the loads of one side's two servers in one round. */
function sideRound(results: readonly { side: Side; one: Awaited<ReturnType<typeof load>>; eight: Awaited<ReturnType<typeof load>> | undefined }[], side: Side): Round {
  const mine = results.filter((r) => r.side === side);
  const avg = (f: (r: (typeof mine)[number]) => number): number => mine.reduce((a, r) => a + f(r), 0) / mine.length;
  return {
    mean: avg((r) => r.one.mean),
    p50: avg((r) => r.one.p50),
    throughput: avg((r) => r.eight?.throughput ?? Number.NaN),
    errors: mine.reduce((a, r) => a + r.one.errors + (r.eight?.errors ?? 0), 0),
    cpu8: avg((r) => r.eight?.cpuMs ?? Number.NaN),
  };
}

/**
 * One round over the four servers (two per side): 1 client on each in the order of
 * `members` rotated by `shift`, then (unless `--latency-only`) 8 clients on each in the reverse
 * order; each side's figures are the means over its two servers.
 */
async function round(members: readonly Member[], shift: number, request: Request, seconds: number): Promise<Record<Side, Round>> {
  const order = members.map((_, i) => members[(i + shift) % members.length]);
  const one = new Map<Member, Awaited<ReturnType<typeof load>>>();
  for (const m of order) one.set(m, await load(m.server, m.url, request, 1, seconds));
  const eight = new Map<Member, Awaited<ReturnType<typeof load>>>();
  if (!LATENCY_ONLY) for (const m of [...order].reverse()) eight.set(m, await load(m.server, m.url, request, 8, seconds));
  const results = members.map((m) => ({ side: m.side, one: one.get(m)!, eight: eight.get(m) }));
  return { on: sideRound(results, 'on'), off: sideRound(results, 'off') };
}

/** The `q`-quantile of `xs` (linear interpolation between order statistics). */
const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (h - lo);
};

const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/**
 * A 95 % percentile-bootstrap interval of the median of `xs`: 2000 resamples of the rounds with
 * replacement (a seeded linear congruential generator, so a rerun of the same figures prints the
 * same interval).
 */
function medianInterval(xs: readonly number[]): [number, number] {
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const medians: number[] = [];
  for (let b = 0; b < 2000; b++) medians.push(median(xs.map(() => xs[Math.floor(next() * xs.length)])));
  return [quantile(medians, 0.025), quantile(medians, 0.975)];
}

/** The inference worker's runner in this process: `WORKER_RUNS` batches per mode, alternating, after a warm-up. */
async function workerSide(png: Uint8Array): Promise<Record<'on' | 'off', number[]>> {
  const dir = fileURLToPath(new URL(`../../../models/${MODEL}/`, import.meta.url));
  const card = parseModelCardYaml(readFileSync(join(dir, 'model_card.yaml'), 'utf8'));
  const runner = await ModelRunner.load({ key: MODEL, card, runner: 'onnx', path: join(dir, 'model.onnx') }, { intraOpThreads: availableParallelism(), interOpThreads: 1, spinning: false });
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
  const token = await benchToken(secret, ISSUER);
  const png = await benchImage();
  const body = multipartBody([{ filename: 'surface.png', bytes: png, type: 'image/png' }]);
  const request = { headers: { ...body.headers, authorization: `Bearer ${token}` }, body: body.payload };
  const loadBefore = loadavg()[0];
  const started = new Date().toISOString();
  // Four servers started in the order A B B A (on, off, off, on; --off-first: off, on, on,
  // off), so that whatever depends on the start order (the first-started server has used more
  // CPU per request in A/A runs) falls on both sides alike. In A/A mode the "off" servers
  // record signals too: the ratios measure the noise floor.
  const offFirst = FLAGS.has('--off-first');
  const sides: Side[] = offFirst ? ['off', 'on', 'on', 'off'] : ['on', 'off', 'off', 'on'];
  const dirs: string[] = [];
  const members: Member[] = [];
  try {
    for (const side of sides) {
      const dir = mkdtempSync(join(tmpdir(), `xqc-bench-sig-${side}-`));
      dirs.push(dir);
      const server = await startServer(dir, secret, side === 'on' || AA ? 'on' : 'off');
      members.push({ side, server, url: `${server.url}/api/xai-qc/detect?model=${MODEL}` });
    }
  } catch (e) {
    await Promise.all(members.map((m) => m.server.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    throw e;
  }
  const pairs: { on: Round; off: Round }[] = [];
  try {
    process.stderr.write('servers ready; warm-up\n');
    await round(members, 0, request, 2);
    for (let r = 0; r < ROUNDS; r++) {
      pairs.push(await round(members, r % members.length, request, DURATION_S));
      process.stderr.write(`round ${r + 1} of ${ROUNDS} done\n`);
    }
  } finally {
    await Promise.all(members.map((m) => m.server.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  const worker = FLAGS.has('--no-worker') ? undefined : await workerSide(png);
  const [nameA, nameB] = AA ? ['A', 'B'] : ['on', 'off'];
  const f2 = (v: number): string => v.toFixed(2);
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; started ${started}, load average (1 min) ${f2(loadBefore)} before, ${f2(loadavg()[0])} after`);
  console.log(`model: ${MODEL}; image: 224 x 224 PNG, ${png.length} bytes; ${ROUNDS} rounds of ${DURATION_S} s at 1${LATENCY_ONLY ? '' : ' and at 8'} client(s) over four servers (two per side, started ${sides.map((x) => (x === 'on' ? nameA : nameB)).join(' ')}; the visiting order rotates from round to round; each side's figure is the mean of its two servers)`);
  console.log(AA ? 'A/A: every server records signals (the noise floor); A and B below are the two pairs of servers' : 'A/B: signals on against XQC_SIGNALS=off');
  console.log('');
  const eightHead = LATENCY_ONLY ? '' : ` | ${nameA} req/s (8) | ${nameB} req/s (8) | req/s ${nameA}/${nameB}`;
  console.log(`round | ${nameA} mean ms | ${nameB} mean ms | mean ${nameA}/${nameB} | ${nameA} p50 | ${nameB} p50${eightHead} | errors`);
  pairs.forEach((p, i) => {
    const eight = LATENCY_ONLY ? '' : ` | ${f2(p.on.throughput).padStart(12)} | ${f2(p.off.throughput).padStart(13)} | ${(p.on.throughput / p.off.throughput).toFixed(3).padStart(12)}`;
    console.log(
      `${String(i + 1).padStart(5)} | ${f2(p.on.mean).padStart(10)} | ${f2(p.off.mean).padStart(11)} | ${(p.on.mean / p.off.mean).toFixed(3).padStart(11)} | ${f2(p.on.p50).padStart(6)} | ${f2(p.off.p50).padStart(7)}${eight} | ${p.on.errors + p.off.errors}`,
    );
  });
  const latencies = pairs.map((p) => p.on.mean / p.off.mean);
  const throughputs = pairs.map((p) => p.on.throughput / p.off.throughput);
  const latency = median(latencies);
  const throughput = median(throughputs);
  const spread = (xs: readonly number[]): string => {
    const [lo, hi] = medianInterval(xs);
    return `95 % interval of the median ${lo.toFixed(3)} / ${hi.toFixed(3)}; min ${Math.min(...xs).toFixed(3)}, quartiles ${quantile(xs, 0.25).toFixed(3)} / ${quantile(xs, 0.75).toFixed(3)}, max ${Math.max(...xs).toFixed(3)}`;
  };
  console.log(`\nmedian ratios: mean latency ${nameA}/${nameB} ${latency.toFixed(3)} (1 client; ${spread(latencies)})`);
  const cpus8 = pairs.map((p) => p.on.cpu8 / p.off.cpu8);
  if (!LATENCY_ONLY) console.log(`               throughput ${nameA}/${nameB} ${throughput.toFixed(3)} (8 clients; ${spread(throughputs)})`);
  if (!LATENCY_ONLY) console.log(
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
  if (!LATENCY_ONLY) console.log(`  8 clients: throughput ratio >= 0.95 ..... ${throughput.toFixed(3)} ${throughput >= 0.95 ? 'met' : 'NOT met'}`);
}

await main();
