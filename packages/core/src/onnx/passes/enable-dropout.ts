/**
 * Pass: Monte Carlo dropout. Switches every Dropout node to training mode so that each
 * run samples a new mask, which is what MC-Dropout averages over.
 */
import { XqcError } from '../../errors.ts';
import { GraphBuilder } from '../builder.ts';
import type { Model } from '../ir.ts';
import { cloneModel, defaultOpset } from '../ir.ts';
import { tensor } from '../tensor.ts';

/** Options of {@link enableDropout}. */
export interface EnableDropoutOptions {
  /**
   * Seed of the masks: Dropout node k gets the `seed` attribute `seed + k`, so a fresh
   * session replays the same sequence of masks while nodes stay independent. Without it
   * ONNX Runtime seeds each node at random.
   */
  seed?: number;
}

/** The switched model and how many Dropout nodes it has. */
export interface EnableDropoutResult {
  model: Model;
  /** Dropout nodes switched to training mode; 0 means the model cannot do MC-Dropout as is. */
  count: number;
  /** Graph outputs added for the Dropout masks (bool); callers fetch their own outputs by name and skip these. */
  masks: string[];
}

/**
 * A copy of `model` whose Dropout nodes (opset >= 12) read a constant `true` as their
 * `training_mode` input: `y = x * mask / (1 - ratio)`, mask ~ Bernoulli(1 - ratio) anew at
 * every run. The ratio input is left as it is (absent means 0.5). Each mask also becomes
 * a graph output, because ONNX Runtime's graph optimiser (EliminateDropout) deletes any
 * Dropout whose mask nothing reads, training mode or not. A model without Dropout is
 * returned unchanged with count 0: whether that is an error is the caller's call.
 * @throws XQC_MODEL_UNSUPPORTED_OPSET for Dropout below opset 12, which has no training_mode input
 */
export function enableDropout(model: Model, options: EnableDropoutOptions = {}): EnableDropoutResult {
  const m = cloneModel(model);
  const g = m.graph;
  const opset = defaultOpset(m);
  const dropouts = g.nodes.filter((n) => n.opType === 'Dropout' && (n.domain === '' || n.domain === 'ai.onnx'));
  if (dropouts.length === 0) return { model: m, count: 0, masks: [] };
  if (opset < 12) {
    throw new XqcError('XQC_MODEL_UNSUPPORTED_OPSET', `Dropout at opset ${opset} has no training_mode input; MC-Dropout needs opset 12 or later`);
  }
  const b = new GraphBuilder(g, opset, 'mc_dropout');
  const on = b.constant(tensor('bool', [], [1]), 'training_mode');
  const exposed = new Set(g.outputs.map((o) => o.name));
  const masks: string[] = [];
  dropouts.forEach((n, k) => {
    while (n.inputs.length < 3) n.inputs.push('');
    n.inputs[2] = on;
    if (options.seed !== undefined) n.attributes.seed = { type: 'int', value: options.seed + k };
    if (!n.outputs[1]) n.outputs[1] = b.fresh('mask');
    if (!exposed.has(n.outputs[1])) {
      g.outputs.push({ name: n.outputs[1], dtype: 'bool' });
      masks.push(n.outputs[1]);
    }
  });
  return { model: m, count: dropouts.length, masks };
}
