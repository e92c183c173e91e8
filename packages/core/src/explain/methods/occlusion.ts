/**
 * Occlusion (Zeiler and Fergus 2014): slide a `window` x `window` patch over the image
 * with step `stride`, replace the patch (all channels) by the fill, and record the drop
 * f(x) - f(occluded). The map at each pixel is the mean drop over the windows that cover
 * it. Window positions run 0, stride, 2 stride, ... and a last one flush with the far
 * edge, so every pixel is covered. One forward pass per window plus one for f(x).
 */
import { checkExplainInput, since } from '../explain-input.ts';
import { evaluatePerturbed, fillImage } from '../perturbation.ts';
import type { FillKind } from '../perturbation.ts';
import { resolveParams } from '../method-params.ts';
import type { ParamTable } from '../method-params.ts';
import type { ExplainInput, Explainer, Explanation } from '../types.ts';

/** Parameters of {@link occlusion}. */
export interface OcclusionParams {
  /** Patch side in pixels (default: 1/8 of the smaller image side, at least 1). */
  window?: number;
  /** Step between patches in pixels (default: half the window, at least 1). */
  stride?: number;
  /** What the patch shows (default 'mean': the image's per-channel mean). */
  fill: FillKind;
  /** Blur sigma for fill 'blur', as a fraction of the larger image side (default 0.05). */
  blurSigma: number;
}

/** Declared parameters of {@link occlusion}; window and stride default from the image size. */
export const OCCLUSION_PARAMS: ParamTable = Object.freeze({
  window: { kind: 'integer', min: 1, doc: 'patch side in pixels (default 1/8 of the smaller image side)' },
  stride: { kind: 'integer', min: 1, doc: 'step between patches in pixels (default half the window)' },
  fill: { kind: 'enum', default: 'mean', values: ['mean', 'zero', 'blur'], orNumber: true, doc: "what the patch shows ('mean': the per-channel mean of the image)" },
  blurSigma: { kind: 'number', default: 0.05, min: 0, doc: "blur sigma of fill 'blur', as a fraction of the larger image side" },
});

/** Start offsets of windows of `size` along an axis of `length`: 0, stride, ..., and length - size. */
export function windowStarts(length: number, size: number, stride: number): number[] {
  if (size >= length) return [0];
  const starts: number[] = [];
  for (let s = 0; s + size <= length; s += stride) starts.push(s);
  if (starts[starts.length - 1] + size < length) starts.push(length - size);
  return starts;
}

/** See the module comment. */
export const occlusion: Explainer<OcclusionParams> = {
  name: 'occlusion',
  params: OCCLUSION_PARAMS,
  async explain(input: ExplainInput, params: Partial<OcclusionParams> = {}): Promise<Explanation> {
    const t0 = performance.now();
    const shape = checkExplainInput(input);
    const p = resolveParams<OcclusionParams>('occlusion', OCCLUSION_PARAMS, params);
    const window = p.window ?? Math.max(1, Math.round(Math.min(shape.width, shape.height) / 8));
    const stride = p.stride ?? Math.max(1, Math.floor(window / 2));
    const x = input.x.data;
    const fill = fillImage(p.fill, x, shape, { blurSigma: p.blurSigma });
    const { width: w, height: h } = shape;
    const plane = w * h;
    const ys = windowStarts(h, window, stride);
    const xs = windowStarts(w, window, stride);
    const windows = ys.flatMap((y0) => xs.map((x0) => [x0, y0] as const));
    const [score] = await input.f.values(input.x);
    const scores = await evaluatePerturbed(input.f, shape, windows.length, (k, out) => {
      out.set(x);
      const [x0, y0] = windows[k];
      for (let c = 0; c < shape.channels; c++) {
        for (let y = y0; y < Math.min(h, y0 + window); y++) {
          const row = c * plane + y * w;
          out.set(fill.subarray(row + x0, row + Math.min(w, x0 + window)), row + x0);
        }
      }
    });
    const sum = new Float64Array(plane);
    const count = new Float64Array(plane);
    windows.forEach(([x0, y0], k) => {
      const drop = score - scores[k];
      for (let y = y0; y < Math.min(h, y0 + window); y++) {
        for (let xx = x0; xx < Math.min(w, x0 + window); xx++) {
          sum[y * w + xx] += drop;
          count[y * w + xx]++;
        }
      }
    });
    const map = Float32Array.from(sum, (s, i) => s / count[i]);
    return {
      method: 'occlusion',
      map: { width: w, height: h, data: map },
      params: { window, stride, fill: p.fill, blurSigma: p.blurSigma },
      runtimeMs: since(t0),
      evaluations: windows.length + 1,
      extras: { score, windows: windows.length },
    };
  },
};
