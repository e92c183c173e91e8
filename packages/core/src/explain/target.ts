/**
 * The scalar an explanation explains, for every task: a weighted sum of one model value
 * per sample, `f_b(x) = sum_j w_j * v[b, j]`, where `v` is an output (or a value added
 * for the purpose, such as softmax probabilities) and `w` selects what matters: one
 * class logit (classify), the predicted region of one class (segment), one box score
 * (detect), or the anomaly score (anomaly). The weights double as the cotangent of the
 * gradient graph, so one compiled graph serves every target.
 */
import { XqcError } from '../errors.ts';
import { GraphBuilder } from '../onnx/builder.ts';
import type { Model } from '../onnx/ir.ts';
import { cloneModel, defaultOpset } from '../onnx/ir.ts';

/** A target: the value to read and the per-sample weights over its non-batch elements. */
export interface Target {
  /** Value name in the (possibly extended) model. */
  of: string;
  /** Weights over one sample's elements of `of` (row-major, batch axis excluded). */
  weights: Float32Array;
  /** Human-readable description, e.g. `logit[scratch]`. */
  description: string;
}

/** Appends `Softmax(axis=1)` to `logits` so probabilities can be explained; returns the new model and value name. */
export function withSoftmax(model: Model, logits: string): { model: Model; probs: string } {
  const m = cloneModel(model);
  const b = new GraphBuilder(m.graph, defaultOpset(m), 'explain');
  const probs = b.op1('Softmax', [logits], { axis: 1 });
  m.graph.outputs.push({ name: probs, dtype: 'float32' });
  return { model: m, probs };
}

/** Target for class `k` of a classifier with `numClasses` outputs. */
export function classTarget(of: string, numClasses: number, k: number, label = String(k)): Target {
  if (!Number.isInteger(k) || k < 0 || k >= numClasses) {
    throw new XqcError('XQC_EXPLAIN', `target class ${k} is out of range (model has ${numClasses} classes)`);
  }
  const weights = new Float32Array(numClasses);
  weights[k] = 1;
  return { of, weights, description: `${of}[${label}]` };
}

/**
 * Target for class `k` of a segmenter with output [K, H, W] per sample: the sum of class
 * `k`'s values over `region` (a 0/1 mask [H*W]; the whole image when it is empty).
 */
export function regionTarget(of: string, numClasses: number, height: number, width: number, k: number, region?: ArrayLike<number>): Target {
  if (!Number.isInteger(k) || k < 0 || k >= numClasses) {
    throw new XqcError('XQC_EXPLAIN', `target class ${k} is out of range (model has ${numClasses} classes)`);
  }
  const plane = height * width;
  if (region && region.length !== plane) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `region has ${region.length} pixels; the output plane has ${plane}`);
  }
  const weights = new Float32Array(numClasses * plane);
  let any = false;
  if (region) for (let i = 0; i < plane; i++) if (region[i]) any = true;
  for (let i = 0; i < plane; i++) weights[k * plane + i] = !any || (region && region[i]) ? 1 : 0;
  return { of, weights, description: `${of}[${k}] over ${any ? 'the predicted region' : 'the whole image'}` };
}

/** Target for a scalar-per-sample output (anomaly score, detection box score at index `index`). */
export function scalarTarget(of: string, elements = 1, index = 0): Target {
  if (index < 0 || index >= elements) throw new XqcError('XQC_EXPLAIN', `target index ${index} is out of range (${elements} values)`);
  const weights = new Float32Array(elements);
  weights[index] = 1;
  return { of, weights, description: elements === 1 ? of : `${of}[${index}]` };
}
