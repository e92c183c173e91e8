/**
 * RISE (Petsiuk et al. 2018): N random masks M_i in [0, 1]^(H x W), each a binary
 * `grid` x `grid` pattern (cell on with probability p) upsampled bilinearly to
 * (grid + 1) * ceil(H / grid) pixels and cropped at a random shift in [0, cell), as in the
 * authors' code. The masked image keeps x where M = 1 and shows the fill where M = 0,
 * x_i = fill + M_i (x - fill) (fill 'zero' gives the paper's x * M_i), and
 *   map = sum_i (f(x_i) - c) M_i / (N p),
 * with c = 0 (`center: false`, the paper's formula) or, by default, c = the mean of the
 * f(x_i). The paper explains probabilities; targets here are often logits, whose sign is
 * arbitrary, and c = 0 then adds an offset of about E[f] to every pixel (plus the noise of
 * each pixel's mask coverage) that can hide the map under a 'positive' display. Centring
 * removes both and leaves the expected ranking of pixels unchanged.
 * Masks are drawn from the input's seed, in order, and sent f.maxBatch at a time.
 */
import { uniformRng } from '../../util/random.ts';
import { buildBatch, checkExplainInput, since } from '../explain-input.ts';
import { fillImage } from '../perturbation.ts';
import type { FillKind } from '../perturbation.ts';
import { resolveParams } from '../method-params.ts';
import type { ParamTable } from '../method-params.ts';
import type { ExplainInput, Explainer, Explanation } from '../types.ts';

/** Parameters of {@link rise}. */
export interface RiseParams {
  /** Number of masks N (default 1000). */
  masks: number;
  /** Side s of the coarse binary grid (default 8). */
  grid: number;
  /** Probability p that a grid cell keeps the image (default 0.5). */
  probability: number;
  /** What masked-out pixels show (default 'zero', the paper's x * M). */
  fill: FillKind;
  /** Blur sigma for fill 'blur', as a fraction of the larger image side (default 0.05). */
  blurSigma: number;
  /** Subtract the mean masked score (default true; false gives the paper's formula). */
  center: boolean;
}

/** Declared parameters of {@link rise}. */
export const RISE_PARAMS: ParamTable = Object.freeze({
  masks: { kind: 'integer', default: 1000, min: 1, doc: 'number of random masks N' },
  grid: { kind: 'integer', default: 8, min: 1, doc: 'side of the coarse binary grid' },
  probability: { kind: 'number', default: 0.5, min: 0, max: 1, exclusiveMin: true, doc: 'probability that a grid cell keeps the image' },
  fill: { kind: 'enum', default: 'zero', values: ['mean', 'zero', 'blur'], orNumber: true, doc: "what masked-out pixels show ('zero' is the paper x * M)" },
  blurSigma: { kind: 'number', default: 0.05, min: 0, doc: "blur sigma of fill 'blur', as a fraction of the larger image side" },
  center: { kind: 'boolean', default: true, doc: 'subtract the mean masked score (false: the paper formula)' },
});

/** Bilinear taps (half-pixel centres, edges clamped) from `src` cells onto `dst` pixels. */
function taps(src: number, dst: number): { i0: Int32Array; i1: Int32Array; t: Float64Array } {
  const i0 = new Int32Array(dst);
  const i1 = new Int32Array(dst);
  const t = new Float64Array(dst);
  for (let d = 0; d < dst; d++) {
    const s = Math.min(src - 1, Math.max(0, ((d + 0.5) * src) / dst - 0.5));
    i0[d] = Math.floor(s);
    i1[d] = Math.min(src - 1, i0[d] + 1);
    t[d] = s - i0[d];
  }
  return { i0, i1, t };
}

/**
 * A generator of RISE masks [H*W] for an image of `width` x `height` (see the module
 * comment); each call fills `out` from `uniform`. Bilinear interpolation is separable:
 * the grid rows are interpolated along x once, then each output row mixes two of them.
 */
export function riseMasks(width: number, height: number, grid: number, probability: number, uniform: () => number): (out: Float32Array) => void {
  const cellH = Math.ceil(height / grid);
  const cellW = Math.ceil(width / grid);
  const ty = taps(grid, (grid + 1) * cellH);
  const tx = taps(grid, (grid + 1) * cellW);
  const cells = new Float64Array(grid * grid);
  const rows = new Float64Array(grid * width);
  return (out) => {
    for (let i = 0; i < cells.length; i++) cells[i] = uniform() < probability ? 1 : 0;
    const dy = Math.floor(uniform() * cellH);
    const dx = Math.floor(uniform() * cellW);
    const { i0: cx0, i1: cx1, t: fx } = tx;
    for (let r = 0; r < grid; r++) {
      const row = r * grid;
      for (let x = 0; x < width; x++) {
        const a = cells[row + cx0[x + dx]];
        rows[r * width + x] = a + fx[x + dx] * (cells[row + cx1[x + dx]] - a);
      }
    }
    const { i0: ry0, i1: ry1, t: fy } = ty;
    for (let y = 0; y < height; y++) {
      const top = ry0[y + dy] * width;
      const bottom = ry1[y + dy] * width;
      const t = fy[y + dy];
      const o = y * width;
      for (let x = 0; x < width; x++) out[o + x] = rows[top + x] + t * (rows[bottom + x] - rows[top + x]);
    }
  };
}

/** See the module comment. */
export const rise: Explainer<RiseParams> = {
  name: 'rise',
  params: RISE_PARAMS,
  async explain(input: ExplainInput, params: Partial<RiseParams> = {}): Promise<Explanation> {
    const t0 = performance.now();
    const shape = checkExplainInput(input);
    const p = resolveParams<RiseParams>('rise', RISE_PARAMS, params);
    const x = input.x.data;
    const fill = fillImage(p.fill, x, shape, { blurSigma: p.blurSigma });
    const diff = Float32Array.from(x, (v, i) => v - fill[i]);
    const plane = shape.width * shape.height;
    const next = riseMasks(shape.width, shape.height, p.grid, p.probability, uniformRng(input.seed));
    const f = input.f;
    const acc = new Float64Array(plane);
    const coverage = new Float64Array(plane);
    const masks = new Float32Array(Math.min(f.maxBatch, p.masks) * plane);
    let total = 0;
    for (let start = 0; start < p.masks; start += f.maxBatch) {
      const n = Math.min(f.maxBatch, p.masks - start);
      const batch = buildBatch(shape, n, (k, out) => {
        const m = masks.subarray(k * plane, (k + 1) * plane);
        next(m);
        for (let off = 0; off < out.length; off += plane) {
          for (let i = 0; i < plane; i++) out[off + i] = fill[off + i] + m[i] * diff[off + i];
        }
      });
      const scores = await f.values(batch);
      for (let k = 0; k < n; k++) {
        const s = scores[k];
        total += s;
        const off = k * plane;
        for (let i = 0; i < plane; i++) {
          acc[i] += s * masks[off + i];
          coverage[i] += masks[off + i];
        }
      }
    }
    const mean = total / p.masks;
    const c = p.center ? mean : 0;
    const scale = 1 / (p.masks * p.probability);
    return {
      method: 'rise',
      map: { width: shape.width, height: shape.height, data: Float32Array.from(acc, (v, i) => (v - c * coverage[i]) * scale) },
      params: { masks: p.masks, grid: p.grid, probability: p.probability, fill: p.fill, blurSigma: p.blurSigma, center: p.center, seed: input.seed },
      runtimeMs: since(t0),
      evaluations: p.masks,
      extras: { meanMaskedScore: mean },
    };
  },
};
