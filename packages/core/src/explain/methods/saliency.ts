/**
 * Vanilla gradient saliency (Simonyan et al. 2014): map[y, x] = max_c |df/dx[c, y, x]|.
 * One forward+backward pass.
 */
import { maxAbsOverChannels } from '../channel-maps.ts';
import { checkExplainInput, since } from '../explain-input.ts';
import { resolveParams } from '../method-params.ts';
import type { ParamTable } from '../method-params.ts';
import type { ExplainInput, Explainer, Explanation } from '../types.ts';

/** Saliency has no parameters. */
export type SaliencyParams = Record<string, never>;

/** Saliency declares no parameters. */
export const SALIENCY_PARAMS: ParamTable = Object.freeze({});

/** See the module comment. */
export const saliency: Explainer<SaliencyParams> = {
  name: 'saliency',
  params: SALIENCY_PARAMS,
  async explain(input: ExplainInput, params: Partial<SaliencyParams> = {}): Promise<Explanation> {
    const t0 = performance.now();
    resolveParams<SaliencyParams>('saliency', SALIENCY_PARAMS, params);
    const shape = checkExplainInput(input);
    const { grad, values } = await input.f.gradients(input.x);
    return {
      method: 'saliency',
      map: maxAbsOverChannels(grad, shape),
      params: {},
      runtimeMs: since(t0),
      evaluations: 1,
      extras: { score: values[0] },
    };
  },
};
