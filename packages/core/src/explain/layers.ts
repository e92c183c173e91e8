/**
 * Choosing the layer for CAM methods: the last spatial activation the target depends
 * on, i.e. the last value in topological order with a [N, C, H, W] shape whose spatial
 * size is larger than 1x1 and from which the target is reachable.
 */
import { XqcError } from '../errors.ts';
import type { Model } from '../onnx/ir.ts';
import { inferTypes } from '../onnx/shape/infer.ts';
import { FLOAT_DTYPES } from '../onnx/tensor.ts';

/** Spatial candidates for CAM, earliest first. */
export function spatialLayers(model: Model, of: string, inputShape?: number[]): string[] {
  const g = model.graph;
  const input = g.inputs.find((i) => !g.initializers.has(i.name));
  const env = inferTypes(model, input && inputShape ? { inputShapes: { [input.name]: inputShape } } : {});
  const needed = new Set([of]);
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k];
    if (n.outputs.some((o) => needed.has(o))) for (const i of n.inputs) if (i) needed.add(i);
  }
  const out: string[] = [];
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      if (!o || !needed.has(o) || o === of) continue;
      const t = env.types.get(o);
      if (!t?.shape || t.shape.length !== 4 || !t.dtype || !FLOAT_DTYPES.has(t.dtype)) continue;
      const [, , h, w] = t.shape;
      const big = (d: unknown): boolean => typeof d !== 'number' || d > 1;
      if (big(h) && big(w)) out.push(o);
    }
  }
  return out;
}

/**
 * The layer CAM methods use: `preferred` when given (checked), else the last spatial activation.
 * @throws XQC_EXPLAIN when the model has no spatial layer on the path to the target.
 */
export function chooseCamLayer(model: Model, of: string, preferred?: string, inputShape?: number[]): string {
  const candidates = spatialLayers(model, of, inputShape);
  if (preferred) {
    if (!candidates.includes(preferred)) {
      throw new XqcError('XQC_EXPLAIN', `layer '${preferred}' is not a spatial [N,C,H,W] activation on the path to '${of}'`);
    }
    return preferred;
  }
  const last = candidates[candidates.length - 1];
  if (!last) throw new XqcError('XQC_EXPLAIN', `the model has no spatial [N,C,H,W] layer before '${of}': Grad-CAM needs one`);
  return last;
}
