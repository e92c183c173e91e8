/**
 * Pass: turn initializers into graph inputs, so that a caller (the training loop) can
 * feed new weights at every run without rebuilding the session. The initializer itself is
 * removed: ONNX allows an initializer that is also an input as an overridable default,
 * but onnxruntime-node silently ignores feeds for such inputs, so a fed weight would have
 * no effect. The current values stay available in the input model's initializers.
 */
import { XqcError } from '../../errors.ts';
import type { Model } from '../ir.ts';
import { cloneModel } from '../ir.ts';
import type { Tensor } from '../tensor.ts';

/** Which initializers to turn into inputs: a list of names, or a predicate on name and value. */
export type InitializerSelector = readonly string[] | ((name: string, value: Tensor) => boolean);

/**
 * A copy of `model` in which the selected initializers are required graph inputs declared
 * with the initializer's dtype and dims (appended after the existing inputs, in
 * initializer order) and no longer initializers. Every run must then feed them, e.g.
 * from `model.graph.initializers`.
 * @throws XQC_VALUE_NOT_FOUND when a listed name is not an initializer
 */
export function initializersToInputs(model: Model, select: InitializerSelector): Model {
  const m = cloneModel(model);
  const g = m.graph;
  if (typeof select !== 'function') {
    for (const n of select) if (!g.initializers.has(n)) throw new XqcError('XQC_VALUE_NOT_FOUND', `'${n}' is not an initializer`);
  }
  const chosen = typeof select === 'function' ? select : (name: string): boolean => select.includes(name);
  const present = new Set(g.inputs.map((v) => v.name));
  for (const [name, t] of [...g.initializers]) {
    if (!chosen(name, t)) continue;
    g.initializers.delete(name);
    if (!present.has(name)) g.inputs.push({ name, dtype: t.dtype, shape: [...t.dims] });
  }
  return m;
}
