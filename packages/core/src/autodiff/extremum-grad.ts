/**
 * The shared gradient of the variadic elementwise Max and Min. The cotangent goes to the
 * inputs equal to the output; on a tie it is split equally among them
 * (dx_i = dy * [x_i == y] / #{j : x_j == y}), which is what ONNX Runtime training's
 * Min/Max gradient does and what PyTorch's maximum/minimum do for two inputs (half each).
 */
import type { GradContext } from './types.ts';

/** Input cotangents of a Max or Min node (one per input, null where none is needed). */
export function extremumGrad(ctx: GradContext): (string | null)[] {
  const { b } = ctx;
  const inputs = ctx.node.inputs;
  const dy = ctx.dy[0] as string;
  if (inputs.length === 1) return [dy];
  const y = ctx.node.outputs[0];
  const dt = ctx.dtype(y);
  const hits = inputs.map((x) => b.cast(b.op1('Equal', [x, y]), dt));
  const share = b.div(dy, b.sum(hits));
  return inputs.map((x, i) => (ctx.needs[i] ? ctx.unbroadcast(b.mul(share, hits[i]), x) : null));
}
