/**
 * SmoothGrad (Smilkov et al. 2017): gradients averaged over `samples` noisy copies
 * x + N(0, (sigma * (max x - min x))^2), the noise drawn from the input's seed. All
 * copies go to the model as one batch (the model function splits it by maxBatch).
 * Per element, `mode` averages |g| ('abs', default), g^2 ('square', SmoothGrad-Squared
 * of Hooker et al. 2019) or g itself then takes |.| ('mean', the paper's form); the map is
 * the maximum of that over channels, like saliency.
 */
import { normalRng } from '../../util/random.ts';
import { maxAbsOverChannels } from '../channel-maps.ts';
import { buildBatch, checkExplainInput, since } from '../explain-input.ts';
import { resolveParams } from '../method-params.ts';
import type { ParamTable } from '../method-params.ts';
import type { ExplainInput, Explainer, Explanation } from '../types.ts';

/** Parameters of {@link smoothGrad}. */
export interface SmoothGradParams {
  /** Number of noisy samples (default 25). */
  samples: number;
  /** Noise standard deviation as a fraction of the input's value range (default 0.15). */
  sigma: number;
  /** How gradients are averaged (default 'abs'). */
  mode: 'abs' | 'square' | 'mean';
}

/** Declared parameters of {@link smoothGrad}. */
export const SMOOTHGRAD_PARAMS: ParamTable = Object.freeze({
  samples: { kind: 'integer', default: 25, min: 1, doc: 'number of noisy copies' },
  sigma: { kind: 'number', default: 0.15, min: 0, doc: "noise standard deviation as a fraction of the input's value range" },
  mode: { kind: 'enum', default: 'abs', values: ['abs', 'square', 'mean'], doc: 'average |g|, g^2, or g then take |.|' },
});

/** See the module comment. */
export const smoothGrad: Explainer<SmoothGradParams> = {
  name: 'smoothgrad',
  params: SMOOTHGRAD_PARAMS,
  async explain(input: ExplainInput, params: Partial<SmoothGradParams> = {}): Promise<Explanation> {
    const t0 = performance.now();
    const p = resolveParams<SmoothGradParams>('smoothgrad', SMOOTHGRAD_PARAMS, params);
    const shape = checkExplainInput(input);
    const x = input.x.data;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < shape.size; i++) {
      lo = Math.min(lo, x[i]);
      hi = Math.max(hi, x[i]);
    }
    const std = p.sigma * (hi - lo);
    const rng = normalRng(input.seed);
    const batch = buildBatch(shape, p.samples, (_, out) => {
      for (let i = 0; i < shape.size; i++) out[i] = x[i] + std * rng();
    });
    const { grad } = await input.f.gradients(batch);
    const acc = new Float64Array(shape.size);
    for (let k = 0; k < p.samples; k++) {
      const off = k * shape.size;
      for (let i = 0; i < shape.size; i++) {
        const g = grad[off + i];
        acc[i] += p.mode === 'abs' ? Math.abs(g) : p.mode === 'square' ? g * g : g;
      }
    }
    for (let i = 0; i < shape.size; i++) acc[i] /= p.samples;
    return {
      method: 'smoothgrad',
      map: maxAbsOverChannels(acc, shape),
      params: { samples: p.samples, sigma: p.sigma, mode: p.mode, seed: input.seed },
      runtimeMs: since(t0),
      evaluations: p.samples,
      extras: { noiseStd: std },
    };
  },
};
