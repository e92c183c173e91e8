/**
 * Resize along one axis as a linear map: for modes nearest and linear, Resize is separable,
 * and along one axis Y[o] = sum_i A[o, i] X[i] with a constant A [out, in]. The gradient
 * of that axis is A^T. The coordinates are computed as ONNX Runtime's CPU kernel computes
 * them, in float32 (Math.fround at every step), so nearest-mode rounding ties break the
 * same way; the Resize tests check A against ONNX Runtime's own Resize on random data.
 */
import { XqcError } from '../errors.ts';

/** One resized axis. */
export interface ResizeAxis {
  mode: 'nearest' | 'linear';
  /** coordinate_transformation_mode. */
  ctm: string;
  /** nearest_mode (nearest only). */
  nearestMode: string;
  inSize: number;
  outSize: number;
  /** The scale the kernel uses: the given scale, or outSize / inSize when sizes were given. */
  scale: number;
}

const f = Math.fround;

/** Coordinate transformation modes this module reproduces. */
export const RESIZE_COORDINATE_MODES: ReadonlySet<string> = new Set([
  'half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel', 'tf_half_pixel_for_nn', 'half_pixel_symmetric',
]);

/** Input coordinate of output index `o` (ONNX Resize coordinate_transformation_mode, float32). */
export function originalCoordinate(ctm: string, o: number, scale: number, outSize: number, inSize: number): number {
  const s = f(scale);
  switch (ctm) {
    case 'half_pixel':
      return f(f(f(o + 0.5) / s) - 0.5);
    case 'asymmetric':
      return f(o / s);
    case 'pytorch_half_pixel':
      return outSize > 1 ? f(f(f(o + 0.5) / s) - 0.5) : 0;
    case 'tf_half_pixel_for_nn':
      return f(f(o + 0.5) / s);
    case 'align_corners':
      return outSize === 1 ? 0 : f(f(o * (inSize - 1)) / (outSize - 1));
    case 'half_pixel_symmetric': {
      const adjustment = f(outSize / f(s * inSize));
      const offset = f(f(inSize / 2) * f(1 - adjustment));
      return f(f(offset + f(f(o + 0.5) / s)) - 0.5);
    }
    default:
      throw new XqcError('XQC_INVALID_ARGUMENT', `coordinate_transformation_mode '${ctm}' is not supported`);
  }
}

/** Nearest input index of coordinate `x` (ONNX Resize nearest_mode), before clamping. */
function nearestIndex(mode: string, x: number): number {
  switch (mode) {
    case 'round_prefer_floor':
      return x === Math.trunc(x) + 0.5 ? Math.floor(x) : roundHalfAway(x);
    case 'round_prefer_ceil':
      return roundHalfAway(x);
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    default:
      throw new XqcError('XQC_INVALID_ARGUMENT', `nearest_mode '${mode}' is not supported`);
  }
}

/** std::round: halves away from zero. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** The [outSize, inSize] matrix A of one resized axis, row-major. */
export function resizeMatrix(axis: ResizeAxis): Float64Array {
  const { inSize, outSize } = axis;
  const a = new Float64Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const x = originalCoordinate(axis.ctm, o, axis.scale, outSize, inSize);
    if (axis.mode === 'nearest') {
      const i = Math.min(Math.max(nearestIndex(axis.nearestMode, x), 0), inSize - 1);
      a[o * inSize + i] = 1;
      continue;
    }
    const c = f(Math.max(0, Math.min(x, inSize - 1)));
    const i1 = Math.min(Math.trunc(c), inSize - 1);
    const i2 = Math.min(i1 + 1, inSize - 1);
    if (i1 === i2) {
      a[o * inSize + i1] = 1;
      continue;
    }
    // Weight of i1 is the distance to i2 and vice versa, as float32 differences.
    a[o * inSize + i1] += f(Math.abs(f(c - i2)));
    a[o * inSize + i2] += f(Math.abs(f(c - i1)));
  }
  return a;
}
