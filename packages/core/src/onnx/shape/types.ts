/**
 * Types of the shape and type inference: what is known of each value, and the signature
 * of one operator's inference function.
 */
import type { Attribute, Dim, Node } from '../ir.ts';
import type { DType, Tensor } from '../tensor.ts';

/** What is known about one value: element type and shape (undefined = unknown). */
export interface ValueType {
  dtype?: DType;
  shape?: Dim[];
}

/** What an inference function sees of its node. */
export interface InferContext {
  node: Node;
  opset: number;
  /** Type of input `i` (an omitted optional input gives `undefined`). */
  input(i: number): ValueType | undefined;
  /** The constant value of input `i` when it is an initializer or a folded constant. */
  constant(i: number): Tensor | undefined;
  /**
   * The elements (row-major) of a small integer or boolean input whose values are known
   * at least in part: numbers, symbols such as the batch size `'N'` read by `Shape`, or
   * null for an unknown element. Undefined when the input is not tracked. This is how
   * `Shape -> Gather -> Concat -> Reshape` carries a symbolic batch dim to the target.
   */
  value(i: number): Dim[] | undefined;
  /** A new symbolic dim, unique within one inference run (data-dependent sizes such as NonZero's count). */
  symbol(hint: string): string;
  attr(name: string): Attribute | undefined;
  attrInt(name: string, dflt: number): number;
  attrInts(name: string): number[] | undefined;
  attrFloat(name: string, dflt: number): number;
  attrString(name: string, dflt: string): string;
}

/** Infers the types of a node's outputs, in order. */
export type InferFn = (ctx: InferContext) => (ValueType | undefined)[];
