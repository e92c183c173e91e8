/**
 * Spatial activations of a graph: the values with a [N, C, H, W] float shape whose spatial
 * size is larger than 1x1 and from which a given output is reachable. CAM methods pick
 * their layer among them (explain/layers.ts) and PatchCore its feature maps
 * (models/anomaly/feature-layers.ts).
 */
import type { Model } from './ir.ts';
import { inferTypes } from './shape/infer.ts';
import { FLOAT_DTYPES } from './tensor.ts';

/**
 * The spatial values `of` depends on, earliest first in topological order.
 * @param inputShape optional concrete shape of the image input, so symbolic dims resolve
 */
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
