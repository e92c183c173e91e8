/**
 * Pass: dead-code elimination. Keeps the nodes some graph output depends on, the
 * initializers they read and the value_info of values that still exist.
 */
import type { Graph, Model, Node } from '../ir.ts';
import { cloneModel } from '../ir.ts';

/** Every value name a node reads, including outer-scope names read inside its subgraphs. */
function readsOf(n: Node): string[] {
  const names = n.inputs.filter((i) => i !== '');
  const visit = (g: Graph): void => {
    for (const sn of g.nodes) {
      for (const i of sn.inputs) if (i) names.push(i);
      for (const a of Object.values(sn.attributes)) {
        if (a.type === 'graph') visit(a.value);
        else if (a.type === 'graphs') a.value.forEach(visit);
      }
    }
    for (const o of g.outputs) names.push(o.name);
  };
  for (const a of Object.values(n.attributes)) {
    if (a.type === 'graph') visit(a.value);
    else if (a.type === 'graphs') a.value.forEach(visit);
  }
  return names;
}

/**
 * A copy of `model` without the nodes that no graph output depends on, without the
 * initializers that nothing reads (unless they are graph inputs, which are part of the
 * interface) and without value_info for values that no longer exist. Graph inputs are
 * always kept. Nodes must be in topological order (as `loadModel` leaves them).
 */
export function removeUnused(model: Model): Model {
  const m = cloneModel(model);
  const g = m.graph;
  const needed = new Set(g.outputs.map((o) => o.name));
  const kept: Node[] = [];
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k];
    if (!n.outputs.some((o) => o !== '' && needed.has(o))) continue;
    kept.push(n);
    for (const r of readsOf(n)) needed.add(r);
  }
  g.nodes = kept.reverse();
  const inputs = new Set(g.inputs.map((v) => v.name));
  for (const name of [...g.initializers.keys()]) if (!needed.has(name) && !inputs.has(name)) g.initializers.delete(name);
  const live = new Set([...inputs, ...g.initializers.keys()]);
  for (const n of g.nodes) for (const o of n.outputs) if (o) live.add(o);
  g.valueInfo = g.valueInfo.filter((v) => live.has(v.name));
  return m;
}
