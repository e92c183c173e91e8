/**
 * `npm run eval:real`: anomaly detection figures on real and synthetic data (issue 19).
 *
 *   npm run eval:real -- [--data ../shared/data/bsdata-anomaly] [--methods patchcore,simulated(,combined,auto)]
 *       [--sets real,surface,radiograph] [--time-budget SECONDS] [--seed 0] [--val-split 0.15]
 *       [--backbone models/surface-classifier/model.onnx] [--out .tmp/eval-real] [--keep]
 *
 * Sets:
 * - `real`: a folder in anomalib's MVTec AD layout (`train/good`, `test/good`,
 *   `test/<defect>`, `ground_truth/<defect>/<stem>_mask.png`), by default the ball screw
 *   drive photographs of `../shared/data/bsdata-anomaly`. The data is read in place and
 *   never copied into the repository; the script is not part of `npm test`. Its good
 *   images nearly all have one size and its defect images several, so the figures are
 *   also given on the test images of the good images' size alone (`real, WxH only`): a
 *   detector that stretches images could otherwise tell defects by their shape.
 * - `surface`, `radiograph`: generated here by core's generator into a temporary folder,
 *   seeded: a training folder of good images only (300, seed 11 or 12) and a test folder
 *   (200 images, half with defects and exact masks, seed 1011 or 1012), 64 x 64 as in
 *   docs/anomaly.md.
 *
 * Every set is measured the same way: each method fits on the good training images only
 * (the `--val-split` share of them, seeded, sets the thresholds: the good quantile), then
 * the detector is evaluated on the whole test folder (`evaluateAnomalyFolder`: image AUROC,
 * pixel AUROC, PRO up to FPR 0.3, F1, false-reject and escape rates at the thresholds).
 * `--time-budget` is passed to the simulated method, `combined` and `auto` (their defaults
 * otherwise: 600 s, 600 s and 900 s); `auto` reports the method it kept. For `combined` on
 * the synthetic sets the child also measures, on the same test images, the pixel AUROC and
 * PRO of a fused map (the mean of both parts' normalised maps, PatchCore's resized to the
 * simulated part's size) beside the simulated part's map the detector uses: the evidence
 * for keeping the map unfused (docs/anomaly.md, "Combined"). The real set is left out of
 * that check so that nothing is chosen on it. Each fit runs in its own child process, so its peak RSS (`process.resourceUsage().maxRSS`
 * read right after the fit) is the fit's own; the fit time is the wall time of the core
 * training call (data loading, fitting, export and writing the detector). On a shared
 * machine both are upper bounds; the load average is recorded.
 *
 * Writes `OUT/results-<time>.json` and `.md`, and the same as `OUT/latest.json` and `.md`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { access, copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { AnomalyDetector, auPro, evaluateAnomalyFolder, generateDataset, loadAnomalyFolder, pixelAuroc, resizeMap, splitRatiosFor, trainAnomalyMethod } from '@xai-qc/core';
import type { AnomalyReport, PixelMap, SyntheticKind } from '@xai-qc/core';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = fileURLToPath(import.meta.url);
const DEFAULT_DATA = resolve(REPO, '../shared/data/bsdata-anomaly');
const DEFAULT_BACKBONE = join(REPO, 'models/surface-classifier/model.onnx');
const SETS = ['real', 'surface', 'radiograph'] as const;
type SetName = (typeof SETS)[number];
const METHODS = ['patchcore', 'simulated', 'combined', 'auto'] as const;
type Method = (typeof METHODS)[number];
/** The generator settings of the synthetic sets (docs/anomaly.md, "Measured quality": seeds 11 and 12, 64 px). */
const SYNTHETIC: Record<Exclude<SetName, 'real'>, { kind: SyntheticKind; seed: number }> = { surface: { kind: 'surface', seed: 11 }, radiograph: { kind: 'radiograph', seed: 12 } };
const SYNTH_TRAIN = 300;
const SYNTH_TEST = 200;
const SYNTH_SIZE = 64;

/** One fit and evaluation, run in a child process. */
interface Job {
  set: SetName;
  method: Method;
  train: string;
  /** Test folders by name: the whole test folder, and for the real set its images of the good images' size. */
  tests: { name: string; dir: string }[];
  out: string;
  seed: number;
  valSplit: number;
  backbone: string;
  timeBudget?: number;
  result: string;
}

/** What a child reports. */
interface JobResult {
  set: SetName;
  method: Method;
  ok: boolean;
  error?: string;
  fitSeconds?: number;
  peakRssMiB?: number;
  /** Peak RSS over the whole child (fit and evaluation). */
  peakRssTotalMiB?: number;
  evalSeconds?: number;
  /** Figures per test folder, in the order of `Job.tests`. */
  reports?: { name: string; report: AnomalyReport }[];
  thresholdSource?: string;
  /** The method whose detector was kept (the choice of `auto`). */
  fitted?: string;
  choice?: unknown;
  training?: unknown;
  counts?: unknown;
  /** Combined on a synthetic set: the simulated map against a fused map, on the test images. */
  mapFusion?: Record<'simulated' | 'meanNormalised', { pixelAuroc: number; pro: number }>;
}

/**
 * The map check of `combined` (module comment): pixel AUROC and PRO of the simulated
 * part's map and of the mean of both parts' normalised maps, on every image of `testDir`.
 */
async function mapFusionCheck(dir: string, testDir: string): Promise<NonNullable<JobResult['mapFusion']>> {
  const pc = await AnomalyDetector.load(join(dir, 'patchcore'));
  const sim = await AnomalyDetector.load(join(dir, 'simulated'));
  const { input } = sim.config;
  const data = await loadAnomalyFolder(testDir, { input, seed: 0 });
  const samples = [...data.splits.train, ...data.splits.val, ...data.splits.test].filter((s) => s.good || s.mask);
  const masks: PixelMap[] = [];
  const simMaps: PixelMap[] = [];
  const fused: PixelMap[] = [];
  for (let i = 0; i < samples.length; i += 16) {
    const batch = samples.slice(i, i + 16);
    const images = batch.map((s) => s.image);
    const [p, q] = [await pc.scoreImages(images), await sim.scoreImages(images)];
    batch.forEach((s, k) => {
      const { width, height } = q.sizes[k];
      const sn = sim.normaliseMap(q.maps[k]);
      let pn = pc.normaliseMap(p.maps[k]);
      if (p.sizes[k].width !== width || p.sizes[k].height !== height) pn = resizeMap({ ...p.sizes[k], data: pn }, width, height).data;
      const f = new Float32Array(sn.length);
      for (let j = 0; j < f.length; j++) f[j] = (sn[j] + pn[j]) / 2;
      masks.push({ width, height, data: s.mask ?? new Uint8Array(width * height) });
      simMaps.push({ width, height, data: q.maps[k] });
      fused.push({ width, height, data: f });
    });
  }
  return { simulated: { pixelAuroc: pixelAuroc(simMaps, masks), pro: auPro(simMaps, masks) }, meanNormalised: { pixelAuroc: pixelAuroc(fused, masks), pro: auPro(fused, masks) } };
}

const fail = (message: string): never => {
  process.stderr.write(`eval-real: ${message}\n`);
  process.exit(1);
};

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

const mib = (kib: number): number => Math.round(kib / 1024);

/** The child side: fit one method on `job.train`, evaluate on each of `job.tests`, write the result file. */
async function runJob(job: Job): Promise<void> {
  const result: JobResult = { set: job.set, method: job.method, ok: false };
  try {
    const ratios = splitRatiosFor(job.valSplit, 0);
    let lastLine = 0;
    const t0 = performance.now();
    const onProgress = (phase: string, done: number, total: number, left?: number): void => {
      const now = performance.now();
      if (now - lastLine < 30_000 && done < total) return;
      lastLine = now;
      const rest = left === undefined || !Number.isFinite(left) ? '' : `, about ${left.toFixed(0)} s left`;
      process.stderr.write(`  [${job.set}/${job.method}] ${phase} ${done}/${total}, ${((now - t0) / 1000).toFixed(0)} s${rest}\n`);
    };
    const run = await trainAnomalyMethod({
      method: job.method,
      data: job.train,
      out: job.out,
      seed: job.seed,
      ratios,
      timeBudgetSeconds: job.timeBudget,
      patchcore: { backbone: job.backbone },
      onProgress: (e) => onProgress(`${e.method} ${e.phase}`, e.done, e.total, e.remainingSeconds),
    });
    result.fitSeconds = (performance.now() - t0) / 1000;
    result.peakRssMiB = mib(process.resourceUsage().maxRSS);
    const { record } = run;
    result.thresholdSource = `${record.thresholds.image.source}/${record.thresholds.pixel.source}`;
    result.counts = record.dataset.counts;
    result.fitted = run.method;
    if (record.choice) result.choice = record.choice;
    if (run.method === 'simulated') result.training = { ...run.record.training, loss: undefined, size: run.record.params.size, budget: run.record.params.timeBudgetSeconds };
    if (run.method === 'combined') result.training = { parts: run.record.parts, fusion: run.record.fusion, seconds: run.record.seconds, budget: run.record.budget, size: run.record.params.size };
    const t1 = performance.now();
    result.reports = [];
    for (const t of job.tests) result.reports.push({ name: t.name, report: (await evaluateAnomalyFolder(join(job.out, 'model.onnx'), t.dir, 'all')).report });
    result.evalSeconds = (performance.now() - t1) / 1000;
    if (run.method === 'combined' && job.set !== 'real') result.mapFusion = await mapFusionCheck(job.out, job.tests[0].dir);
    result.peakRssTotalMiB = mib(process.resourceUsage().maxRSS);
    result.ok = true;
  } catch (e) {
    result.error = (e as Error).message.split('\n')[0];
  }
  await writeFile(job.result, `${JSON.stringify(result, null, 2)}\n`);
}

/** Runs one job in a child process (the same script under the same loader). */
function runChild(job: Job, limitSeconds: number): Promise<JobResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...process.execArgv, SCRIPT, '--child', JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), limitSeconds * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      import('node:fs/promises')
        .then((fs) => fs.readFile(job.result, 'utf8'))
        .then((text) => done(JSON.parse(text) as JobResult))
        .catch(() => done({ set: job.set, method: job.method, ok: false, error: signal ? `killed by ${signal} (limit ${limitSeconds} s)` : `child exited with ${code} and no result` }));
    });
  });
}

/**
 * A control for the real set: its good images nearly all share one size while its defect
 * images come in several, so a detector that sees images stretched to a square can tell
 * them apart by shape alone. Copies (outside the repository, into the temporary folder)
 * the test images of the most common size of the good training images, with their masks.
 */
async function sameSizeSubset(data: string, root: string): Promise<{ test: string; size: string; kept: number; total: number }> {
  const sizeOf = async (path: string): Promise<string> => {
    const m = await sharp(path).metadata();
    return `${m.width}x${m.height}`;
  };
  const counts = new Map<string, number>();
  for (const name of await readdir(join(data, 'train', 'good'))) {
    const s = await sizeOf(join(data, 'train', 'good', name));
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const size = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  let kept = 0;
  let total = 0;
  for (const label of await readdir(join(data, 'test'))) {
    for (const name of await readdir(join(data, 'test', label))) {
      total++;
      if ((await sizeOf(join(data, 'test', label, name))) !== size) continue;
      kept++;
      await mkdir(join(root, 'test', label), { recursive: true });
      await copyFile(join(data, 'test', label, name), join(root, 'test', label, name));
      const mask = join(data, 'ground_truth', label, `${name.replace(/\.[^.]+$/, '')}_mask.png`);
      if (await exists(mask)) {
        await mkdir(join(root, 'ground_truth', label), { recursive: true });
        await copyFile(mask, join(root, 'ground_truth', label, basename(mask)));
      }
    }
  }
  return { test: join(root, 'test'), size, kept, total };
}

const f3 = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : v.toFixed(3));

function markdown(results: JobResult[], meta: Record<string, unknown>): string {
  const lines = [
    `Anomaly figures (${String(meta.date)}, ${String(meta.codeNote)}; ${String(meta.cpus)} cores, load average ${String(meta.loadBefore)} before, ${String(meta.loadAfter)} after; times and memory are upper bounds on a shared machine)`,
    '',
    '| set | method | test good + defect | image AUROC | pixel AUROC | PRO | F1 | false-reject | escape | thresholds | fit s | peak RSS MiB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    if (!r.ok || !r.reports) {
      lines.push(`| ${r.set} | ${r.method} | failed: ${r.error ?? 'unknown'} | | | | | | | | | |`);
      continue;
    }
    for (const { name, report: p } of r.reports) {
      lines.push(
        `| ${name} | ${r.method === 'auto' ? `auto (${r.fitted ?? '?'})` : r.method} | ${p.count.good} + ${p.count.defect} | ${f3(p.imageAuroc)} | ${f3(p.pixelAuroc)} | ${f3(p.pro)} | ${f3(p.f1)} | ${f3(p.falseRejectRate)} | ${f3(p.escapeRate)} | ${r.thresholdSource ?? ''} | ${r.fitSeconds?.toFixed(0) ?? ''} | ${r.peakRssMiB ?? ''} |`,
      );
    }
  }
  for (const r of results) {
    if (!r.mapFusion) continue;
    const m = r.mapFusion;
    lines.push('', `${r.set}/${r.method} map check on the test images: simulated map pixel AUROC ${f3(m.simulated.pixelAuroc)}, PRO ${f3(m.simulated.pro)}; mean of both normalised maps pixel AUROC ${f3(m.meanNormalised.pixelAuroc)}, PRO ${f3(m.meanNormalised.pro)}`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      data: { type: 'string' },
      methods: { type: 'string' },
      sets: { type: 'string' },
      'time-budget': { type: 'string' },
      seed: { type: 'string' },
      'val-split': { type: 'string' },
      backbone: { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean' },
    },
  });
  if (values.child) return runJob(JSON.parse(values.child) as Job);

  const list = <T extends string>(v: string | undefined, all: readonly T[], what: string, fallback: readonly T[]): T[] => {
    if (v === undefined) return [...fallback];
    const items = v.split(',').map((s) => s.trim()).filter(Boolean);
    for (const i of items) if (!all.includes(i as T)) fail(`unknown ${what} '${i}'; expected ${all.join(', ')}`);
    if (items.length === 0) fail(`--${what}s needs at least one of ${all.join(', ')}`);
    return items as T[];
  };
  const methods = list(values.methods, METHODS, 'method', ['patchcore', 'simulated']);
  const sets = list(values.sets, SETS, 'set', SETS);
  const num = (name: string, v: string | undefined, fallback: number, ok: (n: number) => boolean): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) fail(`--${name} got '${v}'`);
    return n;
  };
  const seed = num('seed', values.seed, 0, (n) => Number.isInteger(n) && n >= 0);
  const valSplit = num('val-split', values['val-split'], 0.15, (n) => n > 0 && n < 1);
  const timeBudget = values['time-budget'] === undefined ? undefined : num('time-budget', values['time-budget'], 0, (n) => n > 0);
  const data = resolve(values.data ?? DEFAULT_DATA);
  const backbone = resolve(values.backbone ?? DEFAULT_BACKBONE);
  const out = resolve(values.out ?? join(REPO, '.tmp/eval-real'));
  if (sets.includes('real')) {
    for (const sub of ['', 'train', 'test']) {
      if (!(await exists(join(data, sub)))) fail(`data folder ${join(data, sub)} not found: pass --data DIR with the anomalib layout (train/good, test/good, test/<defect>, ground_truth/<defect>), or leave 'real' out of --sets`);
    }
  }
  if (methods.some((m) => m !== 'simulated') && !(await exists(backbone))) fail(`backbone ${backbone} not found: pass --backbone M.onnx`);

  await mkdir(out, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'xqc-eval-real-'));
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  // The code measured: the commit, and whether core's sources differed from it when the run started.
  const code = { commit: git('rev-parse', '--short', 'HEAD'), coreChanged: git('status', '--porcelain', '--', 'packages/core/src').split('\n').filter(Boolean).length };
  const codeNote = `commit ${code.commit}${code.coreChanged ? ` with ${code.coreChanged} uncommitted change(s) under packages/core/src` : ''}`;
  const meta = { code, codeNote, date: new Date().toISOString(), cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), loadBefore: loadavg()[0].toFixed(1), loadAfter: '', data, backbone, seed, valSplit, timeBudget, methods, sets };
  const results: JobResult[] = [];
  try {
    for (const set of sets) {
      let train = join(data, 'train');
      let test = join(data, 'test');
      const tests: Job['tests'] = [{ name: set, dir: test }];
      if (set === 'real') {
        const subset = await sameSizeSubset(data, join(work, 'real-same-size'));
        tests.push({ name: `real, ${subset.size} only`, dir: subset.test });
        process.stderr.write(`real: ${subset.kept} of ${subset.total} test images have the good training images' size ${subset.size}; figures also on those alone\n`);
      } else {
        const { kind, seed: genSeed } = SYNTHETIC[set];
        train = join(work, `${set}-train`);
        test = join(work, `${set}-test`);
        process.stderr.write(`generating ${set}: ${SYNTH_TRAIN} good training images (seed ${genSeed}), ${SYNTH_TEST} test images (seed ${genSeed + 1000}, half with defects), ${SYNTH_SIZE} px\n`);
        await generateDataset({ kind, count: SYNTH_TRAIN, seed: genSeed, out: train, format: 'anomaly', size: SYNTH_SIZE, defectRate: 0 });
        await generateDataset({ kind, count: SYNTH_TEST, seed: genSeed + 1000, out: test, format: 'anomaly', size: SYNTH_SIZE, defectRate: 0.5 });
        tests[0].dir = test;
      }
      for (const method of methods) {
        process.stderr.write(`fitting ${method} on ${set} (${train})\n`);
        const job: Job = { set, method, train, tests, out: join(work, `${set}-${method}`), seed, valSplit, backbone, timeBudget, result: join(work, `${set}-${method}.json`) };
        const r = await runChild(job, Math.max(3600, 3 * (timeBudget ?? 0)));
        results.push(r);
        if (!r.ok || !r.reports) process.stderr.write(`  ${set}/${method}: failed: ${r.error}\n`);
        for (const { name, report: p } of r.reports ?? []) {
          process.stderr.write(`  ${name}/${method}: image AUROC ${f3(p.imageAuroc)}, pixel AUROC ${f3(p.pixelAuroc)}, PRO ${f3(p.pro)}, F1 ${f3(p.f1)}, fit ${r.fitSeconds?.toFixed(0)} s, peak RSS ${r.peakRssMiB} MiB\n`);
        }
      }
    }
  } finally {
    if (values.keep) process.stderr.write(`kept ${work}\n`);
    else await rm(work, { recursive: true, force: true });
  }
  meta.loadAfter = loadavg()[0].toFixed(1);
  const stamp = meta.date.replace(/[:.]/g, '-');
  const json = `${JSON.stringify({ meta, results }, null, 2)}\n`;
  const md = markdown(results, meta);
  for (const name of [`results-${stamp}`, 'latest']) {
    await writeFile(join(out, `${name}.json`), json);
    await writeFile(join(out, `${name}.md`), md);
  }
  process.stdout.write(md);
  process.stdout.write(`written to ${join(out, `results-${stamp}.json`)} and .md\n`);
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

await main();
