/**
 * The combined anomaly detector (format `xai-qc.combined`, `models/anomaly/combined/`):
 * a PatchCore detector and a simulated-defect detector fitted on the same good images,
 * its image score the mean of PatchCore's z-score and the z-score of the agreement of both
 * parts' maps (`combined-scorer.ts`), and its map the simulated part's.
 *
 * The run (`choose-method.ts`, `--method combined`):
 * 1. PatchCore fits into `OUT/patchcore/` (seconds; it takes no budget of its own).
 * 2. The simulated method fits into `OUT/simulated/` with the rest of the budget less a
 *    reserve for the fusion and the test figures ({@link combinedReserveSeconds}).
 * 3. {@link fuseParts}: both parts score the good validation images (the validation split
 *    both parts drew from the same seed and shares); their maps' pixels give the agreement
 *    map's z-units, and the mean and standard deviation of PatchCore's raw scores and of
 *    the agreement scores give the z-scores; the image threshold is chosen on the fused
 *    scores as for the other methods (good quantile, or F1-optimal with labelled
 *    validation defects, `thresholds.ts`), and the pixel threshold is the simulated
 *    part's. Then the test split is measured and `anomaly.json`, `model_card.yaml` and
 *    `run.json` are written beside the parts.
 *
 * There is no single-graph `model.onnx` at the top of the folder: the parts take inputs of
 * different sizes. Each part keeps its own `model.onnx`, so explanations of the map run on
 * `OUT/simulated/model.onnx`, whose map is the combined map.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { SplitRatios } from '../../data/split.ts';
import { XqcError } from '../../errors.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import type { SessionCache, SessionOptions } from '../../runtime/session.ts';
import type { ModelCard } from '../../models/card.ts';
import { writeModelCard } from '../../models/card.ts';
import { preprocess } from '../../models/preprocess.ts';
import { loadAnomalyFolder } from '../../models/anomaly/anomaly-data.ts';
import { ANOMALY_FILES, COMBINED_FORMAT, COMBINED_FORMAT_VERSION, COMBINED_PARTS, readAnyAnomalyArtifacts, sha256Hex } from '../../models/anomaly/artifact.ts';
import type { AnomalyArtifacts, CombinedAnomalyConfig, SimulatedArtifacts } from '../../models/anomaly/artifact.ts';
import { agreementScore, CombinedScorer, fusedNormalisation, fuseScore, partStats } from '../../models/anomaly/combined/combined-scorer.ts';
import type { AgreementStats, CombinedFusion } from '../../models/anomaly/combined/combined-scorer.ts';
import { AnomalyDetector } from '../../models/anomaly/detector.ts';
import { evaluateAnomaly } from '../../models/anomaly/evaluate-anomaly.ts';
import type { AnomalyReport } from '../../models/anomaly/evaluate-anomaly.ts';
import { fittedImageHashes } from '../../models/anomaly/fit-overlap.ts';
import { chooseThreshold } from '../../models/anomaly/thresholds.ts';
import { anomalyCardBase, countsOf } from '../../models/anomaly/train-anomaly.ts';
import type { AnomalyRunRecord } from '../../models/anomaly/train-anomaly.ts';
import type { SimulatedRunRecord } from './train-simulated-anomaly.ts';

/** Default budget of `--method combined`, in seconds: both fits, the fusion and the test figures. */
export const DEFAULT_COMBINED_BUDGET_SECONDS = 600;
/** Share of the budget kept back from the simulated part for the fusion and the test figures. */
export const COMBINED_RESERVE_SHARE = 0.15;
/** Least budget the simulated part gets in a combined run, in seconds; with less the run stops. */
export const MIN_COMBINED_NETWORK_SECONDS = 10;

/** Seconds kept back from the simulated part's budget: {@link COMBINED_RESERVE_SHARE} of the budget, at least 5 s. */
export function combinedReserveSeconds(budgetSeconds: number): number {
  return Math.max(5, COMBINED_RESERVE_SHARE * budgetSeconds);
}

/**
 * The simulated part's budget after PatchCore took `patchcoreSeconds` of `budgetSeconds`:
 * what is left less {@link combinedReserveSeconds}, floored to whole seconds.
 * @throws XQC_INVALID_ARGUMENT when that is under {@link MIN_COMBINED_NETWORK_SECONDS}
 */
export function simulatedPartBudget(budgetSeconds: number, patchcoreSeconds: number): number {
  const left = Math.floor(budgetSeconds - patchcoreSeconds - combinedReserveSeconds(budgetSeconds));
  if (left < MIN_COMBINED_NETWORK_SECONDS) {
    throw new XqcError(
      'XQC_INVALID_ARGUMENT',
      `--time-budget ${budgetSeconds} s leaves ${Math.max(0, left)} s for the simulated part after PatchCore (${patchcoreSeconds.toFixed(1)} s) and the reserve for fusion and test figures (${combinedReserveSeconds(budgetSeconds).toFixed(0)} s); it needs at least ${MIN_COMBINED_NETWORK_SECONDS} s: raise --time-budget`,
    );
  }
  return left;
}

/** The `run.json` record of a combined run. */
export interface CombinedRunRecord {
  id: string;
  name: string;
  task: 'anomaly';
  method: 'combined';
  startedAt: string;
  finishedAt: string;
  params: { size: [number, number]; seed: number; quantile: number; timeBudgetSeconds: number | null };
  /** The parts: their folders, seconds and what their own runs recorded. */
  parts: {
    patchcore: { dir: string; seconds: number; bankSize: number; layers: string[]; thresholds: AnomalyRunRecord['thresholds'] };
    simulated: { dir: string; seconds: number; budgetSeconds: number | null; steps: number; stoppedBy: string; thresholds: SimulatedRunRecord['thresholds'] };
  };
  fusion: CombinedFusion;
  dataset: {
    root: string;
    hash: string;
    counts: AnomalyRunRecord['dataset']['counts'];
    skipped: { path: string; reason: string }[];
    resized: number;
    sizes: string[];
    ratios?: SplitRatios;
    fitted: string[];
  };
  thresholds: CombinedAnomalyConfig['thresholds'];
  seconds: CombinedAnomalyConfig['training']['seconds'];
  budget: { seconds: number | null; reserveSeconds: number | null; rule: string };
  test?: AnomalyReport;
  warnings: string[];
  codeVersion: string;
  artifacts: string[];
}

/** Options of {@link fuseParts}. */
export interface FusePartsOptions {
  /** The dataset folder both parts were fitted on. */
  data: string;
  /** The combined folder, holding the fitted parts in `patchcore/` and `simulated/`. */
  out: string;
  name?: string;
  /** Split seed and shares the parts were fitted with. */
  seed?: number;
  ratios?: SplitRatios;
  quantile?: number;
  /** The parts' run records (their `run.json`). */
  patchcore: AnomalyRunRecord;
  simulated: SimulatedRunRecord;
  /** Seconds each part took, and the budget of the whole run (null: none was set). */
  seconds: { patchcore: number; simulated: number };
  timeBudgetSeconds: number | null;
  /** Measure the test split (default true). */
  evaluateTest?: boolean;
  batchSize?: number;
  codeVersion?: string;
  cache?: SessionCache;
  session?: SessionOptions;
  onProgress?: (phase: string, done: number, total: number) => void;
}

/** Both parts' raw image scores and raw maps (at the model input) of `images` (prepared as `scorer.spec.input`). */
async function scoreParts(
  scorer: CombinedScorer,
  images: readonly ImageU8[],
  batchSize: number,
  onBatch?: (done: number) => void,
): Promise<{ patchcore: number[]; simulated: number[]; maps: Float32Array[]; patchcoreMaps: Float32Array[] }> {
  const out = { patchcore: [] as number[], simulated: [] as number[], maps: [] as Float32Array[], patchcoreMaps: [] as Float32Array[] };
  for (let i = 0; i < images.length; i += batchSize) {
    const p = await scorer.partScores(preprocess(images.slice(i, i + batchSize), scorer.spec.input).tensor);
    out.patchcore.push(...p.patchcore);
    out.simulated.push(...p.simulated);
    out.maps.push(...p.maps);
    out.patchcoreMaps.push(...p.patchcoreMaps);
    onBatch?.(Math.min(images.length, i + batchSize));
  }
  return out;
}

/** Every pixel of `maps`, one after another. */
function allPixels(maps: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(maps.reduce((n, m) => n + m.length, 0));
  maps.reduce((at, m) => (out.set(m, at), at + m.length), 0);
  return out;
}

/**
 * Fuses the fitted parts in `o.out` into the combined detector (see the module comment,
 * step 3) and writes its `anomaly.json`, `model_card.yaml` and `run.json`.
 * @throws XQC_ANOMALY when a part is missing or of the wrong format; XQC_DATASET_INVALID without good validation images
 */
export async function fuseParts(o: FusePartsOptions): Promise<CombinedRunRecord> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const seed = o.seed ?? 0;
  const quantile = o.quantile ?? 0.99;
  const batchSize = o.batchSize ?? 8;
  const read = async <K extends 'patchcore' | 'simulated'>(part: K): Promise<K extends 'patchcore' ? AnomalyArtifacts : SimulatedArtifacts> => {
    const a = await readAnyAnomalyArtifacts(join(o.out, COMBINED_PARTS[part]));
    if (a.kind !== part) throw new XqcError('XQC_ANOMALY', `${join(o.out, COMBINED_PARTS[part])} holds a ${a.kind} detector, not the ${part} part`);
    return a as never;
  };
  const pc = await read('patchcore');
  const sim = await read('simulated');
  const input = sim.config.input;
  const options = { cache: o.cache, session: o.session };
  const pcDetector = await AnomalyDetector.create(pc.config, pc.featureModel, pc.bank, options);
  const simDetector = await AnomalyDetector.createSimulated(sim.config, sim.network, options);
  const unit = { mean: 0, std: 1 };
  const scorer = new CombinedScorer({ input, patchcore: { scorer: pcDetector.scorer, input: pc.config.input }, simulated: simDetector.scorer, fusion: { imageScore: 'mean-z', patchcore: unit, simulated: unit }, batchSize });

  const data = await loadAnomalyFolder(o.data, { input, seed, ratios: o.ratios });
  const good = data.splits.val.filter((s) => s.good).map((s) => s.image);
  const defects = data.splits.val.filter((s) => !s.good).map((s) => s.image);
  if (good.length === 0) throw new XqcError('XQC_DATASET_INVALID', `${data.root}: the validation split has no good image to fuse the parts' scores with`);
  const total = good.length + defects.length;
  const goodScores = await scoreParts(scorer, good, batchSize, (d) => o.onProgress?.('fusion', d, total));
  const defectScores = await scoreParts(scorer, defects, batchSize, (d) => o.onProgress?.('fusion', good.length + d, total));
  const warnings: string[] = [];
  // The agreement map's pixel statistics come from the good validation maps of both parts.
  const stat = ({ mean, std }: { mean: number; std: number }): { mean: number; std: number } => ({ mean, std });
  const simPixel = partStats(allPixels(goodScores.maps));
  const pcPixel = partStats(allPixels(goodScores.patchcoreMaps));
  const agreement: AgreementStats = { patchcorePixel: stat(pcPixel), simulatedPixel: stat(simPixel), topK: sim.config.scoring.topK };
  const side = (s: { maps: Float32Array[]; patchcoreMaps: Float32Array[] }): number[] => s.maps.map((m, i) => agreementScore(m, s.patchcoreMaps[i], agreement));
  const goodSide = side(goodScores);
  const defectSide = side(defectScores);
  const pcStats = partStats(goodScores.patchcore);
  const simStats = partStats(goodSide);
  for (const [what, s] of [['PatchCore part', pcStats], ['agreement map', simStats], ["PatchCore part's map", pcPixel], ["simulated part's map", simPixel]] as const) {
    if (s.floored) warnings.push(`the ${what} scores every good validation image alike; its standard deviation was raised to ${s.std} for the z-score`);
  }
  const fusion: CombinedFusion = { imageScore: 'mean-z-agreement', map: 'simulated', patchcore: stat(pcStats), simulated: stat(simStats), agreement, good: good.length };
  const fusedGood = goodScores.patchcore.map((p, i) => fuseScore(p, goodSide[i], fusion));
  const fusedDefect = defectScores.patchcore.map((p, i) => fuseScore(p, defectSide[i], fusion));
  const image = chooseThreshold(fusedGood, fusedDefect, { quantile });
  const fusionSeconds = (performance.now() - t0) / 1000;
  const partSha = async (part: 'patchcore' | 'simulated'): Promise<string> => sha256Hex(await readFile(join(o.out, COMBINED_PARTS[part], ANOMALY_FILES.config)));
  const config: CombinedAnomalyConfig = {
    format: COMBINED_FORMAT,
    version: COMBINED_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    input,
    parts: { patchcore: { dir: COMBINED_PARTS.patchcore, sha256: await partSha('patchcore') }, simulated: { dir: COMBINED_PARTS.simulated, sha256: await partSha('simulated') } },
    fusion,
    training: {
      seed,
      timeBudgetSeconds: o.timeBudgetSeconds,
      seconds: { patchcore: round1(o.seconds.patchcore), simulated: round1(o.seconds.simulated), fusion: round1(fusionSeconds), total: round1(o.seconds.patchcore + o.seconds.simulated + fusionSeconds) },
    },
    thresholds: { image, pixel: sim.config.thresholds.pixel },
    normalisation: { image: fusedNormalisation(image.value, fusedGood), pixel: sim.config.normalisation.pixel },
  };
  const detector = await AnomalyDetector.createCombined(config, { patchcore: pc, simulated: sim }, options);
  const testSamples = data.splits.test.map((s) => ({ image: s.image, good: s.good, mask: s.mask }));
  const test = testSamples.length > 0 && o.evaluateTest !== false ? await evaluateAnomaly(detector, testSamples, batchSize) : undefined;

  await mkdir(o.out, { recursive: true });
  const name = o.name ?? basename(resolve(o.out));
  const id = randomUUID();
  await writeFileAtomic(join(o.out, ANOMALY_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
  await writeModelCard(join(o.out, ANOMALY_FILES.card), combinedCard(name, id, config, o, data.root, data.manifest.id, countsOf(data), data.manifest.split?.ratios, test));
  const record: CombinedRunRecord = {
    id,
    name,
    task: 'anomaly',
    method: 'combined',
    startedAt,
    finishedAt: new Date().toISOString(),
    params: { size: [input.height, input.width], seed, quantile, timeBudgetSeconds: o.timeBudgetSeconds },
    parts: {
      patchcore: { dir: COMBINED_PARTS.patchcore, seconds: round1(o.seconds.patchcore), bankSize: o.patchcore.bank.size, layers: o.patchcore.backbone.layers, thresholds: o.patchcore.thresholds },
      simulated: {
        dir: COMBINED_PARTS.simulated,
        seconds: round1(o.seconds.simulated),
        budgetSeconds: o.simulated.params.timeBudgetSeconds,
        steps: o.simulated.training.steps,
        stoppedBy: o.simulated.training.stoppedBy,
        thresholds: o.simulated.thresholds,
      },
    },
    fusion,
    dataset: { root: data.root, hash: data.manifest.id, counts: countsOf(data), skipped: data.skipped, resized: data.resized, sizes: data.sizes, ratios: data.manifest.split?.ratios, fitted: fittedImageHashes(data) },
    thresholds: config.thresholds,
    seconds: { ...config.training.seconds, total: round1(o.seconds.patchcore + o.seconds.simulated + (performance.now() - t0) / 1000) },
    budget: {
      seconds: o.timeBudgetSeconds,
      reserveSeconds: o.timeBudgetSeconds === null ? null : round1(combinedReserveSeconds(o.timeBudgetSeconds)),
      rule: `PatchCore first; the simulated part gets the rest less a reserve of ${COMBINED_RESERVE_SHARE * 100} % of the budget (at least 5 s) for the fusion and the test figures`,
    },
    test,
    warnings: [...warnings, ...image.warnings],
    codeVersion: o.codeVersion ?? 'unknown',
    artifacts: [ANOMALY_FILES.config, ANOMALY_FILES.card, 'run.json', `${COMBINED_PARTS.patchcore}/`, `${COMBINED_PARTS.simulated}/`],
  };
  await writeFileAtomic(join(o.out, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

const round1 = (s: number): number => Math.round(s * 10) / 10;

function combinedCard(
  name: string,
  runId: string,
  c: CombinedAnomalyConfig,
  o: FusePartsOptions,
  root: string,
  hash: string,
  counts: AnomalyRunRecord['dataset']['counts'],
  splitRatios: SplitRatios | undefined,
  test: AnomalyReport | undefined,
): ModelCard {
  return {
    ...anomalyCardBase(name, c.input, { root, hash, counts }, test),
    training: {
      runId,
      method: 'combined',
      seed: c.training.seed,
      splitRatios,
      parts: `${c.parts.patchcore.dir}/ (PatchCore, backbone ${o.patchcore.backbone.path.split(/[\\/]/).pop() ?? ''}), ${c.parts.simulated.dir}/ (simulated, ${o.simulated.training.steps} steps)`,
      imageScore: 'mean of the z-scores of PatchCore\'s score and of the agreement of both parts\' maps, on the good validation images',
      map: 'the simulated part\'s',
      imageThreshold: { source: c.thresholds.image.source, value: c.thresholds.image.value },
      pixelThreshold: { source: c.thresholds.pixel.source, value: c.thresholds.pixel.value },
      fitSeconds: c.training.seconds.total,
      codeVersion: o.codeVersion ?? 'unknown',
    },
    intendedUse: `Unsupervised detection and localisation of anomalies on images like the good images of ${basename(root)}: a PatchCore detector and a network trained on simulated defects, fitted on the same good images, their image scores fused.`,
    limitations: [
      'The image score is the mean of two z-scores against the good validation images, PatchCore\'s and that of the places where both parts\' maps agree, normalised so that 0.5 is the validation threshold; it is not a calibrated probability. A defect only one part responds to counts for less than one both see.',
      'The anomaly map is the simulated part\'s: real defects unlike every simulated kind may be ranked by PatchCore yet not be outlined.',
      `Thresholds come from ${c.thresholds.image.counts.good} good validation image(s)${c.thresholds.image.counts.defect ? ` and ${c.thresholds.image.counts.defect} defect image(s)` : ''}; re-fit or re-threshold when the line, lighting or product changes.`,
      `Input is ${c.input.width}x${c.input.height}; PatchCore sees each input as its own input spec prepares it (${o.patchcore.params.resize}, ${o.patchcore.params.size} px).`,
    ],
  };
}
