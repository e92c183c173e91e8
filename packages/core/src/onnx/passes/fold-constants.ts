/**
 * Pass: constant folding. Nodes whose outputs inference resolves to constants (shape
 * arithmetic, Constant nodes) become initializers, then dead nodes are removed, so a
 * PyTorch export's `Shape -> Gather -> Unsqueeze -> Concat -> Reshape` becomes a Reshape
 * with a constant target.
 */
import type { Model } from '../ir.ts';
import { cloneModel } from '../ir.ts';
import { inferTypes } from '../shape/infer.ts';
import type { InferOptions } from '../shape/infer.ts';
import { removeUnused } from './remove-unused.ts';

/**
 * A copy of `model` with foldable nodes replaced by initializers (see `shape/fold.ts` for
 * what folds: small integer and float shape arithmetic, at most 1024 elements). Nodes
 * producing graph outputs are kept. With `inputShapes`, `Shape` of a fixed input folds
 * too, and the result then only accepts inputs of those shapes.
 */
export function foldConstants(model: Model, options: InferOptions = {}): Model {
  const m = cloneModel(model);
  const g = m.graph;
  const env = inferTypes(m, options);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const inputs = new Set(g.inputs.map((v) => v.name));
  g.nodes = g.nodes.filter((n) => {
    const foldable = n.outputs.length > 0 && n.outputs.every((o) => o !== '' && env.constants.has(o) && !outputs.has(o));
    if (!foldable) return true;
    for (const o of n.outputs) {
      const t = env.constants.get(o)!;
      g.initializers.set(o, t);
      // Before IR 4 every initializer must also be declared as a graph input.
      if (m.irVersion < 4 && !inputs.has(o)) g.inputs.push({ name: o, dtype: t.dtype, shape: [...t.dims] });
    }
    return false;
  });
  return removeUnused(m);
}
