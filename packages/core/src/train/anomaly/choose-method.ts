/**
 * Which anomaly method a run uses: `patchcore` (`train-anomaly.ts`), `simulated`
 * (`train-simulated-anomaly.ts`), `combined` (both in one detector, `train-combined.ts`)
 * or `auto`, which fits PatchCore and the simulated method (and, when `autoCandidates`
 * names it, their combination) and keeps the one that ranks a validation set better.
 *
 * `auto`, step by step:
 * 1. PatchCore fits first (it has no time knob; its time counts against the budget).
 * 2. The validation set: the validation split's good images (the split both methods draw
 *    from the same seed and shares), with the validation split's labelled defect images
 *    when the dataset has any, else each good validation image once more with simulated
 *    defects pasted in (`simulateDefect`, seeded by the run's seed and the image's index,
 *    other good validation images as the texture pool), written with their exact masks
 *    to a temporary anomaly folder.
 * 3. PatchCore is scored on it through the evaluation of `evaluate-anomaly-folder.ts`.
 * 4. The simulated method fits with what is left of the budget less a reserve for scoring
 *    it (twice PatchCore's scoring time, at least 5 % of the budget); with less than
 *    {@link MIN_SIMULATED_SECONDS} left it is not fitted and PatchCore is kept.
 * 5. The better image AUROC wins ({@link chooseByValidation}); within
 *    {@link AUROC_TIE} of each other, the better pixel AUROC; still tied, PatchCore.
 *    With `combined` among `autoCandidates` (the CLI's `--method auto`), both fitted parts
 *    are also fused into `OUT/candidates/combined/` (no further training: copies of both
 *    folders and the fusion of `train-combined.ts`), scored on the same validation set, and
 *    kept only when it beats the winner of step 5 by the same rule ({@link chooseOverWinner};
 *    a tie keeps the single method). Its scoring doubles the reserve of step 4.
 * Both candidates stay in `OUT/candidates/<method>/`; the chosen one's files are copied to
 * `OUT/` and its `run.json` gains `choice` (both figures, the validation set, the budget
 * and the reason).
 *
 * Simulated validation defects resemble the simulated method's training defects, which
 * favours it; labelled defects, when the dataset has some, are the fairer judge.
 */
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAnomalyDataset, writeAnomalySample } from '../../data/anomaly-format.ts';
import { loadMask } from '../../data/format-common.ts';
import { readLabelsFile } from '../../data/labels-file.ts';
import { buildManifest } from '../../data/manifest.ts';
import type { SplitRatios } from '../../data/split.ts';
import { XqcError } from '../../errors.ts';
import { decodeImage } from '../../image/image-decode.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { createRng, hashSeed } from '../../util/random.ts';
import { evaluateAnomalyFolder } from '../../models/anomaly/evaluate-anomaly-folder.ts';
import type { AnomalyReport } from '../../models/anomaly/evaluate-anomaly.ts';
import { simulateDefect } from '../../models/anomaly/simulated/simulate.ts';
import type { DefectSimulator } from '../../models/anomaly/simulated/simulated.types.ts';
import { trainSimulatedAnomaly } from './train-simulated-anomaly.ts';
import type { SimulatedRunRecord, TrainSimulatedAnomalyOptions } from './train-simulated-anomaly.ts';
import { trainAnomaly } from '../../models/anomaly/train-anomaly.ts';
import type { AnomalyRunRecord, TrainAnomalyOptions } from '../../models/anomaly/train-anomaly.ts';
import { COMBINED_PARTS } from '../../models/anomaly/artifact.ts';
import { DEFAULT_COMBINED_BUDGET_SECONDS, fuseParts, simulatedPartBudget } from './train-combined.ts';
import type { CombinedRunRecord } from './train-combined.ts';

/** The anomaly methods a run can fit. */
export type AnomalyMethod = 'patchcore' | 'simulated' | 'combined';
/** What `--method` accepts: a method, or `auto` to fit both and keep the better. */
export type AnomalyMethodChoice = AnomalyMethod | 'auto';
/** The accepted values of `--method`, in the order help texts list them. */
export const ANOMALY_METHOD_CHOICES: readonly AnomalyMethodChoice[] = Object.freeze(['simulated', 'patchcore', 'combined', 'auto']);
/** The candidates of `auto` unless `autoCandidates` says otherwise (the server's runs register only these). */
export const DEFAULT_AUTO_CANDIDATES: readonly AnomalyMethod[] = Object.freeze(['patchcore', 'simulated']);
/** Image AUROCs closer than this are a tie (about the spread between seeds on a few dozen images). */
export const AUROC_TIE = 0.005;
/** Least budget left for the simulated method in `auto`, in seconds; with less it is not fitted. */
export const MIN_SIMULATED_SECONDS = 20;
/** Draws per validation image before a simulator that returns no defect is given up on. */
const SIMULATION_ATTEMPTS = 8;
/** Default budget of `auto`, in seconds: both fits, the validation set and the scoring. */
export const DEFAULT_AUTO_BUDGET_SECONDS = 900;

/** One progress event of {@link trainAnomalyMethod}: a method's phase, and the time spent and (when known) left. */
export interface AnomalyMethodProgress {
  method: AnomalyMethod;
  phase: string;
  done: number;
  total: number;
  /** Seconds since the run started. */
  elapsedSeconds: number;
  /** Estimated seconds left in the whole run, when it can be estimated. */
  remainingSeconds?: number;
}

/** The figures of one candidate of `auto`. */
export interface MethodCandidate {
  method: AnomalyMethod;
  /** Fitted, or why not. */
  fitted: boolean;
  note?: string;
  fitSeconds?: number;
  imageAuroc: number | null;
  pixelAuroc: number | null;
  pro: number | null;
  /** The candidate's folder, relative to the output folder. */
  dir?: string;
}

/** What `auto` records in `run.json` as `choice`. */
export interface MethodChoiceRecord {
  requested: 'auto';
  chosen: AnomalyMethod;
  reason: string;
  validation: { source: 'labelled' | 'simulated'; good: number; defect: number; defectWithMask: number };
  candidates: MethodCandidate[];
  budget: { seconds: number; patchcoreSeconds: number; simulatedBudgetSeconds: number | null; usedSeconds: number; rule: string };
  /** How the combined candidate fared against the winner of PatchCore and simulated, when it was a candidate. */
  combined?: string;
}

/** Options of {@link trainAnomalyMethod}. */
export interface TrainAnomalyMethodOptions {
  method: AnomalyMethodChoice;
  data: string;
  out: string;
  name?: string;
  seed?: number;
  ratios?: SplitRatios;
  quantile?: number;
  /**
   * Seconds: the whole fit of `simulated` (default its own, 600), the whole run of
   * `combined` (default {@link DEFAULT_COMBINED_BUDGET_SECONDS}) or of `auto` (default
   * {@link DEFAULT_AUTO_BUDGET_SECONDS}); PatchCore alone takes no budget.
   */
  timeBudgetSeconds?: number;
  /** What `auto` considers: patchcore and simulated always; add `combined` to fuse them too (default {@link DEFAULT_AUTO_CANDIDATES}). */
  autoCandidates?: readonly AnomalyMethod[];
  /** PatchCore's own options (its backbone is required for `patchcore` and `auto`). */
  patchcore?: Partial<Omit<TrainAnomalyOptions, 'data' | 'out' | 'name' | 'seed' | 'ratios' | 'quantile' | 'onProgress'>>;
  /** The simulated method's own options. */
  simulated?: Partial<Omit<TrainSimulatedAnomalyOptions, 'data' | 'out' | 'name' | 'seed' | 'ratios' | 'quantile' | 'timeBudgetSeconds' | 'onProgress'>>;
  /** Simulator of the validation defects of `auto` (default `simulateDefect`). */
  validationSimulator?: DefectSimulator;
  codeVersion?: string;
  onProgress?: (e: AnomalyMethodProgress) => void;
  /** The trainers (tests may pass their own). */
  trainers?: Partial<AnomalyTrainers>;
}

/** The function that fits each method. */
export interface AnomalyTrainers {
  patchcore: (o: TrainAnomalyOptions) => Promise<AnomalyRunRecord>;
  simulated: (o: TrainSimulatedAnomalyOptions) => Promise<SimulatedRunRecord>;
}

/** What {@link trainAnomalyMethod} returns: the method used and its run record (with `choice` after `auto`). */
export type AnomalyMethodRun =
  | { method: 'patchcore'; record: AnomalyRunRecord & { choice?: MethodChoiceRecord } }
  | { method: 'simulated'; record: SimulatedRunRecord & { choice?: MethodChoiceRecord } }
  | { method: 'combined'; record: CombinedRunRecord & { choice?: MethodChoiceRecord } };

/**
 * The rule of `auto`: the better image AUROC; within {@link AUROC_TIE}, the better pixel
 * AUROC; still tied (or a figure missing on both), PatchCore. A candidate without an image
 * AUROC (not fitted, or the validation set could not define it) loses to one with.
 */
export function chooseByValidation(patchcore: MethodCandidate, simulated: MethodCandidate): { chosen: AnomalyMethod; reason: string } {
  const f = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(4));
  if (!simulated.fitted || simulated.imageAuroc === null) {
    return { chosen: 'patchcore', reason: `simulated ${simulated.fitted ? 'has no validation image AUROC' : `not fitted (${simulated.note ?? 'no reason given'})`}; PatchCore kept` };
  }
  if (!patchcore.fitted || patchcore.imageAuroc === null) {
    return { chosen: 'simulated', reason: `PatchCore ${patchcore.fitted ? 'has no validation image AUROC' : `not fitted (${patchcore.note ?? 'no reason given'})`}; simulated kept` };
  }
  const d = simulated.imageAuroc - patchcore.imageAuroc;
  const images = `validation image AUROC simulated ${f(simulated.imageAuroc)}, PatchCore ${f(patchcore.imageAuroc)}`;
  if (Math.abs(d) >= AUROC_TIE) return { chosen: d > 0 ? 'simulated' : 'patchcore', reason: `${images}: ${d > 0 ? 'simulated' : 'PatchCore'} is better` };
  const sp = simulated.pixelAuroc;
  const pp = patchcore.pixelAuroc;
  const pixels = `pixel AUROC simulated ${f(sp)}, PatchCore ${f(pp)}`;
  if (sp !== null && pp !== null && Math.abs(sp - pp) >= AUROC_TIE) {
    return { chosen: sp > pp ? 'simulated' : 'patchcore', reason: `${images} tie (within ${AUROC_TIE}); ${pixels}: ${sp > pp ? 'simulated' : 'PatchCore'} is better` };
  }
  return { chosen: 'patchcore', reason: `${images} tie (within ${AUROC_TIE}) and so does ${pixels}; PatchCore kept on a tie` };
}

/**
 * Whether the combined candidate replaces `winner` (the choice of {@link chooseByValidation}):
 * only when its image AUROC is better by at least {@link AUROC_TIE}, or within it and its
 * pixel AUROC better by at least {@link AUROC_TIE}; a tie keeps the single method.
 */
export function chooseOverWinner(winner: MethodCandidate, combined: MethodCandidate): { chosen: AnomalyMethod; reason: string } {
  const f = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(4));
  const name = winner.method === 'patchcore' ? 'PatchCore' : winner.method;
  if (!combined.fitted || combined.imageAuroc === null) return { chosen: winner.method, reason: `combined ${combined.fitted ? 'has no validation image AUROC' : `not built (${combined.note ?? 'no reason given'})`}; ${name} kept` };
  if (winner.imageAuroc === null) return { chosen: 'combined', reason: `${name} has no validation image AUROC; combined kept` };
  const d = combined.imageAuroc - winner.imageAuroc;
  const images = `validation image AUROC combined ${f(combined.imageAuroc)}, ${name} ${f(winner.imageAuroc)}`;
  if (Math.abs(d) >= AUROC_TIE) return { chosen: d > 0 ? 'combined' : winner.method, reason: `${images}: ${d > 0 ? 'combined' : name} is better` };
  const cp_ = combined.pixelAuroc;
  const wp = winner.pixelAuroc;
  const pixels = `pixel AUROC combined ${f(cp_)}, ${name} ${f(wp)}`;
  if (cp_ !== null && wp !== null && cp_ - wp >= AUROC_TIE) return { chosen: 'combined', reason: `${images} tie (within ${AUROC_TIE}); ${pixels}: combined is better` };
  return { chosen: winner.method, reason: `${images} tie (within ${AUROC_TIE}); ${pixels}: ${name} kept (a tie keeps the single method)` };
}

/**
 * Writes the validation set of `auto` into `dir` (an anomaly folder): the validation
 * split's good images, and its labelled defects with their masks when it has any, else
 * each good image again with simulated defects (`defect/<stem>.png`, masks under `masks/`).
 * @throws XQC_DATASET_INVALID without good validation images
 */
export async function writeValidationSet(
  data: string,
  dir: string,
  o: { seed?: number; ratios?: SplitRatios; simulator?: DefectSimulator } = {},
): Promise<{ source: 'labelled' | 'simulated'; good: number; defect: number }> {
  const seed = o.seed ?? 0;
  const listing = await readAnomalyDataset(data);
  const manifest = await buildManifest(listing, { seed, ratios: o.ratios });
  const val = new Set(manifest.files.filter((f) => f.role === 'image' && f.split === 'val').map((f) => f.path));
  const samples = listing.samples.filter((s) => val.has(s.image));
  const goodLabel = (await readLabelsFile(listing.root))?.goodLabel ?? 'good';
  const good = samples.filter((s) => s.label === goodLabel);
  const defects = samples.filter((s) => s.label !== goodLabel);
  if (good.length === 0) throw new XqcError('XQC_DATASET_INVALID', `${listing.root}: the validation split has no good image to choose a method with`);
  const decode = async (rel: string): Promise<ImageU8> => decodeImage(await readFile(join(listing.root, rel)));
  const stemOf = (i: number): string => i.toString().padStart(5, '0');
  const goodImages: ImageU8[] = [];
  for (const [i, s] of good.entries()) {
    const image = await decode(s.image);
    goodImages.push(image);
    await writeAnomalySample(dir, { stem: stemOf(i), label: 'good', image });
  }
  if (defects.length > 0) {
    for (const [i, s] of defects.entries()) {
      const mask = s.mask ? await loadMask(join(listing.root, s.mask), 50_000_000) : undefined;
      await writeAnomalySample(dir, { stem: stemOf(i), label: 'defect', image: await decode(s.image), mask: typeof mask === 'string' ? undefined : mask });
    }
    return { source: 'labelled', good: good.length, defect: defects.length };
  }
  const simulate = o.simulator ?? simulateDefect;
  let written = 0;
  for (const [i, image] of goodImages.entries()) {
    const pool = goodImages.filter((_, j) => j !== i);
    // goodProbability 0 asks for a defect; a simulator that may still return none gets a few more draws.
    const rng = createRng(hashSeed(seed, 'auto-validation', i));
    let sample = simulate(image, pool, rng, { goodProbability: 0 });
    for (let attempt = 1; attempt < SIMULATION_ATTEMPTS && !sample.mask.some((v) => v > 0); attempt++) sample = simulate(image, pool, rng, { goodProbability: 0 });
    if (!sample.mask.some((v) => v > 0)) continue;
    const mask: ImageU8 = { width: image.width, height: image.height, channels: 1, data: sample.mask };
    await writeAnomalySample(dir, { stem: stemOf(i), label: 'defect', image: sample.image, mask });
    written++;
  }
  return { source: 'simulated', good: good.length, defect: written };
}

/** Copies the detector folder `from` into `to`, sub-folders (the combined detector's parts) included. */
async function copyFolder(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
}

function candidateOf(method: AnomalyMethod, report: AnomalyReport, fitSeconds: number, dir: string): MethodCandidate {
  return { method, fitted: true, fitSeconds: Math.round(fitSeconds * 10) / 10, imageAuroc: report.imageAuroc, pixelAuroc: report.pixelAuroc, pro: report.pro, dir };
}

/**
 * Fits the anomaly method `o.method` on `o.data` into `o.out`; with `auto`, both, keeping
 * the better on a validation set (see the module comment) and recording why in `run.json`.
 * @throws XQC_INVALID_ARGUMENT for an unknown method, a non-positive budget, or no backbone
 *   for PatchCore; and what the trainers throw
 */
export async function trainAnomalyMethod(o: TrainAnomalyMethodOptions): Promise<AnomalyMethodRun> {
  if (!ANOMALY_METHOD_CHOICES.includes(o.method)) throw new XqcError('XQC_INVALID_ARGUMENT', `unknown anomaly method '${String(o.method)}'; expected ${ANOMALY_METHOD_CHOICES.join(', ')}`);
  const budget = o.timeBudgetSeconds;
  if (budget !== undefined && !(Number.isFinite(budget) && budget > 0)) throw new XqcError('XQC_INVALID_ARGUMENT', `the time budget must be a positive number of seconds, got ${budget}`);
  const trainers: AnomalyTrainers = { patchcore: trainAnomaly, simulated: trainSimulatedAnomaly, ...o.trainers };
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const common = { name: o.name, seed: o.seed, ratios: o.ratios, quantile: o.quantile, codeVersion: o.codeVersion };

  const fitPatchCore = (out: string, remaining?: () => number | undefined, evaluateTest = true): Promise<AnomalyRunRecord> => {
    const backbone = o.patchcore?.backbone;
    if (!backbone) throw new XqcError('XQC_INVALID_ARGUMENT', 'PatchCore needs a backbone ONNX model');
    // Per phase, the time left at the phase's own pace; PatchCore's phases run in sequence.
    let phaseStart = 0;
    let lastPhase = '';
    return trainers.patchcore({
      ...o.patchcore,
      ...common,
      backbone,
      data: o.data,
      out,
      evaluateTest,
      onProgress: (phase, done, total) => {
        const now = elapsed();
        if (phase !== lastPhase) [phaseStart, lastPhase] = [now, phase];
        const pace = done > 0 ? ((now - phaseStart) / done) * (total - done) : undefined;
        const rest = remaining?.();
        o.onProgress?.({ method: 'patchcore', phase, done, total, elapsedSeconds: now, remainingSeconds: rest ?? pace });
      },
    });
  };
  const fitSimulated = (out: string, seconds: number | undefined, evaluateTest = true): Promise<SimulatedRunRecord> =>
    trainers.simulated({
      ...o.simulated,
      ...common,
      data: o.data,
      out,
      timeBudgetSeconds: seconds,
      evaluateTest,
      onProgress: (e) => {
        const done = e.phase === 'train' ? e.step : e.done;
        const total = e.phase === 'train' ? e.maxSteps : e.total;
        const remaining = 'remainingSeconds' in e ? e.remainingSeconds : undefined;
        o.onProgress?.({ method: 'simulated', phase: e.phase, done, total, elapsedSeconds: elapsed(), remainingSeconds: remaining });
      },
    });

  if (o.method === 'patchcore') return { method: 'patchcore', record: await fitPatchCore(o.out) };
  if (o.method === 'simulated') return { method: 'simulated', record: await fitSimulated(o.out, budget) };
  const fuse = (out: string, pc: AnomalyRunRecord, sim: SimulatedRunRecord, seconds: { patchcore: number; simulated: number }, total: number, evaluateTest = true): Promise<CombinedRunRecord> =>
    fuseParts({
      ...common,
      data: o.data,
      out,
      patchcore: pc,
      simulated: sim,
      seconds,
      timeBudgetSeconds: total,
      evaluateTest,
      batchSize: o.patchcore?.batchSize,
      onProgress: (phase, done, n) => o.onProgress?.({ method: 'combined', phase, done, total: n, elapsedSeconds: elapsed(), remainingSeconds: Math.max(0, total - elapsed()) }),
    });
  if (o.method === 'combined') {
    // PatchCore first (seconds), the network gets the rest less the reserve for fusion and test figures.
    const total = budget ?? DEFAULT_COMBINED_BUDGET_SECONDS;
    simulatedPartBudget(total, 0); // refuses a budget too small for the network before PatchCore fits
    await mkdir(o.out, { recursive: true });
    const pcRecord = await fitPatchCore(join(o.out, COMBINED_PARTS.patchcore), () => undefined, false);
    const pcSeconds = elapsed();
    const simBudget = simulatedPartBudget(total, pcSeconds);
    const simRecord = await fitSimulated(join(o.out, COMBINED_PARTS.simulated), simBudget, false);
    const simSeconds = elapsed() - pcSeconds;
    return { method: 'combined', record: await fuse(o.out, pcRecord, simRecord, { patchcore: pcSeconds, simulated: simSeconds }, total) };
  }

  const total = budget ?? DEFAULT_AUTO_BUDGET_SECONDS;
  const candidates = join(o.out, 'candidates');
  await mkdir(candidates, { recursive: true });
  const pcDir = join(candidates, 'patchcore');
  const pcRecord = await fitPatchCore(pcDir, () => undefined);
  const pcSeconds = elapsed();
  const work = await mkdtemp(join(tmpdir(), 'xqc-auto-validation-'));
  try {
    const validation = await writeValidationSet(o.data, join(work, 'validation'), { seed: o.seed, ratios: o.ratios, simulator: o.validationSimulator });
    const v0 = elapsed();
    const pcEval = await evaluateAnomalyFolder(join(pcDir, 'model.onnx'), join(work, 'validation'), 'all');
    const scoring = elapsed() - v0;
    const pc = candidateOf('patchcore', pcEval.report, pcSeconds, 'candidates/patchcore');
    const withCombined = (o.autoCandidates ?? DEFAULT_AUTO_CANDIDATES).includes('combined');
    const reserve = Math.max(2 * scoring, 0.05 * total) * (withCombined ? 2 : 1);
    const left = total - elapsed() - reserve;
    let sim: MethodCandidate;
    const choiceCandidates: MethodCandidate[] = [];
    let simRecord: SimulatedRunRecord | undefined;
    let simBudget: number | null = null;
    let simSeconds = 0;
    if (left < MIN_SIMULATED_SECONDS) {
      sim = { method: 'simulated', fitted: false, note: `${Math.max(0, left).toFixed(0)} s of the ${total} s budget left after PatchCore and the scoring reserve, under ${MIN_SIMULATED_SECONDS} s`, imageAuroc: null, pixelAuroc: null, pro: null };
    } else {
      simBudget = Math.floor(left);
      const s0 = elapsed();
      simRecord = await fitSimulated(join(candidates, 'simulated'), simBudget);
      simSeconds = elapsed() - s0;
      const simEval = await evaluateAnomalyFolder(join(candidates, 'simulated', 'model.onnx'), join(work, 'validation'), 'all');
      sim = candidateOf('simulated', simEval.report, simSeconds, 'candidates/simulated');
    }
    const pair = chooseByValidation(pc, sim);
    let { chosen, reason } = pair;
    let combinedNote: string | undefined;
    let combinedRecord: CombinedRunRecord | undefined;
    if (withCombined) {
      let comb: MethodCandidate;
      if (!simRecord) comb = { method: 'combined', fitted: false, note: 'the simulated part was not fitted', imageAuroc: null, pixelAuroc: null, pro: null };
      else {
        const c0 = elapsed();
        const combDir = join(candidates, 'combined');
        await copyFolder(pcDir, join(combDir, COMBINED_PARTS.patchcore));
        await copyFolder(join(candidates, 'simulated'), join(combDir, COMBINED_PARTS.simulated));
        combinedRecord = await fuse(combDir, pcRecord, simRecord, { patchcore: pcSeconds, simulated: simSeconds }, total);
        const combEval = await evaluateAnomalyFolder(join(combDir, 'anomaly.json'), join(work, 'validation'), 'all');
        comb = candidateOf('combined', combEval.report, pcSeconds + simSeconds + (elapsed() - c0), 'candidates/combined');
      }
      const winner = pair.chosen === 'patchcore' ? pc : sim;
      const over = chooseOverWinner(winner, comb);
      combinedNote = over.reason;
      choiceCandidates.push(comb);
      if (over.chosen === 'combined') {
        chosen = 'combined';
        reason = `${pair.reason}; ${over.reason}`;
      }
    }
    const choice: MethodChoiceRecord = {
      requested: 'auto',
      chosen,
      reason,
      validation: { source: validation.source, good: pcEval.report.count.good, defect: pcEval.report.count.defect, defectWithMask: pcEval.report.count.defectWithMask },
      candidates: [pc, sim, ...choiceCandidates],
      budget: {
        seconds: total,
        patchcoreSeconds: Math.round(pcSeconds * 10) / 10,
        simulatedBudgetSeconds: simBudget,
        usedSeconds: Math.round(elapsed() * 10) / 10,
        rule: `PatchCore first; the simulated method gets the rest less a scoring reserve (twice PatchCore's validation scoring, at least 5 % of the budget${withCombined ? ', doubled for the combined candidate' : ''})`,
      },
      ...(combinedNote ? { combined: combinedNote } : {}),
    };
    await copyFolder(join(candidates, chosen), o.out);
    if (chosen === 'combined') {
      const record = { ...(combinedRecord as CombinedRunRecord), choice };
      await writeFileAtomic(join(o.out, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
      return { method: 'combined', record };
    }
    if (chosen === 'patchcore') {
      const record = { ...pcRecord, choice };
      await writeFileAtomic(join(o.out, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
      return { method: 'patchcore', record };
    }
    const record = { ...(simRecord as SimulatedRunRecord), choice };
    await writeFileAtomic(join(o.out, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
    return { method: 'simulated', record };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
