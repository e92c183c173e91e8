/**
 * Types of the reverse-mode autodiff: a gradient rule per ONNX operator and the context
 * it builds its vector-Jacobian product in.
 */
import type { GraphBuilder } from '../onnx/builder.ts';
import type { Attribute, Dim, Node } from '../onnx/ir.ts';
import type { ValueType } from '../onnx/shape/types.ts';
import type { DType, Tensor } from '../onnx/tensor.ts';
import type { GradRegistry } from './registry.ts';

/** What a rule sees while building the gradient of one node. */
export interface GradContext {
  readonly node: Node;
  readonly b: GraphBuilder;
  readonly opset: number;
  /** Cotangent of each output (null where the output receives no gradient). */
  readonly dy: readonly (string | null)[];
  /** Whether input i needs a gradient (it depends on a `wrt` value and is floating). */
  readonly needs: readonly boolean[];
  /** The registry the gradient is built with (rules of ops with a body differentiate it with the same rules). */
  readonly registry: GradRegistry;
  /** Whether a value of the graph depends differentiably on a `wrt` value (e.g. one a body reads from outside). */
  dependsOnWrt(name: string): boolean;
  /** Inferred type of a value. */
  type(name: string): ValueType | undefined;
  /** Dtype of a value; throws when unknown. */
  dtype(name: string): DType;
  /** Shape of a value, when known. */
  shape(name: string): Dim[] | undefined;
  /** Rank of a value, when known. */
  rank(name: string): number | undefined;
  /** Constant value of a value (initializer or folded), when known. */
  constant(name: string): Tensor | undefined;
  /** The forward node that computes a value (undefined for graph inputs and initializers). */
  producer(name: string): Node | undefined;
  attr(name: string): Attribute | undefined;
  attrInt(name: string, dflt: number): number;
  attrInts(name: string): number[] | undefined;
  attrFloat(name: string, dflt: number): number;
  attrString(name: string, dflt: string): string;
  /** Sums `grad` (shaped like the broadcast result) down to the shape of `like` (undoes broadcasting). */
  unbroadcast(grad: string, like: string): string;
  /** A scalar constant of the dtype of `like` (a forward value: backward values have no inferred type). */
  scalarLike(value: number, like: string): string;
  /** Throws XQC_AUTODIFF_UNSUPPORTED naming the op and node. */
  fail(message: string): never;
}

/**
 * The gradient of one ONNX operator. `grad` returns, for each input of the node, the name
 * of its cotangent, or null when the input needs none (or is not differentiable).
 */
export interface GradRule {
  readonly opType: string;
  grad(ctx: GradContext): (string | null)[];
}
