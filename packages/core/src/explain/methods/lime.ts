/**
 * LIME for images (Ribeiro et al. 2016), as lime's LimeImageExplainer: the features are
 * M superpixels (SLIC); `samples` binary vectors z are drawn with each bit on with
 * probability 1/2, the first being all ones (the image itself); the image of z keeps the
 * superpixels that are on and shows the fill elsewhere. Each sample is weighted by the
 * exponential kernel on its cosine distance to the all-ones vector,
 *   d(z) = 1 - |z|_1^(1/2) / M^(1/2),   pi(z) = sqrt(exp(-d^2 / width^2)),
 * and a weighted ridge regression f(z) ~ b + <w, z> (intercept unpenalised, alpha as
 * lime's Ridge(alpha=1)) is solved exactly. The map paints each superpixel with its weight.
 */
import { XqcError } from '../../errors.ts';
import { uniformRng } from '../../util/random.ts';
import { checkExplainInput, since } from '../explain-input.ts';
import { weightedRidge } from '../least-squares.ts';
import { fillImage } from '../perturbation.ts';
import type { FillKind } from '../perturbation.ts';
import { SUPERPIXEL_PARAMS, evaluateCoalitions, paintSegments, resolveSuperpixels } from '../superpixels/coalitions.ts';
import type { SuperpixelParams } from '../superpixels/coalitions.ts';
import { resolveParams } from '../method-params.ts';
import type { ParamTable } from '../method-params.ts';
import type { ExplainInput, Explainer, Explanation } from '../types.ts';

/** Parameters of {@link lime}. */
export interface LimeParams extends SuperpixelParams {
  /** Number of perturbed samples, the image itself included (default 1000, as lime). */
  samples: number;
  /** Kernel width on the cosine distance (default 0.25, as lime's image explainer). */
  kernelWidth: number;
  /** Ridge penalty on the superpixel weights (default 1, as lime). */
  alpha: number;
  /** What hidden superpixels show (default 'mean': each superpixel's own mean colour). */
  fill: FillKind;
  /** Blur sigma for fill 'blur', as a fraction of the larger image side (default 0.05). */
  blurSigma: number;
}

/** Declared parameters of {@link lime}. */
export const LIME_PARAMS: ParamTable = Object.freeze({
  ...SUPERPIXEL_PARAMS,
  samples: { kind: 'integer', default: 1000, min: 2, doc: 'perturbed samples, the image itself included' },
  kernelWidth: { kind: 'number', default: 0.25, min: 0, exclusiveMin: true, doc: 'kernel width on the cosine distance' },
  alpha: { kind: 'number', default: 1, min: 0, doc: 'ridge penalty on the superpixel weights' },
  fill: { kind: 'enum', default: 'mean', values: ['mean', 'zero', 'blur'], orNumber: true, doc: "what hidden superpixels show ('mean': the mean colour of each superpixel)" },
  blurSigma: { kind: 'number', default: 0.05, min: 0, doc: "blur sigma of fill 'blur', as a fraction of the larger image side" },
});

/** lime's kernel weight of a sample with `on` of `m` superpixels kept. */
export function limeKernel(on: number, m: number, width: number): number {
  const d = 1 - Math.sqrt(on / m);
  return Math.sqrt(Math.exp(-(d * d) / (width * width)));
}

/** See the module comment. */
export const lime: Explainer<LimeParams> = {
  name: 'lime',
  params: LIME_PARAMS,
  async explain(input: ExplainInput, params: Partial<LimeParams> = {}): Promise<Explanation> {
    const t0 = performance.now();
    const shape = checkExplainInput(input);
    const p = resolveParams<LimeParams>('lime', LIME_PARAMS, params);
    const x = input.x.data;
    const sp = resolveSuperpixels(x, shape, p);
    const m = sp.count;
    const fill = fillImage(p.fill, x, shape, { blurSigma: p.blurSigma, segments: sp });
    const uniform = uniformRng(input.seed);
    const z = new Uint8Array(p.samples * m);
    z.fill(1, 0, m);
    for (let i = m; i < z.length; i++) z[i] = uniform() < 0.5 ? 1 : 0;
    const y = await evaluateCoalitions(input.f, x, fill, shape, sp, z);
    const weights = new Float64Array(p.samples);
    for (let k = 0; k < p.samples; k++) {
      let on = 0;
      for (let j = 0; j < m; j++) on += z[k * m + j];
      weights[k] = limeKernel(on, m, p.kernelWidth);
    }
    const fit = weightedRidge(z, y, weights, p.alpha);
    if (!fit) throw new XqcError('XQC_EXPLAIN', `the ${p.samples} samples do not determine the weights of ${m} superpixels without a ridge penalty; raise samples or alpha`);
    const coef = Array.from(fit.coef);
    return {
      method: 'lime',
      map: paintSegments(fit.coef, sp),
      params: {
        samples: p.samples,
        kernelWidth: p.kernelWidth,
        alpha: p.alpha,
        fill: p.fill,
        blurSigma: p.blurSigma,
        superpixels: p.segments ? 'given' : { nSegments: p.nSegments, compactness: p.compactness, slicSigma: p.slicSigma },
        seed: input.seed,
      },
      runtimeMs: since(t0),
      evaluations: p.samples,
      extras: {
        segmentCount: m,
        weights: coef,
        intercept: fit.intercept,
        r2: fit.r2,
        score: y[0],
        localPrediction: fit.intercept + coef.reduce((a, b) => a + b, 0),
      },
    };
  },
};
