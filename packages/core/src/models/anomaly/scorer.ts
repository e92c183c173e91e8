/**
 * PatchCore scoring (Roth et al. 2022, section 3.3) of a prepared input batch:
 *
 * - patch score: the Euclidean distance of each test patch feature to its nearest bank
 *   feature (k-NN with k = 1 in ONNX Runtime, `nn-search.ts`);
 * - image score, `reweighted` (the paper's eq. 7, as anomalib computes it): with m_test the
 *   patch of largest score s*, m* its nearest bank feature and N_b(m*) the b nearest bank
 *   features of m* (m* itself first), s = (1 - softmax_j(||m_test - n_j||)_0) s*; or `max`,
 *   s = s*;
 * - anomaly map: the patch-score grid resized bilinearly (half-pixel centres) to the input
 *   size, then smoothed by a Gaussian of sigma pixels (`gaussian-blur.ts`).
 *
 * These are raw distances; thresholds and normalisation live in `detector.ts`.
 */
import { XqcError } from '../../errors.ts';
import { gaussianBlurMap } from '../../image/gaussian-blur.ts';
import { resizeMap } from '../../image/image-resize.ts';
import type { Model } from '../../onnx/ir.ts';
import { saveModel } from '../../onnx/model-io.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { defaultSessionCache } from '../../runtime/session.ts';
import type { OnnxSession, SessionCache, SessionOptions } from '../../runtime/session.ts';
import { FEATURES_OUTPUT } from './feature-head.ts';
import { NearestNeighbourIndex } from './nn-search.ts';

/** How image scores and maps are formed. */
export interface ScoringConfig {
  /** `reweighted` (default, the paper's) or `max` (the largest patch score). */
  imageScore: 'reweighted' | 'max';
  /** b, the bank neighbours of m* in the reweighting (default 9, m* included). */
  neighbours: number;
  /** Gaussian sigma of the map smoothing, in input pixels (default 4 at 224, scaled with the input). */
  sigma: number;
}

/** The default sigma for an input of `height x width`: 4 px at 224, proportional to min(height, width). */
export function defaultSigma(height: number, width: number): number {
  return (4 * Math.min(height, width)) / 224;
}

/** Raw scores of a batch. */
export interface RawScores {
  /** [N] image scores (distance units). */
  scores: Float64Array;
  /** N maps [H * W] float32 at input resolution (distance units, smoothed). */
  maps: Float32Array[];
  /** [N * h * w] nearest-bank distance of every patch. */
  patchScores: Float32Array;
}

/** Rows [N * h * w, D] of a features tensor [N, D, h, w]. */
export function featureRows(features: Tensor): Float32Array {
  const [n, d, h, w] = features.dims;
  const src = features.data as Float32Array;
  const plane = h * w;
  const rows = new Float32Array(n * plane * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) {
      const from = (i * d + c) * plane;
      const to = i * plane * d + c;
      for (let p = 0; p < plane; p++) rows[to + p * d] = src[from + p];
    }
  }
  return rows;
}

/** What a scorer needs: the feature graph, the bank and the scoring settings. */
export interface ScorerSpec {
  featureModel: Model;
  inputName: string;
  /** Input [height, width]. */
  size: [number, number];
  /** Bank [M, D] float32, row-major. */
  bank: Float32Array;
  dim: number;
  scoring: ScoringConfig;
}

/** Compiled feature graph and memory bank. */
export class PatchCoreScorer {
  private constructor(
    readonly spec: ScorerSpec,
    private readonly features: OnnxSession,
    readonly index: NearestNeighbourIndex,
  ) {}

  /** Compiles the feature graph and the bank's nearest-neighbour graph. */
  static async create(spec: ScorerSpec, options: { cache?: SessionCache; session?: SessionOptions } = {}): Promise<PatchCoreScorer> {
    const m = spec.bank.length / spec.dim;
    if (!Number.isInteger(m) || m < 1) throw new XqcError('XQC_ANOMALY', `the memory bank holds ${spec.bank.length} values, not rows of ${spec.dim}`);
    const cache = options.cache ?? defaultSessionCache;
    const [features, index] = await Promise.all([
      cache.get(saveModel(spec.featureModel), options.session),
      NearestNeighbourIndex.create(spec.bank, m, spec.dim, { cache, session: options.session }),
    ]);
    return new PatchCoreScorer(spec, features, index);
  }

  /** Patch features [N, D, h, w] of an input batch [N, C, H, W]. */
  async patchFeatures(input: Tensor): Promise<Tensor> {
    const out = await this.features.run({ [this.spec.inputName]: input }, [FEATURES_OUTPUT]);
    return out[FEATURES_OUTPUT];
  }

  /** Raw image scores and anomaly maps of an input batch [N, C, H, W] float32 (preprocessed). */
  async score(input: Tensor): Promise<RawScores> {
    const feats = await this.patchFeatures(input);
    const [n, d, h, w] = feats.dims;
    const plane = h * w;
    const rows = featureRows(feats);
    const nearest = await this.index.search(rows, n * plane, 1);
    const patchScores = nearest.distances;
    const [height, width] = this.spec.size;
    const maps: Float32Array[] = [];
    for (let i = 0; i < n; i++) {
      const grid = { width: w, height: h, data: patchScores.slice(i * plane, (i + 1) * plane) };
      maps.push(gaussianBlurMap(resizeMap(grid, width, height), this.spec.scoring.sigma).data);
    }
    const argmax = new Int32Array(n);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let best = i * plane;
      for (let p = i * plane + 1; p < (i + 1) * plane; p++) if (patchScores[p] > patchScores[best]) best = p;
      argmax[i] = best;
      scores[i] = patchScores[best];
    }
    if (this.spec.scoring.imageScore === 'reweighted') await this.reweight(scores, argmax, rows, nearest.indices, d);
    return { scores, maps, patchScores };
  }

  /** Multiplies each s* by 1 - softmax(||m_test - n_j||)_0 over the b bank neighbours n_j of m*. */
  private async reweight(scores: Float64Array, argmax: Int32Array, rows: Float32Array, nearest: Int32Array, d: number): Promise<void> {
    const bank = this.spec.bank;
    const n = scores.length;
    const b = Math.min(this.spec.scoring.neighbours, this.index.size);
    const stars = new Float32Array(n * d);
    for (let i = 0; i < n; i++) stars.set(bank.subarray(nearest[argmax[i]] * d, (nearest[argmax[i]] + 1) * d), i * d);
    const support = await this.index.search(stars, n, b);
    const dist = new Float64Array(b);
    for (let i = 0; i < n; i++) {
      const q = argmax[i] * d;
      let max = -Infinity;
      for (let j = 0; j < b; j++) {
        const o = support.indices[i * b + j] * d;
        let s = 0;
        for (let c = 0; c < d; c++) {
          const t = rows[q + c] - bank[o + c];
          s += t * t;
        }
        dist[j] = Math.sqrt(s);
        if (dist[j] > max) max = dist[j];
      }
      let z = 0;
      for (let j = 0; j < b; j++) z += Math.exp(dist[j] - max);
      scores[i] *= 1 - Math.exp(dist[0] - max) / z;
    }
  }
}
