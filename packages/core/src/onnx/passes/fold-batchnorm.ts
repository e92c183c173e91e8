/**
 * Pass: folds an inference-mode BatchNormalization into the Conv that feeds it, as
 * ONNX Runtime does for a forward pass. With s = scale / sqrt(var + eps) per channel,
 * Conv(x, W, b) followed by BN equals Conv(x, W * s, (b - mean) * s + B). Gradient
 * graphs built on the folded model need no backward BatchNormalization (one Mul per
 * layer fewer) and their adjoint convolutions read the folded weights directly.
 *
 * A pair is folded only when the result is the same function of every value a caller
 * can name: the Conv output feeds nothing but the BN and is not a graph output or a
 * value in `keep`; the Conv weight and bias and all four BN parameters are initializers
 * that are not graph inputs (so they cannot be overridden at run time) and not in
 * `keep`; BN is in inference form (one output, training_mode 0). The folded weight is a
 * new value W * s (a Mul node on two constants; the original may be shared with other
 * nodes), the folded bias a new initializer computed in float64 and stored in the
 * weight's dtype. The BN output keeps its name.
 */
import type { Model, Node } from '../ir.ts';
import { cloneModel } from '../ir.ts';
import { tensor, toFloat64 } from '../tensor.ts';
import type { Tensor } from '../tensor.ts';

/** Result of {@link foldBatchNorm}. */
export interface FoldBatchNormResult {
  model: Model;
  /** BN node names folded, in graph order. */
  folded: string[];
}

/**
 * Folds Conv -> BatchNormalization pairs (see the module comment). The input model is not
 * modified. `only`, when given, restricts folding to the BN nodes it accepts (a gradient
 * graph folds just the pairs on its gradient path: the others cost arithmetic and gain
 * nothing, since ONNX Runtime fuses them in the forward pass anyway).
 */
export function foldBatchNorm(model: Model, keep: Iterable<string> = [], only?: (bn: Node) => boolean): FoldBatchNormResult {
  const m = cloneModel(model);
  const g = m.graph;
  const kept = new Set(keep);
  for (const o of g.outputs) kept.add(o.name);
  const graphInputs = new Set(g.inputs.map((i) => i.name));
  const consumers = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const taken = new Set<string>();
  const constant = (name: string | undefined): Tensor | undefined =>
    name && !graphInputs.has(name) && !kept.has(name) ? g.initializers.get(name) : undefined;
  const fresh = (base: string): string => {
    let name = `${base}_bnfold`;
    for (let k = 1; g.initializers.has(name) || producer.has(name) || graphInputs.has(name) || taken.has(name); k++) name = `${base}_bnfold${k}`;
    taken.add(name);
    return name;
  };

  const folded: string[] = [];
  const removed = new Set<Node>();
  const replaced = new Set<string>();
  const newNodes = new Map<Node, Node>();
  for (const bn of g.nodes) {
    if (bn.opType !== 'BatchNormalization' || bn.domain !== '' || (only && !only(bn))) continue;
    if (bn.outputs.filter((o) => o !== '').length !== 1 || bn.outputs[0] === '') continue;
    const mode = bn.attributes.training_mode;
    if (mode?.type === 'int' && mode.value !== 0) continue;
    const [x, scaleName, biasName, meanName, varName] = bn.inputs;
    const conv = producer.get(x);
    if (!conv || conv.opType !== 'Conv' || conv.domain !== '') continue;
    if (kept.has(x) || consumers.get(x) !== 1 || conv.outputs.length !== 1) continue;
    const w = constant(conv.inputs[1]);
    const cb = conv.inputs[2] ? constant(conv.inputs[2]) : undefined;
    if (conv.inputs[2] && !cb) continue;
    const params = [scaleName, biasName, meanName, varName].map(constant);
    if (!w || params.some((p) => !p) || (w.dtype !== 'float32' && w.dtype !== 'float64')) continue;
    const [scale, shift, mean, variance] = params.map((p) => toFloat64(p as Tensor));
    const channels = w.dims[0];
    if ([scale, shift, mean, variance].some((p) => p.length !== channels) || (cb && cb.data.length !== channels)) continue;
    const epsAttr = bn.attributes.epsilon;
    const eps = epsAttr?.type === 'float' ? epsAttr.value : 1e-5;

    const s = scale.map((v, c) => v / Math.sqrt(variance[c] + eps));
    const bv = cb ? toFloat64(cb) : new Float64Array(channels);
    const bf = bv.map((v, c) => (v - mean[c]) * s[c] + shift[c]);
    // W * s is a Mul node on constants, not arithmetic here: ONNX Runtime folds it when the
    // session is created (in native code; a JavaScript loop over ResNet-50's 25M weights
    // took most of a second), and the Conv then sees a constant weight as before.
    const sName = fresh(`${scaleName}_per_channel`);
    g.initializers.set(sName, tensor(w.dtype, [channels, ...w.dims.slice(1).map(() => 1)], s));
    const wName = fresh(conv.inputs[1]);
    newNodes.set(conv, { name: `${conv.name || wName}_bnfold`, opType: 'Mul', domain: '', inputs: [conv.inputs[1], sName], outputs: [wName], attributes: {} });
    const bName = fresh(conv.inputs[2] || `${conv.inputs[1]}_bias`);
    g.initializers.set(bName, tensor(w.dtype, [channels], bf));
    for (const name of [...conv.inputs.slice(1), scaleName, biasName, meanName, varName]) if (name) replaced.add(name);
    conv.inputs = [conv.inputs[0], wName, bName];
    conv.outputs = [bn.outputs[0]];
    removed.add(bn);
    folded.push(bn.name);
  }
  if (folded.length === 0) return { model: m, folded };
  g.nodes = g.nodes.filter((n) => !removed.has(n)).flatMap((n) => {
    const mul = newNodes.get(n);
    return mul ? [mul, n] : [n];
  });
  const produced = new Set(g.nodes.flatMap((n) => n.outputs));
  g.valueInfo = g.valueInfo.filter((v) => produced.has(v.name) || graphInputs.has(v.name));
  // Drop the replaced initializers nothing reads any more (no other pruning: a caller may
  // still want values that reach no graph output). Subgraphs may read outer names, so
  // with any subgraph present nothing is dropped.
  const hasSubgraphs = g.nodes.some((n) => Object.values(n.attributes).some((a) => a.type === 'graph' || a.type === 'graphs'));
  const read = new Set(g.nodes.flatMap((n) => n.inputs));
  if (!hasSubgraphs) for (const name of replaced) if (!read.has(name)) g.initializers.delete(name);
  return { model: m, folded };
}
