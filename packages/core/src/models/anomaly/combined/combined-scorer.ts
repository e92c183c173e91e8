/**
 * Scoring of the combined detector (format `xai-qc.combined`): a PatchCore detector and a
 * detector trained on simulated defects, fitted on the same good images, scored together.
 *
 * - Input: the model input is the simulated part's (the images' own size, RGB); the
 *   anomaly map is at that resolution.
 * - Anomaly map: the simulated part's raw map (its smoothed defect probability), with its
 *   pixel threshold and normalisation. PatchCore's map is not fused in (docs/anomaly.md,
 *   "Combined").
 * - Image score: each raw image score is turned into a z-score by the mean and the
 *   (population) standard deviation of that score on the good validation images, and the
 *   raw fused score is the mean of two z-scores, PatchCore's and the simulated part's:
 *   `fused = ((s_p - mean_p) / std_p + (s_s - mean_s) / std_s) / 2`.
 *   - `imageScore: 'mean-z-agreement'` (what fits write now):
 *     the simulated part's score `s_s` is taken from the agreement map, not from its own
 *     map. Both parts' raw maps at the model input become z-units of their own good
 *     validation pixels (`agreement.patchcorePixel`, `agreement.simulatedPixel`); where
 *     both are positive the agreement is their geometric mean, elsewhere the smaller of
 *     the two; `s_s` is the mean of the agreement map's `agreement.topK` largest pixels.
 *     A response of the network that PatchCore does not share at the same place (or the
 *     reverse) so counts for less: on the real set the network's own image score was
 *     raised by good regions it flags as strongly as a small pit (docs/anomaly.md,
 *     "Combined").
 *   - `imageScore: 'mean-z'` (detectors fitted before): `s_s` is the simulated part's own
 *     image score, the mean of its map's top pixels.
 * - PatchCore sees each image as its own card prepares it: the prepared input tensor is
 *   turned back into 8-bit images (`planarToImage`, exact for 8-bit inputs since the
 *   normalisation is affine and the rounding recovers each pixel) and prepared again with
 *   PatchCore's input spec, tiles included (`tiled-scoring.ts`). For images of the
 *   simulated part's size this is exactly PatchCore's own pipeline; other sizes are
 *   resized twice (to the simulated input, then to PatchCore's).
 */
import { XqcError } from '../../../errors.ts';
import { planarToImage } from '../../../image/image-tensor.ts';
import type { ImageU8 } from '../../../image/image.types.ts';
import type { Tensor } from '../../../onnx/tensor.ts';
import type { InputSpec } from '../../card.ts';
import { mapToOriginal } from '../../preprocess.ts';
import { topKMean } from '../simulated/simulated-scorer.ts';
import type { RawScores } from '../scorer.ts';
import { scoreImagesAs } from '../tiled-scoring.ts';
import type { InputScorer } from '../tiled-scoring.ts';
import type { ScoreNormalisation } from '../thresholds.ts';

/** Mean and standard deviation of one part's raw image scores on the good validation images. */
export interface PartStats {
  mean: number;
  std: number;
}

/** The agreement map's statistics (see the module comment); only with `imageScore: 'mean-z-agreement'`. */
export interface AgreementStats {
  /** Mean and standard deviation of PatchCore's raw map pixels on the good validation images, at the model input. */
  patchcorePixel: PartStats;
  /** The same for the simulated part's raw map. */
  simulatedPixel: PartStats;
  /** Pixels of the agreement map averaged into its score. */
  topK: number;
}

/** How the combined detector fuses its parts (anomaly.json `fusion`). */
export interface CombinedFusion {
  /** The image score: the mean of two z-scores (see the module comment). */
  imageScore: 'mean-z' | 'mean-z-agreement';
  /** The map: the simulated part's. */
  map: 'simulated';
  patchcore: PartStats;
  /** Statistics of the simulated part's image score, or with `mean-z-agreement` of the agreement score. */
  simulated: PartStats;
  agreement?: AgreementStats;
  /** Good validation images the statistics come from. */
  good: number;
}

/** Smallest standard deviation used for a z-score; a smaller one (all good scores equal) is raised to it. */
export const MIN_PART_STD = 1e-6;

/**
 * Mean and population standard deviation of `scores`, the deviation raised to
 * {@link MIN_PART_STD} (then `floored` is true).
 * @throws XQC_ANOMALY without scores or with a non-finite one
 */
export function partStats(scores: ArrayLike<number>): PartStats & { floored: boolean } {
  const n = scores.length;
  if (n === 0) throw new XqcError('XQC_ANOMALY', 'the fusion needs at least one good validation score per part');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) throw new XqcError('XQC_ANOMALY', `a good validation score is not finite (${scores[i]})`);
    sum += scores[i];
  }
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (scores[i] - mean) ** 2;
  const std = Math.sqrt(sq / n);
  return std < MIN_PART_STD ? { mean, std: MIN_PART_STD, floored: true } : { mean, std, floored: false };
}

/** The fused raw image score of one image: the mean of the parts' z-scores. */
export function fuseScore(patchcore: number, simulated: number, f: Pick<CombinedFusion, 'patchcore' | 'simulated'>): number {
  return ((patchcore - f.patchcore.mean) / f.patchcore.std + (simulated - f.simulated.mean) / f.simulated.std) / 2;
}

/**
 * The agreement map of one image (see the module comment): both raw maps, of the same
 * size, in z-units of their good pixels; the geometric mean where both are positive, else
 * the smaller.
 * @throws XQC_SHAPE_MISMATCH for maps of different sizes
 */
export function agreementMap(simulated: Float32Array, patchcore: Float32Array, a: Pick<AgreementStats, 'patchcorePixel' | 'simulatedPixel'>): Float32Array {
  if (simulated.length !== patchcore.length) throw new XqcError('XQC_SHAPE_MISMATCH', `the simulated map has ${simulated.length} pixels, PatchCore's ${patchcore.length}`);
  const out = new Float32Array(simulated.length);
  const { mean: ms, std: ss } = a.simulatedPixel;
  const { mean: mp, std: sp } = a.patchcorePixel;
  for (let j = 0; j < out.length; j++) {
    const s = (simulated[j] - ms) / ss;
    const p = (patchcore[j] - mp) / sp;
    out[j] = s > 0 && p > 0 ? Math.sqrt(s * p) : Math.min(s, p);
  }
  return out;
}

/** The agreement score of one image: the mean of the `a.topK` largest pixels of its {@link agreementMap}. */
export function agreementScore(simulated: Float32Array, patchcore: Float32Array, a: AgreementStats): number {
  return topKMean(agreementMap(simulated, patchcore, a), a.topK);
}

/**
 * The normalisation of fused scores, as `thresholds.ts` `normalisationFor` but for
 * z-units, which may be negative: `low` is the lowest good validation score when it lies
 * below the threshold, else the threshold less 1 (one standard deviation); `high` =
 * threshold + (threshold - low).
 * @throws XQC_ANOMALY for a non-finite threshold
 */
export function fusedNormalisation(threshold: number, good: ArrayLike<number>): ScoreNormalisation {
  if (!Number.isFinite(threshold)) throw new XqcError('XQC_ANOMALY', `the fused threshold must be finite, got ${threshold}`);
  let low = Infinity;
  for (let i = 0; i < good.length; i++) low = Math.min(low, good[i]);
  if (!(low < threshold)) low = threshold - 1;
  return { low, threshold, high: 2 * threshold - low };
}

/** The parts' raw image scores of a batch and the simulated part's maps. */
export interface PartScores {
  patchcore: Float64Array;
  /** The simulated part's own image scores (the mean of its map's top pixels). */
  simulated: Float64Array;
  /** The simulated part's raw maps and patch scores. */
  maps: Float32Array[];
  patchScores: Float32Array;
  /** PatchCore's raw maps, brought back to the model input. */
  patchcoreMaps: Float32Array[];
}

/** What a {@link CombinedScorer} needs. */
export interface CombinedScorerSpec {
  /** The model input (the simulated part's input spec). */
  input: InputSpec;
  patchcore: { scorer: InputScorer; input: InputSpec };
  simulated: InputScorer;
  fusion: Pick<CombinedFusion, 'patchcore' | 'simulated' | 'imageScore' | 'agreement'>;
  /** Images PatchCore scores at a time (default 8). */
  batchSize?: number;
}

/** The two parts scored together (see the module comment). */
export class CombinedScorer {
  constructor(readonly spec: CombinedScorerSpec) {
    const c = spec.input.color;
    if (c === 'gray') throw new XqcError('XQC_ANOMALY', "the combined detector's input must be colour (rgb or bgr), as the simulated part's is");
  }

  /** The 8-bit images a prepared input batch [N, C, H, W] was made from. */
  imagesOf(input: Tensor): ImageU8[] {
    const [n, c, h, w] = input.dims;
    const data = input.data as Float32Array;
    const plane = c * h * w;
    const { color, mean, std } = this.spec.input;
    const order = color === 'bgr' ? 'bgr' : 'rgb';
    const images: ImageU8[] = [];
    for (let i = 0; i < n; i++) images.push(planarToImage({ channels: c, height: h, width: w, data: data.subarray(i * plane, (i + 1) * plane) }, { order, mean, std }));
    return images;
  }

  /** Both parts' raw image scores of a prepared input batch, and the simulated part's maps. */
  async partScores(input: Tensor): Promise<PartScores> {
    const sim = await this.spec.simulated.score(input);
    const pc = await scoreImagesAs(this.spec.patchcore.scorer, this.imagesOf(input), this.spec.patchcore.input, this.spec.batchSize ?? 8);
    const patchcoreMaps = pc.maps.map((m, i) => mapToOriginal(m, pc.placements[i]).data);
    return { patchcore: pc.scores, simulated: sim.scores, maps: sim.maps, patchScores: sim.patchScores ?? new Float32Array(0), patchcoreMaps };
  }

  /**
   * The simulated side's raw image scores of part scores under the fusion: the agreement
   * scores with `mean-z-agreement`, else the simulated part's own.
   * @throws XQC_ANOMALY for `mean-z-agreement` without agreement statistics
   */
  simulatedSide(p: PartScores): Float64Array {
    const f = this.spec.fusion;
    if (f.imageScore !== 'mean-z-agreement') return p.simulated;
    if (!f.agreement) throw new XqcError('XQC_ANOMALY', 'the fusion mean-z-agreement needs its agreement statistics');
    const a = f.agreement;
    return Float64Array.from(p.maps, (m, i) => agreementScore(m, p.patchcoreMaps[i], a));
  }

  /** Raw fused image scores and the simulated part's raw maps of a prepared input batch. */
  async score(input: Tensor): Promise<RawScores> {
    const p = await this.partScores(input);
    const side = this.simulatedSide(p);
    const scores = new Float64Array(p.patchcore.length);
    for (let i = 0; i < scores.length; i++) scores[i] = fuseScore(p.patchcore[i], side[i], this.spec.fusion);
    return { scores, maps: p.maps, patchScores: p.patchScores };
  }
}
