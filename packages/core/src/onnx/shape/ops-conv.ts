/**
 * Inference rules of sliding-window operators: Conv, ConvTranspose and the pools. The
 * output-size formulas are ONNX Runtime's (which is what every XAI-QC model runs on);
 * they agree with the ONNX specification except where noted.
 */
import { XqcError } from '../../errors.ts';
import type { Dim } from '../ir.ts';
import { mulDim } from './dims.ts';
import type { InferContext, InferFn, ValueType } from './types.ts';

interface Window {
  kernel: Dim[];
  strides: number[];
  dilations: number[];
  /** Begin pads then end pads, 2 per spatial axis. */
  pads: number[];
  autoPad: string;
}

function windowOf(c: InferContext, spatial: number, kernelFallback: Dim[] | undefined): Window {
  const ones = new Array<number>(spatial).fill(1);
  const kernel = c.attrInts('kernel_shape') ?? kernelFallback ?? new Array<Dim>(spatial).fill(null);
  const autoPad = c.attrString('auto_pad', 'NOTSET');
  const pads = autoPad === 'NOTSET' ? (c.attrInts('pads') ?? new Array<number>(2 * spatial).fill(0)) : new Array<number>(2 * spatial).fill(0);
  const w: Window = { kernel, strides: c.attrInts('strides') ?? ones, dilations: c.attrInts('dilations') ?? ones, pads, autoPad };
  if (w.kernel.length !== spatial || w.strides.length !== spatial || w.dilations.length !== spatial || w.pads.length !== 2 * spatial) {
    throw new XqcError('XQC_SHAPE_INFERENCE', `${c.node.opType} attributes do not match ${spatial} spatial dims`);
  }
  return w;
}

/** Conv output extent: `floor((in + pads - (d*(k-1)+1)) / s) + 1`; `ceil(in / s)` for SAME padding. */
function convDim(x: Dim, w: Window, i: number): Dim {
  const k = w.kernel[i];
  const s = w.strides[i];
  const d = w.dilations[i];
  const padTotal = w.pads[i] + w.pads[i + w.kernel.length];
  const same = w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER';
  if (typeof x !== 'number') {
    if (s !== 1) return null;
    if (same || (typeof k === 'number' && padTotal === d * (k - 1))) return x;
    return null;
  }
  if (same) return Math.ceil(x / s);
  if (typeof k !== 'number') return null;
  return Math.floor((x + padTotal - (d * (k - 1) + 1)) / s) + 1;
}

/**
 * Pool output extent, as ONNX Runtime computes it: SAME padding first pads to reach
 * `ceil(in / s)` windows of the undilated kernel; with `ceil_mode` a last window that
 * would start beyond the input and its begin pad is dropped (PyTorch's rule).
 */
function poolDim(x: Dim, w: Window, i: number, ceilMode: boolean): Dim {
  const k = w.kernel[i];
  if (typeof x !== 'number' || typeof k !== 'number') return null;
  const s = w.strides[i];
  const d = w.dilations[i];
  let padBegin = w.pads[i];
  let padTotal = padBegin + w.pads[i + w.kernel.length];
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') {
    padTotal = (Math.ceil(x / s) - 1) * s + k - x;
    padBegin = w.autoPad === 'SAME_UPPER' ? Math.floor(padTotal / 2) : padTotal - Math.floor(padTotal / 2);
  }
  const span = x + padTotal - d * (k - 1) - 1;
  if (!ceilMode) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  if ((out - 1) * s >= x + padBegin) out--;
  return out;
}

/** ConvTranspose output extent: `s*(in-1) + output_padding + d*(k-1) + 1 - pads`, or `in * s` for SAME padding. */
function convTransposeDim(x: Dim, w: Window, i: number, outputPadding: number): Dim {
  const k = w.kernel[i];
  const s = w.strides[i];
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return mulDim(x, s);
  if (typeof x !== 'number' || typeof k !== 'number') return null;
  const d = w.dilations[i];
  const padTotal = w.pads[i] + w.pads[i + w.kernel.length];
  return s * (x - 1) + outputPadding + d * (k - 1) + 1 - padTotal;
}

function spatialOf(c: InferContext): { x: Dim[]; spatial: number } | undefined {
  const x = c.input(0)?.shape ?? (c.input(1)?.shape ? new Array<Dim>(c.input(1)!.shape!.length).fill(null) : undefined);
  if (!x) return undefined;
  if (x.length < 3) throw new XqcError('XQC_SHAPE_INFERENCE', `${c.node.opType} input needs rank >= 3, got ${x.length}`);
  return { x, spatial: x.length - 2 };
}

const conv: InferFn = (c) => {
  const dtype = c.input(0)?.dtype;
  const sp = spatialOf(c);
  if (!sp) return [{ dtype }];
  const wShape = c.input(1)?.shape;
  const win = windowOf(c, sp.spatial, wShape?.slice(2));
  const out: Dim[] = [sp.x[0], wShape?.[0] ?? null];
  for (let i = 0; i < sp.spatial; i++) out.push(convDim(sp.x[i + 2], win, i));
  return [{ dtype, shape: out }];
};

/** ConvTranspose: `output_shape` (spatial dims, or N, C and spatial) wins over the formula. */
const convTranspose: InferFn = (c) => {
  const dtype = c.input(0)?.dtype;
  const sp = spatialOf(c);
  if (!sp) return [{ dtype }];
  const wShape = c.input(1)?.shape;
  const win = windowOf(c, sp.spatial, wShape?.slice(2));
  const out: Dim[] = [sp.x[0], mulDim(wShape?.[1] ?? null, c.attrInt('group', 1))];
  const explicit = c.attrInts('output_shape');
  const outputPadding = c.attrInts('output_padding') ?? new Array<number>(sp.spatial).fill(0);
  for (let i = 0; i < sp.spatial; i++) {
    out.push(explicit ? explicit[explicit.length - sp.spatial + i] : convTransposeDim(sp.x[i + 2], win, i, outputPadding[i]));
  }
  return [{ dtype, shape: out }];
};

const pool: InferFn = (c) => {
  const dtype = c.input(0)?.dtype;
  const sp = spatialOf(c);
  if (!sp) return [{ dtype }, { dtype: 'int64' }];
  const win = windowOf(c, sp.spatial, undefined);
  const ceilMode = c.attrInt('ceil_mode', 0) === 1;
  const shape: Dim[] = [sp.x[0], sp.x[1]];
  for (let i = 0; i < sp.spatial; i++) shape.push(poolDim(sp.x[i + 2], win, i, ceilMode));
  const y: ValueType = { dtype, shape };
  // MaxPool's optional second output holds flat int64 indices of the maxima.
  return [y, { dtype: 'int64', shape: [...shape] }];
};

const globalPool: InferFn = (c) => {
  const x = c.input(0);
  return [{ dtype: x?.dtype, shape: x?.shape?.map((d, i) => (i < 2 ? d : 1)) }];
};

/** Rules of this family, keyed by op type. */
export const CONV_RULES: Record<string, InferFn> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
};
