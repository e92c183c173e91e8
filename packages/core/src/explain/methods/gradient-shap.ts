/**
 * Gradient SHAP / expected gradients (Lundberg and Lee 2017; Erion et al. 2021):
 *   phi_i(x) = E_{x' ~ D, a ~ U(0, 1)} [ (x_i - x'_i) * df/dx_i(x' + a (x - x')) ],
 * estimated from `samples` draws of a baseline x' and an alpha, all from the input's seed.
 * D is either uniform noise over the image's value range (a fresh image per draw) or a
 * given set of baseline images [K, C, H, W] drawn from uniformly with replacement.
 * In expectation sum_i phi_i = f(x) - E[f(x')]; the estimate's gap to the sampled
 * baselines' mean is reported as `completenessGap`. The map is sum over channels, signed.
 */
import { XqcError } from '../../errors.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { uniformRng } from '../../util/random.ts';
import { noiseBaseline } from '../baselines.ts';
import { sumOverChannels } from '../channel-maps.ts';
import { buildBatch, checkExplainInput, since } from '../explain-input.ts';
import { resolveParams } from '../method-params.ts';
import type { ParamTable } from '../method-params.ts';
import type { ExplainInput, Explainer, Explanation } from '../types.ts';

/** Parameters of {@link gradientShap}. */
export interface GradientShapParams {
  /** Number of (baseline, alpha) draws (default 32). */
  samples: number;
  /** The baseline distribution: 'noise' or a set of baseline images [K, C, H, W] (default 'noise'). */
  baselines: 'noise' | Tensor;
}

/** Declared parameters of {@link gradientShap}. */
export const GRADIENT_SHAP_PARAMS: ParamTable = Object.freeze({
  samples: { kind: 'integer', default: 32, min: 1, doc: '(baseline, alpha) draws' },
  baselines: { kind: 'enum', default: 'noise', values: ['noise'], orTensor: true, doc: 'uniform noise over the value range, or a set of baseline images [K, C, H, W]' },
});

/** See the module comment. */
export const gradientShap: Explainer<GradientShapParams> = {
  name: 'gradshap',
  params: GRADIENT_SHAP_PARAMS,
  async explain(input: ExplainInput, params: Partial<GradientShapParams> = {}): Promise<Explanation> {
    const t0 = performance.now();
    const p = resolveParams<GradientShapParams>('gradshap', GRADIENT_SHAP_PARAMS, params);
    const shape = checkExplainInput(input);
    const set = p.baselines === 'noise' ? undefined : p.baselines;
    if (set && (set.dims.length !== 4 || set.data.length !== set.dims[0] * shape.size || set.dims[0] < 1 || set.dtype !== 'float32')) {
      throw new XqcError('XQC_EXPLAIN', `baselines must be float32 [K, ${shape.channels}, ${shape.height}, ${shape.width}], got ${set.dtype} [${set.dims.join(', ')}]`);
    }
    const x = input.x.data;
    const f = input.f;
    const rng = uniformRng(input.seed);
    const acc = new Float64Array(shape.size);
    let baselineSum = 0;
    for (let start = 0; start < p.samples; start += f.maxBatch) {
      const n = Math.min(f.maxBatch, p.samples - start);
      const refs = buildBatch(shape, n, (_, out) => {
        if (set) {
          const j = Math.floor(rng() * set.dims[0]);
          out.set((set.data as Float32Array).subarray(j * shape.size, (j + 1) * shape.size));
        } else out.set(noiseBaseline(x, shape, rng));
      });
      const alphas = Array.from({ length: n }, () => rng());
      const points = buildBatch(shape, n, (k, out) => {
        const off = k * shape.size;
        for (let i = 0; i < shape.size; i++) out[i] = refs.data[off + i] + alphas[k] * (x[i] - refs.data[off + i]);
      });
      const { grad } = await f.gradients(points);
      for (let k = 0; k < n; k++) {
        const off = k * shape.size;
        for (let i = 0; i < shape.size; i++) acc[i] += (x[i] - refs.data[off + i]) * grad[off + i];
      }
      for (const v of await f.values(refs)) baselineSum += v;
    }
    let total = 0;
    for (let i = 0; i < shape.size; i++) total += acc[i] /= p.samples;
    const [score] = await f.values(input.x);
    const expectedBaselineScore = baselineSum / p.samples;
    return {
      method: 'gradshap',
      map: sumOverChannels(acc, shape),
      params: { samples: p.samples, baselines: set ? `set of ${set.dims[0]}` : 'noise', seed: input.seed },
      runtimeMs: since(t0),
      evaluations: 2 * p.samples + 1,
      extras: { score, expectedBaselineScore, attributionSum: total, completenessGap: Math.abs(total - (score - expectedBaselineScore)) },
    };
  },
};
