/**
 * Which backbone activations PatchCore takes its patch features from. By default the two
 * deepest spatial stages with stride at most 16 (for a ResNet: layer2 at stride 8 and
 * layer3 at stride 16, as in the paper): mid-level features, local enough to place a
 * defect and abstract enough to ignore pixel noise, without the ImageNet bias of the
 * last stage.
 */
import { XqcError } from '../../errors.ts';
import { spatialLayers } from '../../onnx/spatial-layers.ts';
import type { Model } from '../../onnx/ir.ts';
import { inferTypes } from '../../onnx/shape/infer.ts';
import { FLOAT_DTYPES } from '../../onnx/tensor.ts';

/** One backbone activation used as a patch feature map. */
export interface FeatureLayer {
  /** Value name in the backbone graph. */
  name: string;
  channels: number;
  height: number;
  width: number;
  /** Input height divided by the map's height. */
  stride: number;
}

/** Largest stride a layer may have to be chosen automatically. */
export const MAX_AUTO_STRIDE = 16;

/** The image input of `model`: its first graph input that is not an initializer. */
export function imageInput(model: Model): { name: string; channels: number } {
  const g = model.graph;
  const input = g.inputs.find((i) => !g.initializers.has(i.name));
  if (!input) throw new XqcError('XQC_ANOMALY', 'the backbone has no graph input');
  const c = input.shape?.[1];
  return { name: input.name, channels: typeof c === 'number' ? c : 3 };
}

/**
 * The feature layers of `model` for input [1, C, height, width], shallowest first.
 * With `names`, those values (each must be a float [N, C, h, w] activation with known
 * sizes); otherwise the last activation of each of the two deepest resolutions whose
 * stride is at most {@link MAX_AUTO_STRIDE} (one when the backbone has a single one).
 * @throws XQC_ANOMALY when a named value is missing or not spatial, or the backbone has no spatial activation
 */
export function chooseFeatureLayers(model: Model, size: [number, number], names?: readonly string[]): FeatureLayer[] {
  const [height, width] = size;
  const input = imageInput(model);
  const inputShape = [1, input.channels, height, width];
  let env;
  try {
    env = inferTypes(model, { inputShapes: { [input.name]: inputShape } });
  } catch (e) {
    throw new XqcError('XQC_ANOMALY', `cannot infer the backbone's activation shapes at ${height}x${width}: ${(e as Error).message}`, { cause: e });
  }
  const describe = (name: string): FeatureLayer | string => {
    const t = env.types.get(name);
    if (!t) return 'no node produces it';
    const s = t.shape;
    if (!t.dtype || !FLOAT_DTYPES.has(t.dtype) || !s || s.length !== 4) return 'it is not a float [N, C, H, W] activation';
    const [, c, h, w] = s;
    if (typeof c !== 'number' || typeof h !== 'number' || typeof w !== 'number') return 'its channel count or spatial size is not static';
    if (h < 1 || w < 1) return 'it has no spatial extent';
    return { name, channels: c, height: h, width: w, stride: height / h };
  };
  if (names && names.length > 0) {
    const produced = new Set(model.graph.nodes.flatMap((n) => n.outputs));
    const layers = names.map((name) => {
      const d = produced.has(name) ? describe(name) : 'no node produces it';
      if (typeof d === 'string') throw new XqcError('XQC_ANOMALY', `feature layer '${name}' cannot be used: ${d}`);
      return d;
    });
    return sortShallowFirst(layers);
  }
  const output = model.graph.outputs[0]?.name;
  const candidates = output ? spatialLayers(model, output, inputShape) : [];
  const byResolution = new Map<string, FeatureLayer>();
  for (const name of candidates) {
    const d = describe(name);
    if (typeof d === 'string' || d.stride > MAX_AUTO_STRIDE) continue;
    byResolution.set(`${d.height}x${d.width}`, d);
  }
  const deepest = [...byResolution.values()].sort((a, b) => b.stride - a.stride).slice(0, 2);
  if (deepest.length === 0) {
    throw new XqcError('XQC_ANOMALY', `the backbone has no spatial [N, C, H, W] activation with stride <= ${MAX_AUTO_STRIDE} at ${height}x${width}; PatchCore needs a convolutional backbone`);
  }
  return sortShallowFirst(deepest);
}

function sortShallowFirst(layers: FeatureLayer[]): FeatureLayer[] {
  return [...layers].sort((a, b) => b.height * b.width - a.height * a.width);
}
