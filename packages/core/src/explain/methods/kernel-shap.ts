/**
 * Kernel SHAP over superpixels (Lundberg and Lee 2017). The players are M superpixels
 * (SLIC); coalition z is the image that keeps the superpixels in z and shows the fill
 * elsewhere, so v(1) = f(x) and v(0) = f(fill) is the base value. With M <= exactMaxFeatures
 * every one of the 2^M coalitions is evaluated and the Shapley values are computed
 * exactly; otherwise `samples` coalitions are drawn as shap's KernelExplainer draws them
 * (paired sizes, Shapley-kernel weights, seeded) and the constrained weighted least
 * squares is solved with sum(phi) = f(x) - f(fill) eliminated exactly (shapley-kernel.ts).
 * The map paints each superpixel with its phi.
 */
import { uniformRng } from '../../util/random.ts';
import { checkExplainInput, since } from '../explain-input.ts';
import { fillImage } from '../perturbation.ts';
import type { FillKind } from '../perturbation.ts';
import { sampleCoalitions, shapleyFromTable, solveKernelShap } from '../shapley-kernel.ts';
import { SUPERPIXEL_PARAMS, evaluateCoalitions, paintSegments, resolveSuperpixels } from '../superpixels/coalitions.ts';
import type { SuperpixelParams } from '../superpixels/coalitions.ts';
import { resolveParams } from '../method-params.ts';
import type { ParamTable } from '../method-params.ts';
import type { ExplainInput, Explainer, Explanation } from '../types.ts';

/** Parameters of {@link kernelShap}. */
export interface KernelShapParams extends SuperpixelParams {
  /** Coalitions to sample, the empty and full ones excluded (default 1000). */
  samples: number;
  /** Enumerate all 2^M coalitions for exact values when M is at most this (default 12). */
  exactMaxFeatures: number;
  /** What absent superpixels show: the baseline (default 'mean': each superpixel's mean colour). */
  fill: FillKind;
  /** Blur sigma for fill 'blur', as a fraction of the larger image side (default 0.05). */
  blurSigma: number;
}

/** Declared parameters of {@link kernelShap}. */
export const KERNEL_SHAP_PARAMS: ParamTable = Object.freeze({
  ...SUPERPIXEL_PARAMS,
  samples: { kind: 'integer', default: 1000, min: 1, doc: 'coalitions to sample, the empty and full ones excluded' },
  exactMaxFeatures: { kind: 'integer', default: 12, min: 0, max: 20, doc: 'enumerate all 2^M coalitions when M is at most this' },
  fill: { kind: 'enum', default: 'mean', values: ['mean', 'zero', 'blur'], orNumber: true, doc: "what absent superpixels show ('mean': the mean colour of each superpixel)" },
  blurSigma: { kind: 'number', default: 0.05, min: 0, doc: "blur sigma of fill 'blur', as a fraction of the larger image side" },
});

/** See the module comment. */
export const kernelShap: Explainer<KernelShapParams> = {
  name: 'kernelshap',
  params: KERNEL_SHAP_PARAMS,
  async explain(input: ExplainInput, params: Partial<KernelShapParams> = {}): Promise<Explanation> {
    const t0 = performance.now();
    const shape = checkExplainInput(input);
    const p = resolveParams<KernelShapParams>('kernelshap', KERNEL_SHAP_PARAMS, params);
    const x = input.x.data;
    const sp = resolveSuperpixels(x, shape, p);
    const m = sp.count;
    const fill = fillImage(p.fill, x, shape, { blurSigma: p.blurSigma, segments: sp });
    const enumerate = m <= p.exactMaxFeatures || m === 1;
    let exact = enumerate;
    let phi: Float64Array;
    let v0: number;
    let v1: number;
    let evaluations: number;
    if (enumerate) {
      // Row `mask` keeps superpixel j when bit j of mask is set.
      const z = new Uint8Array(2 ** m * m);
      for (let mask = 0; mask < 2 ** m; mask++) for (let j = 0; j < m; j++) z[mask * m + j] = (mask >> j) & 1;
      const values = await evaluateCoalitions(input.f, x, fill, shape, sp, z);
      phi = shapleyFromTable(values, m);
      v0 = values[0];
      v1 = values[2 ** m - 1];
      evaluations = 2 ** m;
    } else {
      const ends = new Uint8Array(2 * m).fill(1, m);
      [v0, v1] = await evaluateCoalitions(input.f, x, fill, shape, sp, ends);
      const sample = sampleCoalitions(m, p.samples, uniformRng(input.seed));
      const y = await evaluateCoalitions(input.f, x, fill, shape, sp, sample.z);
      phi = solveKernelShap(sample.z, y, sample.weights, v0, v1, m);
      exact = sample.complete;
      evaluations = 2 + y.length;
    }
    const sum = phi.reduce((a, b) => a + b, 0);
    return {
      method: 'kernelshap',
      map: paintSegments(phi, sp),
      params: {
        samples: p.samples,
        exactMaxFeatures: p.exactMaxFeatures,
        fill: p.fill,
        blurSigma: p.blurSigma,
        superpixels: p.segments ? 'given' : { nSegments: p.nSegments, compactness: p.compactness, slicSigma: p.slicSigma },
        seed: input.seed,
      },
      runtimeMs: since(t0),
      evaluations,
      extras: {
        segmentCount: m,
        exact,
        phi: Array.from(phi),
        baseValue: v0,
        score: v1,
        attributionSum: sum,
        completenessError: Math.abs(sum - (v1 - v0)),
      },
    };
  },
};
