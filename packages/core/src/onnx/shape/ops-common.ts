/** Small helpers shared by the per-family inference rules. */
import type { Dim } from '../ir.ts';
import { allNumbers, normAxis } from './dims.ts';
import type { InferContext, InferFn, ValueType } from './types.ts';

/** Output 0 has the type of input 0. */
export const sameAsInput: InferFn = (c) => [copyType(c.input(0))];

/** A copy of a value type (shapes are never shared between values). */
export function copyType(t: ValueType | undefined): ValueType | undefined {
  return t ? { dtype: t.dtype, shape: t.shape ? [...t.shape] : undefined } : undefined;
}

/** The integer elements of input `i` when every one is known. */
export function intsOf(c: InferContext, i: number): number[] | undefined {
  const v = c.value(i);
  return v && allNumbers(v) ? v : undefined;
}

/** The integers of optional input `i`: `undefined` when it is omitted, `null` when its value is not known. */
export function inputInts(c: InferContext, i: number): number[] | null | undefined {
  if (!c.node.inputs[i]) return undefined;
  return intsOf(c, i) ?? null;
}

/**
 * An integer list that newer opsets pass as input `i` and older ones as attribute `attr`
 * (axes, pads, split...), with the conventions of {@link inputInts}.
 */
export function listArg(c: InferContext, i: number, attr: string): number[] | null | undefined {
  return c.node.inputs[i] ? inputInts(c, i) : c.attrInts(attr);
}

/** The length of a 1-D input whose values may be unknown (e.g. a Reshape target), when known. */
export function lengthOf(c: InferContext, i: number): number | undefined {
  const s = c.input(i)?.shape;
  if (!s) return undefined;
  if (s.length === 0) return 1;
  return s.length === 1 && typeof s[0] === 'number' ? s[0] : undefined;
}

/** `axes` normalised against `rank`, sorted and without duplicates. */
export function normAxes(axes: readonly number[], rank: number): number[] {
  return [...new Set(axes.map((a) => normAxis(a, rank)))].sort((a, b) => a - b);
}

/** A shape with every dim unknown, or undefined when the rank is unknown too. */
export function unknownOfRank(rank: number | undefined): Dim[] | undefined {
  return rank === undefined ? undefined : new Array<Dim>(rank).fill(null);
}
