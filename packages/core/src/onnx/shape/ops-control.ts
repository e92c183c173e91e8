/**
 * Control-flow operators whose outputs follow from their body graph: Scan. Types come
 * from the body's declared outputs (ONNX requires them), with the iteration count put
 * back along each scan output's axis.
 */
import type { Dim } from '../ir.ts';
import { normAxis } from './dims.ts';
import type { InferFn, ValueType } from './types.ts';

/**
 * Scan (opset 9+): inputs are N initial states then M scan inputs; outputs are N final
 * states (typed like the initial ones) then the scan outputs, body output N + k with the
 * iteration count (the size of the first scan input along its scan axis) inserted at
 * `scan_output_axes[k]`. Opset 8 (batch axis, sequence lengths) gets dtypes only.
 */
const scan: InferFn = (c) => {
  const body = c.attr('body');
  if (body?.type !== 'graph') return [];
  const outs = body.value.outputs;
  if (c.opset < 9) return outs.map((o) => ({ dtype: o.dtype }));
  const m = c.attrInt('num_scan_inputs', 0);
  const states = c.node.inputs.length - m;
  const first = c.input(states)?.shape;
  const inAxis = c.attrInts('scan_input_axes')?.[0] ?? 0;
  const count: Dim = first ? (first[normAxis(inAxis, first.length)] ?? null) : null;
  const outAxes = c.attrInts('scan_output_axes');
  return outs.map((o, j): ValueType => {
    if (j < states) {
      const t = c.input(j);
      return { dtype: t?.dtype ?? o.dtype, shape: t?.shape ? [...t.shape] : o.shape ? [...o.shape] : undefined };
    }
    if (!o.shape) return { dtype: o.dtype };
    const shape = [...o.shape];
    shape.splice(normAxis(outAxes?.[j - states] ?? 0, shape.length + 1), 0, count);
    return { dtype: o.dtype, shape };
  });
};

/** Rules of this family, keyed by op type. */
export const CONTROL_RULES: Record<string, InferFn> = { Scan: scan };
