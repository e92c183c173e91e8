/**
 * The anomaly adapter: a fitted detector (PatchCore, the segmentation network trained
 * on simulated defects, or both combined) that turns images into predictions. All formats share the
 * scoring contract {@link AnomalyScorer}: raw image scores and raw maps at model
 * resolution; everything after that (normalisation, findings) is common.
 * Scores and maps are normalised (`thresholds.ts`) so that 0.5 is the decision boundary:
 * an image is rejected when its normalised score is >= 0.5. A rejected image gets one
 * finding per 8-connected region of the normalised map >= 0.5 (mapped back onto the
 * original image, regions below the card's `minAreaPixels` dropped), or one image-level
 * finding when no pixel passes the pixel threshold. Normalised scores are positions
 * relative to the validation thresholds, not calibrated probabilities.
 */
import type { ImageU8, ScalarMap } from '../../image/image.types.ts';
import type { Model } from '../../onnx/ir.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import type { SessionCache, SessionOptions } from '../../runtime/session.ts';
import { XqcError } from '../../errors.ts';
import type { InputSpec, SeverityRule } from '../card.ts';
import { DEFAULT_SEVERITY } from '../card.ts';
import { findRegions, maskToRle } from '../components.ts';
import { mapToOriginal, preprocess } from '../preprocess.ts';
import type { Placement } from '../preprocess.ts';
import type { Finding, Prediction } from '../result.ts';
import { gradeSeverity } from '../severity.ts';
import type { AnomalyArtifacts, AnomalyConfig, AnyAnomalyConfig, CombinedAnomalyConfig, SimulatedAnomalyConfig, SimulatedArtifacts } from './artifact.ts';
import { readAnyAnomalyArtifacts } from './artifact.ts';
import { CombinedScorer } from './combined/combined-scorer.ts';
import { PatchCoreScorer } from './scorer.ts';
import { SimulatedScorer } from './simulated/simulated-scorer.ts';
import type { RawScores } from './scorer.ts';
import { normaliseMap, normaliseScore } from './thresholds.ts';
import { scoreImagesAs } from './tiled-scoring.ts';

/** A prediction of an anomaly detector. */
export interface AnomalyPrediction extends Prediction {
  task: 'anomaly';
  /** Image score in distance units, before normalisation. */
  rawScore: number;
  /** Normalised anomaly map at the original image size (>= 0.5: beyond the pixel threshold). */
  anomalyMap: ScalarMap;
}

/** Options of {@link AnomalyDetector}. */
export interface AnomalyDetectorOptions {
  cache?: SessionCache;
  session?: SessionOptions;
  /** Severity rules of the findings (default {@link DEFAULT_SEVERITY}). */
  severity?: readonly SeverityRule[];
  /** Smallest region reported, in model-input pixels (default 4). */
  minAreaPixels?: number;
  /** The card's input spec, checked against the one the bank was fitted with on {@link AnomalyDetector.load}. */
  input?: InputSpec;
}

/** Refuses a card input that would prepare images differently from the fitted detector's. */
function checkSameInput(card: InputSpec, fitted: InputSpec): void {
  const channels = fitted.color === 'gray' ? 1 : 3;
  const expand = (v: readonly number[]): string => JSON.stringify(v.length === 1 ? new Array<number>(channels).fill(v[0]) : v);
  for (const key of ['height', 'width', 'resize', 'tileOverlap', 'tileScale', 'color', 'mean', 'std'] as const) {
    const a = key === 'mean' || key === 'std' ? expand(card[key]) : JSON.stringify(card[key]);
    const b = key === 'mean' || key === 'std' ? expand(fitted[key]) : JSON.stringify(fitted[key]);
    if (a !== b) {
      throw new XqcError('XQC_ANOMALY', `the card's input.${key} is ${a} but the detector was fitted with ${b} (anomaly.json); the card must prepare images as the memory bank saw them`);
    }
  }
}

/** What a detector format provides: raw image scores and raw maps of a prepared input batch. */
export interface AnomalyScorer {
  /** Raw scores and maps (model resolution) of an input batch [N, C, H, W] float32, preprocessed. */
  score(input: Tensor): Promise<RawScores>;
}

/** Labels of anomaly predictions, by class index. */
export const ANOMALY_LABELS: readonly string[] = ['good', 'anomaly'];

/** A fitted anomaly detector of either format. */
export class AnomalyDetector {
  private constructor(
    readonly config: AnyAnomalyConfig,
    readonly scorer: AnomalyScorer,
    private readonly options: AnomalyDetectorOptions,
  ) {}

  /** Compiles a PatchCore detector from its parts. */
  static async create(config: AnomalyConfig, featureModel: Model, bank: Float32Array, options: AnomalyDetectorOptions = {}): Promise<AnomalyDetector> {
    const scorer = await PatchCoreScorer.create(
      { featureModel, inputName: config.input.name ?? 'input', size: [config.input.height, config.input.width], bank, dim: config.bank.dim, scoring: config.scoring },
      options,
    );
    return new AnomalyDetector(config, scorer, options);
  }

  /** Compiles a detector trained on simulated defects from its config and wrapped network (`simulated/simulated-scorer.ts`). */
  static async createSimulated(config: SimulatedAnomalyConfig, network: Model, options: AnomalyDetectorOptions = {}): Promise<AnomalyDetector> {
    const scorer = await SimulatedScorer.create(
      { network, inputName: config.input.name ?? 'input', size: [config.input.height, config.input.width], sigma: config.scoring.sigma, topK: config.scoring.topK, flips: config.network.testTimeFlips ?? 1, halfScale: config.network.halfScale ?? false },
      options,
    );
    return new AnomalyDetector(config, scorer, options);
  }

  /**
   * Compiles the combined detector (`combined/combined-scorer.ts`) from its config and its
   * parts' artifacts: a PatchCore detector and a simulated-defect detector.
   */
  static async createCombined(config: CombinedAnomalyConfig, parts: { patchcore: AnomalyArtifacts; simulated: SimulatedArtifacts }, options: AnomalyDetectorOptions = {}): Promise<AnomalyDetector> {
    const pc = await AnomalyDetector.create(parts.patchcore.config, parts.patchcore.featureModel, parts.patchcore.bank, options);
    const sim = await AnomalyDetector.createSimulated(parts.simulated.config, parts.simulated.network, options);
    const scorer = new CombinedScorer({ input: config.input, patchcore: { scorer: pc.scorer, input: pc.config.input }, simulated: sim.scorer, fusion: config.fusion });
    return new AnomalyDetector(config, scorer, options);
  }

  /**
   * Loads a detector folder of any format (`artifact.ts`, dispatching on `anomaly.json`'s format). When `options.input` (the card's input) is
   * given it must prepare images as the bank was fitted, or the load is refused.
   * @throws XQC_ANOMALY naming the first input field where the card and `anomaly.json` differ
   */
  static async load(dir: string, options: AnomalyDetectorOptions = {}): Promise<AnomalyDetector> {
    const a = await readAnyAnomalyArtifacts(dir);
    if (options.input) checkSameInput(options.input, a.config.input);
    if (a.kind === 'simulated') return AnomalyDetector.createSimulated(a.config, a.network, options);
    if (a.kind === 'combined') return AnomalyDetector.createCombined(a.config, a, options);
    return AnomalyDetector.create(a.config, a.featureModel, a.bank, options);
  }

  /**
   * Model inputs of `images` as the detector's card input says (the `preprocess` behind
   * `Predictor.prepare`): tensor [N, C, H, W] float32 and placements.
   */
  prepare(images: readonly ImageU8[]): { tensor: Tensor<'float32'>; placements: Placement[] } {
    return preprocess(images, this.config.input);
  }

  /**
   * Raw scores and maps of `images`, `batchSize` model inputs at a time: maps at model
   * resolution, or for a tiled input (`resize: 'tile'`) stitched from the tiles at each
   * image's original size (`tiled-scoring.ts`); `sizes` gives each map's size.
   */
  async scoreImages(images: readonly ImageU8[], batchSize = 8): Promise<RawScores & { placements: Placement[]; sizes: { width: number; height: number }[] }> {
    const r = await scoreImagesAs(this.scorer, images, this.config.input, batchSize);
    return { scores: r.scores, maps: r.maps.map((m) => m.data), patchScores: r.patchScores, placements: r.placements, sizes: r.maps.map(({ width, height }) => ({ width, height })) };
  }

  /** Normalised image score of a raw score. */
  normaliseScore(raw: number): number {
    return normaliseScore(raw, this.config.normalisation.image);
  }

  /** Normalised map of a raw map. */
  normaliseMap(raw: Float32Array): Float32Array {
    return normaliseMap(raw, this.config.normalisation.pixel);
  }

  /**
   * Predicts `images` (any size: each is fitted to the model input as the card says, and
   * maps and findings are mapped back to it).
   * @returns predictions in input order and the wall time of the whole call
   */
  async predict(images: readonly ImageU8[], batchSize = 8): Promise<{ predictions: AnomalyPrediction[]; latencyMs: number }> {
    const t0 = performance.now();
    const raw = await this.scoreImages(images, batchSize);
    const predictions = raw.maps.map((m, i) => {
      const map = mapToOriginal({ ...raw.sizes[i], data: this.normaliseMap(m) }, raw.placements[i]);
      return this.toPrediction(raw.scores[i], map, raw.placements[i]);
    });
    return { predictions, latencyMs: performance.now() - t0 };
  }

  private toPrediction(rawScore: number, map: ScalarMap, p: Placement): AnomalyPrediction {
    const s = this.normaliseScore(rawScore);
    const reject = s >= 0.5;
    const findings: Finding[] = [];
    const rules = this.options.severity ?? DEFAULT_SEVERITY;
    let mask: Uint8Array | undefined;
    if (reject) {
      mask = new Uint8Array(map.data.length);
      for (let i = 0; i < mask.length; i++) mask[i] = map.data[i] >= 0.5 ? 1 : 0;
      const scale = (p.innerWidth * p.innerHeight) / (p.width * p.height);
      const minArea = Math.max(1, Math.round((this.options.minAreaPixels ?? 4) / scale));
      for (const comp of findRegions(mask, map.width, map.height, minArea)) {
        let peak = 0;
        const region = new Uint8Array(mask.length);
        for (const px of comp.pixels) {
          region[px] = 1;
          if (map.data[px] > peak) peak = map.data[px];
        }
        const areaFraction = comp.area / mask.length;
        findings.push({
          label: 'anomaly',
          classIndex: 1,
          score: peak,
          severity: gradeSeverity({ label: 'anomaly', areaFraction, score: peak }, rules),
          box: comp.box,
          area: comp.area,
          rle: maskToRle(region, map.width, map.height),
        });
      }
      if (findings.length === 0) findings.push({ label: 'anomaly', classIndex: 1, score: s, severity: gradeSeverity({ label: 'anomaly', areaFraction: 1, score: s }, rules) });
    }
    return {
      task: 'anomaly',
      verdict: reject ? 'reject' : 'pass',
      label: ANOMALY_LABELS[reject ? 1 : 0],
      classIndex: reject ? 1 : 0,
      score: reject ? s : 1 - s,
      defectProbability: s,
      probabilities: [1 - s, s],
      findings,
      mask: mask ? { width: map.width, height: map.height, data: mask } : undefined,
      rawScore,
      anomalyMap: map,
    };
  }
}
