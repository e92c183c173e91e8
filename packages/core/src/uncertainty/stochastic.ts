/**
 * Shared by MC-Dropout and ensembles: softmax of classifier or segmenter logits into
 * class-last probability rows, and the summary of S stochastic predictions.
 */
import { XqcError } from '../errors.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { uncertaintyMeasures } from './measures.ts';
import type { UncertaintyMeasures } from './measures.ts';

/**
 * Probabilities with classes last: logits [B, K] -> [B*K]; logits [B, K, H, W] -> [B*H*W*K]
 * (pixel rows), softmax of logits / temperature.
 */
export function classLastProbabilities(logits: Tensor, temperature = 1): { probs: Float64Array; items: number; classes: number; spatial: number[] } {
  if (logits.dims.length !== 2 && logits.dims.length !== 4) {
    throw new XqcError('XQC_UNCERTAINTY', `expected logits [B,K] or [B,K,H,W], got [${logits.dims.join(',')}]`);
  }
  const [b, k] = logits.dims;
  const spatial = logits.dims.slice(2);
  const plane = spatial.reduce((a, d) => a * d, 1);
  const d = logits.data as Float32Array;
  const probs = new Float64Array(b * plane * k);
  const row = new Float64Array(k);
  for (let n = 0; n < b; n++) {
    for (let p = 0; p < plane; p++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        row[c] = d[(n * k + c) * plane + p] / temperature;
        if (row[c] > max) max = row[c];
      }
      let s = 0;
      for (let c = 0; c < k; c++) s += row[c] = Math.exp(row[c] - max);
      const at = (n * plane + p) * k;
      for (let c = 0; c < k; c++) probs[at + c] = row[c] / s;
    }
  }
  return { probs, items: b * plane, classes: k, spatial };
}

/** Summary of S stochastic predictions of N images. */
export interface StochasticPrediction {
  samples: number;
  /** Images. */
  images: number;
  classes: number;
  /** [H, W] for segmenters (measures are then per pixel: items = images * H * W), [] for classifiers. */
  spatial: number[];
  measures: UncertaintyMeasures;
  /** [items] share of samples whose top class differs from the mean's top class. */
  disagreement: Float64Array;
  /** [items] top class of the mean probability. */
  predicted: Int32Array;
}

/**
 * Combines per-sample probabilities [S][items*K] into the measures.
 * @param perSample S arrays of class-last probabilities of equal length.
 */
export function summariseSamples(perSample: Float64Array[], classes: number, images: number, spatial: number[]): StochasticPrediction {
  const s = perSample.length;
  const items = perSample[0].length / classes;
  const all = new Float64Array(s * items * classes);
  perSample.forEach((p, i) => all.set(p, i * items * classes));
  const measures = uncertaintyMeasures(all, { samples: s, items, classes });
  const predicted = new Int32Array(items);
  const disagreement = new Float64Array(items);
  for (let i = 0; i < items; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (measures.mean[i * classes + c] > measures.mean[i * classes + best]) best = c;
    predicted[i] = best;
    let differ = 0;
    for (const p of perSample) {
      let top = 0;
      for (let c = 1; c < classes; c++) if (p[i * classes + c] > p[i * classes + top]) top = c;
      if (top !== best) differ++;
    }
    disagreement[i] = differ / s;
  }
  return { samples: s, images, classes, spatial, measures, disagreement, predicted };
}
