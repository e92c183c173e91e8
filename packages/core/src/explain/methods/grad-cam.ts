/**
 * Grad-CAM (Selvaraju et al. 2017): w_k = mean_{h,w} dF/dA_k, cam = ReLU(sum_k w_k A_k),
 * upsampled to the input size (see cam.ts). The map is not rescaled: aggregate.ts
 * normalises maps for display and comparison.
 */
import { CAM_PARAMS, camExplanation, camFromLayer, featureCam } from '../cam.ts';
import type { CamParams, FeatureCam } from '../cam.ts';
import type { ScalarMap } from '../../image/image.types.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import type { ExplainInput, Explainer, Explanation } from '../types.ts';

/** w_k = (1 / hw) sum_{h,w} dF/dA_k. */
export function gradCamWeights(_activation: Float32Array, grad: Float32Array, channels: number, plane: number): Float64Array {
  const w = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let i = 0; i < plane; i++) s += grad[c * plane + i];
    w[c] = s / plane;
  }
  return w;
}

/** Grad-CAM of every sample at feature resolution from a layer's activation and gradient [N, K, h, w]. */
export function gradCamFromLayer(activation: Tensor, grad: Tensor): ScalarMap[] {
  return camFromLayer(activation, grad, gradCamWeights);
}

/** Grad-CAM of one image at feature resolution (not upsampled), with the layer used. */
export function gradCamFeatures(input: ExplainInput, layer?: string): Promise<FeatureCam> {
  return featureCam(input, gradCamWeights, layer);
}

/** See the module comment. */
export const gradCam: Explainer<CamParams> = {
  name: 'gradcam',
  params: CAM_PARAMS,
  explain(input: ExplainInput, params: Partial<CamParams> = {}): Promise<Explanation> {
    return camExplanation('gradcam', input, gradCamWeights, params);
  },
};
