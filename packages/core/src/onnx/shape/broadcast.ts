/** Multidirectional (NumPy) broadcasting of ONNX shapes. */
import { XqcError } from '../../errors.ts';
import type { Dim } from '../ir.ts';

/**
 * The broadcast shape of `shapes`, or undefined when a rank is unknown. Symbolic dims
 * broadcast against 1 and against an equal symbol; a symbol against a number > 1 takes
 * the number.
 */
export function broadcastShapes(shapes: (Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(...shapes.map((s) => (s as Dim[]).length));
  const out: Dim[] = [];
  for (let k = 0; k < rank; k++) {
    let d: Dim = 1;
    for (const s of shapes as Dim[][]) {
      const e = s[k - (rank - s.length)];
      if (e === undefined || e === 1) continue;
      if (d === 1) d = e;
      else if (typeof d === 'number' && typeof e === 'number' && d !== e) {
        throw new XqcError('XQC_SHAPE_MISMATCH', `shapes [${shapes.map((x) => x?.join(',')).join('] and [')}] do not broadcast`);
      } else if (typeof e === 'number') d = e;
      else if (d !== e && typeof d !== 'number') d = null;
    }
    out.push(d);
  }
  return out;
}

/** True when every dim of `shape` is a known number. */
export function isStatic(shape: Dim[] | undefined): shape is number[] {
  return shape !== undefined && shape.every((d) => typeof d === 'number');
}
