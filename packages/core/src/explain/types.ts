/**
 * Types shared by every explanation method. A method receives one preprocessed image,
 * a scalar target function of the model, and its own parameters; it returns a heatmap
 * at model-input resolution with its parameters and runtime.
 */
import type { ScalarMap } from '../image/image.types.ts';
import type { Tensor } from '../onnx/tensor.ts';
import type { ParamTable } from './method-params.ts';
import type { ModelFunction } from './model-function.ts';

/** Names of the shipped methods. */
export type MethodName =
  | 'saliency'
  | 'gradxinput'
  | 'smoothgrad'
  | 'ig'
  | 'gradshap'
  | 'gradcam'
  | 'gradcampp'
  | 'occlusion'
  | 'rise'
  | 'lime'
  | 'kernelshap'
  | 'anomalymap';

/** What a method explains: one input image [1, C, H, W] under one target. */
export interface ExplainInput {
  /** Preprocessed model input [1, C, H, W] float32. */
  x: Tensor<'float32'>;
  /** The scalar target f(x) as a batched model function. */
  f: ModelFunction;
  /** Seed for methods that sample. */
  seed: number;
}

/** One method's result. */
export interface Explanation {
  method: MethodName;
  /** Heatmap [H, W] at model-input resolution; larger = more important for the target. */
  map: ScalarMap;
  /** Parameters actually used (defaults filled in). */
  params: Record<string, unknown>;
  /** Wall time of the method, milliseconds. */
  runtimeMs: number;
  /** Number of forward (or forward+backward) samples evaluated. */
  evaluations: number;
  /** Method-specific figures: completeness error, superpixel weights, Shapley values... */
  extras?: Record<string, unknown>;
}

/** A method: a name, its declared parameters (method-params.ts) and a function. */
export interface Explainer<P = Record<string, unknown>> {
  readonly name: MethodName;
  /** Every parameter `explain` accepts, with its default; anything else is refused. */
  readonly params: ParamTable;
  explain(input: ExplainInput, params?: Partial<P>): Promise<Explanation>;
}
