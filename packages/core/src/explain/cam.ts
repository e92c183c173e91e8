/**
 * What Grad-CAM and Grad-CAM++ share: run the model to a spatial layer A [1, K, h, w]
 * and its gradient dF/dA, weight the channels, cam = ReLU(sum_k w_k A_k) at feature
 * resolution, then bilinear upsampling to the input size with half-pixel centres
 * (PyTorch `interpolate(..., mode='bilinear', align_corners=False)`, OpenCV INTER_LINEAR).
 */
import { XqcError } from '../errors.ts';
import { resizeMap } from '../image/image-resize.ts';
import type { ScalarMap } from '../image/image.types.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { checkExplainInput, since } from './explain-input.ts';
import { chooseCamLayer } from './layers.ts';
import { resolveParams } from './method-params.ts';
import type { ParamTable } from './method-params.ts';
import { ModelFunction } from './model-function.ts';
import type { ExplainInput, Explanation, MethodName } from './types.ts';

/**
 * Channel weights of one sample: `weights[k]` from that sample's activation and gradient,
 * both [K, h*w] (row k = channel k).
 */
export type CamWeighting = (activation: Float32Array, grad: Float32Array, channels: number, plane: number) => Float64Array;

/** Parameters of the CAM methods. */
export interface CamParams {
  /** Layer to explain (default: the model function's layer, else the last spatial activation). */
  layer?: string;
}

/** Declared parameters of the CAM methods. */
export const CAM_PARAMS: ParamTable = Object.freeze({
  layer: { kind: 'string', doc: "layer to explain (default the card's explain.layer, else the last spatial activation)" },
});

/**
 * ReLU(sum_k w_k A[n, k]) for every sample n of `activation` [N, K, h, w] with gradient
 * `grad` of the same shape, at feature resolution.
 * @throws XQC_EXPLAIN when the layer is not [N, K, h, w].
 */
export function camFromLayer(activation: Tensor, grad: Tensor, weighting: CamWeighting): ScalarMap[] {
  if (activation.dims.length !== 4 || grad.data.length !== activation.data.length) {
    throw new XqcError('XQC_EXPLAIN', `CAM needs a [N, K, h, w] layer, got [${activation.dims.join(', ')}]`);
  }
  const [n, k, h, w] = activation.dims;
  const plane = h * w;
  const per = k * plane;
  const a = Float32Array.from(activation.data as ArrayLike<number>);
  const g = Float32Array.from(grad.data as ArrayLike<number>);
  const maps: ScalarMap[] = [];
  for (let s = 0; s < n; s++) {
    const as = a.subarray(s * per, (s + 1) * per);
    const weights = weighting(as, g.subarray(s * per, (s + 1) * per), k, plane);
    const cam = new Float64Array(plane);
    for (let c = 0; c < k; c++) {
      const wc = weights[c];
      if (wc === 0) continue;
      for (let i = 0; i < plane; i++) cam[i] += wc * as[c * plane + i];
    }
    maps.push({ width: w, height: h, data: Float32Array.from(cam, (v) => Math.max(v, 0)) });
  }
  return maps;
}

/** The model function `f` with its layer set to the CAM layer for `x` (chosen or checked by chooseCamLayer). */
export function camModelFunction(f: ModelFunction, x: Tensor, layer?: string): ModelFunction {
  const chosen = chooseCamLayer(f.model, f.target.of, layer ?? f.options.layer, x.dims);
  return chosen === f.options.layer ? f : ModelFunction.create(f.model, { ...f.options, layer: chosen });
}

/** A CAM at feature resolution with the layer it was taken at and the target's value. */
export interface FeatureCam {
  cam: ScalarMap;
  layer: string;
  score: number;
}

/** Runs one image to the CAM layer and returns the CAM at feature resolution. */
export async function featureCam(input: ExplainInput, weighting: CamWeighting, layer?: string): Promise<FeatureCam> {
  checkExplainInput(input);
  const mf = camModelFunction(input.f, input.x, layer);
  const { values, activation, grad } = await mf.layerGradients(input.x);
  return { cam: camFromLayer(activation, grad, weighting)[0], layer: mf.options.layer as string, score: values[0] };
}

/** The full explanation of a CAM method: the feature CAM upsampled bilinearly to the input size. */
export async function camExplanation(method: MethodName, input: ExplainInput, weighting: CamWeighting, params: Partial<CamParams>): Promise<Explanation> {
  const t0 = performance.now();
  const p = resolveParams<CamParams>(method, CAM_PARAMS, params);
  const { cam, layer, score } = await featureCam(input, weighting, p.layer);
  const [, , height, width] = input.x.dims;
  return {
    method,
    map: resizeMap(cam, width, height),
    params: { layer },
    runtimeMs: since(t0),
    evaluations: 1,
    extras: { score, featureSize: [cam.height, cam.width] },
  };
}
