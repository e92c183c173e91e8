/**
 * Grad-CAM++ (Chattopadhyay et al. 2018) with the closed-form alpha for an exponential
 * score Y = exp(S): then d2Y/dA2 = Y (dS/dA)^2 and d3Y/dA3 = Y (dS/dA)^3 (the network's own
 * second derivatives vanish piecewise for ReLU-like layers), the Y factors cancel and
 *   alpha_kij = g^2 / (2 g^2 + sum_ab A_kab * g^3 + eps),  g = dS/dA_kij,  eps = 1e-6,
 *   w_k = sum_ij alpha_kij * ReLU(g_kij),   cam = ReLU(sum_k w_k A_k),
 * with alpha = 0 where g = 0, as pytorch-grad-cam implements it. Upsampled like Grad-CAM.
 */
import { CAM_PARAMS, camExplanation, camFromLayer, featureCam } from '../cam.ts';
import type { CamParams, FeatureCam } from '../cam.ts';
import type { ScalarMap } from '../../image/image.types.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import type { ExplainInput, Explainer, Explanation } from '../types.ts';

const EPS = 1e-6;

/** Grad-CAM++ channel weights (see the module comment). */
export function gradCamPlusPlusWeights(activation: Float32Array, grad: Float32Array, channels: number, plane: number): Float64Array {
  const w = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let sumA = 0;
    for (let i = 0; i < plane; i++) sumA += activation[c * plane + i];
    let s = 0;
    for (let i = 0; i < plane; i++) {
      const g = grad[c * plane + i];
      if (g <= 0) continue;
      const g2 = g * g;
      s += (g2 / (2 * g2 + sumA * g2 * g + EPS)) * g;
    }
    w[c] = s;
  }
  return w;
}

/** Grad-CAM++ of every sample at feature resolution from a layer's activation and gradient [N, K, h, w]. */
export function gradCamPlusPlusFromLayer(activation: Tensor, grad: Tensor): ScalarMap[] {
  return camFromLayer(activation, grad, gradCamPlusPlusWeights);
}

/** Grad-CAM++ of one image at feature resolution (not upsampled), with the layer used. */
export function gradCamPlusPlusFeatures(input: ExplainInput, layer?: string): Promise<FeatureCam> {
  return featureCam(input, gradCamPlusPlusWeights, layer);
}

/** See the module comment. */
export const gradCamPlusPlus: Explainer<CamParams> = {
  name: 'gradcampp',
  params: CAM_PARAMS,
  explain(input: ExplainInput, params: Partial<CamParams> = {}): Promise<Explanation> {
    return camExplanation('gradcampp', input, gradCamPlusPlusWeights, params);
  },
};
