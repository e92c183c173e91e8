/**
 * Loss functions appended to a graph as ONNX nodes, so the autodiff differentiates them
 * with the network. Targets are float inputs shaped like the logits (one-hot, smoothed in
 * JavaScript), which keeps one graph for every label-smoothing setting.
 */
import type { GraphBuilder } from '../onnx/builder.ts';
import { tensor } from '../onnx/tensor.ts';

/** Loss kinds. */
export type LossKind = 'softmax-ce' | 'bce-logits' | 'dice-ce';

/**
 * Mean softmax cross-entropy over the batch (and pixels):
 * L = mean_{n(,h,w)} ( -sum_k t[n,k] * log_softmax(z)[n,k] ), classes on axis 1.
 * @param logits [N, K] or [N, K, H, W]; @param targets same shape, rows summing to 1.
 */
export function softmaxCrossEntropy(b: GraphBuilder, logits: string, targets: string): string {
  const logp = b.op1('LogSoftmax', [logits], { axis: 1 });
  const perItem = b.reduceSum(b.mul(logp, targets), [1], false);
  return b.neg(b.reduce('ReduceMean', perItem, [], false));
}

/**
 * Mean binary cross-entropy with logits, in the numerically stable form
 * L = mean( max(z, 0) - z * t + log(1 + exp(-|z|)) ).
 */
export function bceWithLogits(b: GraphBuilder, logits: string, targets: string): string {
  const relu = b.op1('Relu', [logits]);
  const softplus = b.op1('Log', [b.add(b.scalar(1, 'float32'), b.op1('Exp', [b.neg(b.op1('Abs', [logits]))]))]);
  const per = b.add(b.sub(relu, b.mul(logits, targets)), softplus);
  return b.reduce('ReduceMean', per, [], false);
}

/**
 * Class-weighted softmax cross-entropy over pixels, normalised like PyTorch's weighted
 * mean: L = -sum w_k t log p / sum w_k t, classes on axis 1.
 * @param weights one weight per class
 */
export function weightedCrossEntropy(b: GraphBuilder, logits: string, targets: string, weights: number[]): string {
  const w = b.constant(tensor('float32', [1, weights.length, 1, 1], weights), 'class_weights');
  const wt = b.mul(targets, w);
  const logp = b.op1('LogSoftmax', [logits], { axis: 1 });
  const num = b.reduceSum(b.mul(logp, wt), [], false);
  return b.neg(b.div(num, b.reduceSum(wt, [], false)));
}

/**
 * Segmentation loss: class-weighted softmax cross-entropy plus soft Dice over the
 * foreground classes 1..K-1 (class 0 is the background),
 * Dice_k = (2 sum p t + eps) / (sum p + sum t + eps), L = CE_w + (1 - mean_k Dice_k).
 * eps = 1 keeps classes absent from a batch from dominating. Defects often cover under 1 %
 * of the pixels; without the class weights the background saturates the softmax before
 * the Dice term can pull the defect classes up.
 * @param logits [N, K, H, W]; @param targets one-hot [N, K, H, W]; @param classWeights default all 1.
 */
export function diceCrossEntropy(b: GraphBuilder, logits: string, targets: string, numClasses: number, classWeights?: number[]): string {
  const ce = classWeights ? weightedCrossEntropy(b, logits, targets, classWeights) : softmaxCrossEntropy(b, logits, targets);
  const p = b.op1('Softmax', [logits], { axis: 1 });
  const fg = (x: string): string => (numClasses > 1 ? b.op1('Slice', [x, b.int64s([1]), b.int64s([numClasses]), b.int64s([1])]) : x);
  const pf = fg(p);
  const tf = fg(targets);
  const inter = b.reduceSum(b.mul(pf, tf), [0, 2, 3], false);
  const denom = b.add(b.reduceSum(pf, [0, 2, 3], false), b.reduceSum(tf, [0, 2, 3], false));
  const one = b.scalar(1, 'float32');
  const dice = b.div(b.add(b.mul(b.scalar(2, 'float32'), inter), one), b.add(denom, one));
  const diceLoss = b.sub(one, b.reduce('ReduceMean', dice, [], false));
  return b.add(ce, diceLoss);
}

/**
 * Class weights from pixel frequencies: w_k = sqrt(f_0 / f_k) clipped to [1, maxWeight]
 * (the background, class 0, keeps weight 1; absent classes get maxWeight).
 */
export function classWeightsFromFrequencies(counts: ArrayLike<number>, maxWeight = 30): number[] {
  const f0 = Math.max(1, counts[0]);
  return Array.from(counts, (c, k) => (k === 0 ? 1 : Math.min(maxWeight, Math.max(1, Math.sqrt(f0 / Math.max(1, c))))));
}

/** One-hot targets with label smoothing: t = (1 - s) * onehot + s / K. Returns [labels.length * K]. */
export function smoothedOneHot(labels: ArrayLike<number>, numClasses: number, smoothing = 0): Float32Array {
  const out = new Float32Array(labels.length * numClasses).fill(smoothing / numClasses);
  for (let i = 0; i < labels.length; i++) out[i * numClasses + labels[i]] += 1 - smoothing;
  return out;
}

/** One-hot planes [K, H*W] of a class-id mask, appended at `offset` of `out`. */
export function maskOneHot(mask: ArrayLike<number>, numClasses: number, out: Float32Array, offset: number): void {
  const plane = mask.length;
  for (let i = 0; i < plane; i++) out[offset + Math.min(mask[i], numClasses - 1) * plane + i] = 1;
}
