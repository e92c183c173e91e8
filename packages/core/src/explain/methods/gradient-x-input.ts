/**
 * Gradient x input (Shrikumar et al. 2016): map[y, x] = sum_c x[c, y, x] * df/dx[c, y, x],
 * signed (positive = evidence for the target); `abs` returns its magnitude. For a linear
 * model f(x) = <w, x> + b the map sums to f(x) - b. One forward+backward pass.
 */
import { absMap, sumOverChannels } from '../channel-maps.ts';
import { checkExplainInput, since } from '../explain-input.ts';
import { resolveParams } from '../method-params.ts';
import type { ParamTable } from '../method-params.ts';
import type { ExplainInput, Explainer, Explanation } from '../types.ts';

/** Parameters of {@link gradientXInput}. */
export interface GradientXInputParams {
  /** Return |sum_c x * grad| instead of the signed sum (default false). */
  abs: boolean;
}

/** Declared parameters of {@link gradientXInput}. */
export const GRADIENT_X_INPUT_PARAMS: ParamTable = Object.freeze({
  abs: { kind: 'boolean', default: false, doc: 'return the magnitude instead of the signed map' },
});

/** See the module comment. */
export const gradientXInput: Explainer<GradientXInputParams> = {
  name: 'gradxinput',
  params: GRADIENT_X_INPUT_PARAMS,
  async explain(input: ExplainInput, params: Partial<GradientXInputParams> = {}): Promise<Explanation> {
    const t0 = performance.now();
    const p = resolveParams<GradientXInputParams>('gradxinput', GRADIENT_X_INPUT_PARAMS, params);
    const shape = checkExplainInput(input);
    const { grad, values } = await input.f.gradients(input.x);
    const prod = new Float32Array(shape.size);
    for (let i = 0; i < shape.size; i++) prod[i] = grad[i] * input.x.data[i];
    const map = sumOverChannels(prod, shape);
    return {
      method: 'gradxinput',
      map: p.abs ? absMap(map) : map,
      params: { abs: p.abs },
      runtimeMs: since(t0),
      evaluations: 1,
      extras: { score: values[0] },
    };
  },
};
