/**
 * Values a subgraph (a Scan, Loop or If body) reads from the scopes around it: names its
 * nodes use, at any depth, that the subgraph neither takes as input nor defines.
 */
import type { Graph, Node } from '../onnx/ir.ts';

/** Names `g` reads from enclosing graphs, in first-use order. */
export function outerReads(g: Graph): string[] {
  const defined = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.keys()]);
  const reads: string[] = [];
  const seen = new Set<string>();
  const use = (name: string): void => {
    if (name && !defined.has(name) && !seen.has(name)) {
      seen.add(name);
      reads.push(name);
    }
  };
  for (const n of g.nodes) {
    n.inputs.forEach(use);
    subgraphReads(n).forEach(use);
    for (const o of n.outputs) if (o) defined.add(o);
  }
  g.outputs.forEach((o) => use(o.name));
  return reads;
}

/** Names the subgraphs of `n` read from outside themselves (empty for a node without subgraphs). */
export function subgraphReads(n: Node): string[] {
  const out: string[] = [];
  for (const a of Object.values(n.attributes)) {
    if (a.type === 'graph') out.push(...outerReads(a.value));
    else if (a.type === 'graphs') for (const sg of a.value) out.push(...outerReads(sg));
  }
  return out;
}
