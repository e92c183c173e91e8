/**
 * Vanilla gradient saliency (Simonyan et al. 2014): map[y, x] = max_c |df/dx[c, y, x]|.
 * One forward+backward pass.
 */
import { maxAbsOverChannels } from '../channel-maps.ts';
import { checkExplainInput, since } from '../explain-input.ts';
import type { ExplainInput, Explainer, Explanation } from '../types.ts';

/** Saliency has no parameters. */
export type SaliencyParams = Record<string, never>;

/** See the module comment. */
export const saliency: Explainer<SaliencyParams> = {
  name: 'saliency',
  async explain(input: ExplainInput): Promise<Explanation> {
    const t0 = performance.now();
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
