/**
 * Inference rules of neural-network layers other than windows: normalisations, matrix
 * products (Gemm, MatMul with NumPy rank rules, Einsum) and the losses.
 */
import { XqcError } from '../../errors.ts';
import type { Dim } from '../ir.ts';
import { broadcastShapes } from './broadcast.ts';
import { normAxis, unifyDim } from './dims.ts';
import { copyType, sameAsInput } from './ops-common.ts';
import type { InferFn, ValueType } from './types.ts';

/**
 * BatchNormalization: Y like X; the statistics outputs (training mode only) are `[C]`:
 * running mean and variance from opset 14, mean, var, saved mean and saved var before.
 */
const batchNorm: InferFn = (c) => {
  const x = c.input(0);
  const channels: Dim = x?.shape?.[1] ?? c.input(1)?.shape?.[0] ?? null;
  const stat = (): ValueType => ({ dtype: c.input(3)?.dtype ?? x?.dtype, shape: [channels] });
  const extra = c.opset >= 14 ? 2 : 4;
  return [copyType(x), ...Array.from({ length: extra }, stat)];
};

/**
 * LayerNormalization: Y like X; Mean and InvStdDev keep the dims before `axis` and have 1
 * after it, in float32 when `stash_type` is 1 (the default), whatever X's dtype.
 */
const layerNorm: InferFn = (c) => {
  const x = c.input(0);
  const statType = c.attrInt('stash_type', 1) === 1 ? 'float32' : x?.dtype;
  let statShape: Dim[] | undefined;
  if (x?.shape) {
    const axis = normAxis(c.attrInt('axis', -1), x.shape.length);
    statShape = x.shape.map((d, i) => (i < axis ? d : 1));
  }
  return [copyType(x), { dtype: statType, shape: statShape }, { dtype: statType, shape: statShape ? [...statShape] : undefined }];
};

/** Gemm: `[M, K] x [K, N] -> [M, N]`, with `transA`/`transB` swapping the operand's dims. */
const gemm: InferFn = (c) => {
  const a = c.input(0)?.shape;
  const b = c.input(1)?.shape;
  const m = a ? a[c.attrInt('transA', 0) ? 1 : 0] : null;
  const n = b ? b[c.attrInt('transB', 0) ? 0 : 1] : null;
  return [{ dtype: c.input(0)?.dtype, shape: [m ?? null, n ?? null] }];
};

/**
 * MatMul with NumPy's rules: a 1-D left operand is a row (its dim is dropped from the
 * result), a 1-D right operand a column; leading (batch) dims broadcast.
 */
const matMul: InferFn = (c) => {
  const dtype = c.input(0)?.dtype;
  const a = c.input(0)?.shape;
  const b = c.input(1)?.shape;
  if (!a || !b) return [{ dtype }];
  if (a.length === 0 || b.length === 0) throw new XqcError('XQC_SHAPE_INFERENCE', 'MatMul operands must have rank >= 1');
  const aa = a.length === 1 ? [1, a[0]] : a;
  const bb = b.length === 1 ? [b[0], 1] : b;
  const batch = broadcastShapes([aa.slice(0, -2), bb.slice(0, -2)]) as Dim[];
  const shape: Dim[] = [...batch];
  if (a.length > 1) shape.push(aa[aa.length - 2]);
  if (b.length > 1) shape.push(bb[bb.length - 1]);
  return [{ dtype, shape }];
};

/** Einsum: each letter's extent from the operands; implicit output = letters used once, sorted. */
const einsum: InferFn = (c) => {
  const dtype = c.input(0)?.dtype;
  const eq = c.attrString('equation', '').replace(/\s/g, '');
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',');
  const shapes = terms.map((_, i) => c.input(i)?.shape);
  if (shapes.some((s) => s === undefined)) return [{ dtype }];
  const extent = new Map<string, Dim>();
  const uses = new Map<string, number>();
  const ellipses: Dim[][] = [];
  terms.forEach((term, t) => {
    const s = shapes[t] as Dim[];
    const [head, tail] = term.includes('...') ? term.split('...') : [term, undefined];
    const nEll = tail === undefined ? 0 : s.length - head.length - tail.length;
    if (tail !== undefined) ellipses.push(s.slice(head.length, head.length + nEll));
    const letters = [...head, ...(tail ?? '')];
    const dims = [...s.slice(0, head.length), ...s.slice(head.length + nEll)];
    if (dims.length !== letters.length) throw new XqcError('XQC_SHAPE_INFERENCE', `Einsum term '${term}' does not match rank ${s.length}`);
    letters.forEach((l, k) => {
      const prev = extent.has(l) ? (extent.get(l) as Dim) : dims[k];
      // A size-1 operand dim broadcasts against the letter's other extent.
      extent.set(l, prev === 1 ? dims[k] : dims[k] === 1 ? prev : unifyDim(prev, dims[k]));
      uses.set(l, (uses.get(l) ?? 0) + 1);
    });
  });
  const ell = broadcastShapes(ellipses) as Dim[];
  const out = rhs ?? `${ellipses.length ? '...' : ''}${[...uses].filter(([, n]) => n === 1).map(([l]) => l).sort().join('')}`;
  const shape: Dim[] = [];
  const [outHead, outTail] = out.includes('...') ? out.split('...') : [out, undefined];
  for (const l of outHead) shape.push(extent.get(l) ?? null);
  if (outTail !== undefined) {
    shape.push(...ell);
    for (const l of outTail) shape.push(extent.get(l) ?? null);
  }
  return [{ dtype, shape }];
};

/**
 * SoftmaxCrossEntropyLoss / NegativeLogLikelihoodLoss: scores `[N, C, d1..dk]`, labels
 * `[N, d1..dk]`; the loss is a scalar unless `reduction` is 'none' (then labels-shaped);
 * the optional log_prob output is shaped like the scores.
 */
const loss: InferFn = (c) => {
  const scores = c.input(0);
  const labels = c.input(1)?.shape ?? scores?.shape?.filter((_, i) => i !== 1);
  const shape = c.attrString('reduction', 'mean') === 'none' ? (labels ? [...labels] : undefined) : [];
  return [{ dtype: scores?.dtype, shape }, copyType(scores)];
};

/** Rules of this family, keyed by op type. */
export const NN_RULES: Record<string, InferFn> = {
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  InstanceNormalization: sameAsInput,
  GroupNormalization: sameAsInput,
  Gemm: gemm,
  MatMul: matMul,
  Einsum: einsum,
  SoftmaxCrossEntropyLoss: loss,
  NegativeLogLikelihoodLoss: loss,
};
