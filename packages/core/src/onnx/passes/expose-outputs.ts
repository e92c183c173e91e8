/**
 * Pass: expose intermediate values as graph outputs, so one run returns them (feature
 * maps for Grad-CAM, every value for shape checks against the runtime).
 */
import { XqcError } from '../../errors.ts';
import type { Model, ValueInfo } from '../ir.ts';
import { cloneModel } from '../ir.ts';
import { inferTypes } from '../shape/infer.ts';
import type { InferOptions } from '../shape/infer.ts';

/** Options of {@link exposeOutputs}. */
export interface ExposeOptions extends InferOptions {
  /** Declare the inferred dtype and shape on the new outputs (default true); false declares names only. */
  withTypes?: boolean;
}

/**
 * A copy of `model` whose graph outputs also list `names` (default: every value a node
 * produces), after the existing outputs and in graph order. Values already exposed are
 * not repeated. Graph inputs and initializers cannot be exposed: ONNX Runtime serves a
 * graph output only from a node.
 * @throws XQC_VALUE_NOT_FOUND when a name is not produced by any node
 */
export function exposeOutputs(model: Model, names?: readonly string[], options: ExposeOptions = {}): Model {
  const m = cloneModel(model);
  const g = m.graph;
  const produced: string[] = [];
  for (const n of g.nodes) for (const o of n.outputs) if (o) produced.push(o);
  const producedSet = new Set(produced);
  const wanted = names ?? produced;
  for (const name of wanted) {
    if (!producedSet.has(name)) throw new XqcError('XQC_VALUE_NOT_FOUND', `no node produces a value named '${name}'`);
  }
  const env = options.withTypes === false ? undefined : inferTypes(model, options);
  const present = new Set(g.outputs.map((o) => o.name));
  for (const name of wanted) {
    if (present.has(name)) continue;
    present.add(name);
    const t = env?.types.get(name);
    const info: ValueInfo = { name };
    // A tensor type without an element type is invalid ONNX; declare nothing rather than half.
    if (t?.dtype) {
      info.dtype = t.dtype;
      if (t.shape) info.shape = [...t.shape];
    }
    g.outputs.push(info);
  }
  return m;
}
