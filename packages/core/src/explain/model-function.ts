/**
 * A model seen as a batched scalar function f: [B, C, H, W] -> [B] for one target, with
 * its gradient w.r.t. the input and w.r.t. an inner layer. Gradient methods call
 * `gradients` / `layerGradients` (one gradient graph, compiled once, cotangent = the
 * target weights tiled over the batch); perturbation methods call `values` with large
 * batches of perturbed images.
 */
import { GradientSession } from '../autodiff/gradient.ts';
import { XqcError } from '../errors.ts';
import type { Model } from '../onnx/ir.ts';
import { saveModel } from '../onnx/model-io.ts';
import { inferTypes } from '../onnx/shape/infer.ts';
import { sizeOf, tensor } from '../onnx/tensor.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { defaultSessionCache } from '../runtime/session.ts';
import type { OnnxSession, SessionCache, SessionOptions } from '../runtime/session.ts';
import type { Target } from './target.ts';

/** Options of {@link ModelFunction.create}. */
export interface ModelFunctionOptions {
  /** Graph input that receives images. */
  input: string;
  target: Target;
  /** Inner value for CAM methods. */
  layer?: string;
  /** Largest batch sent to ONNX Runtime in one forward run (default 32). */
  maxBatch?: number;
  /**
   * Largest batch in one gradient run (default 8, at most maxBatch). A gradient run keeps
   * every activation of the batch alive for the backward pass; on the 2-core machine a
   * 224x224 ResNet-18 gradient cost 69 ms per image at batch 4, 73 at 16 and 88 at 32
   * (docs/benchmarks.md), while forward passes keep gaining up to 32.
   */
  maxGradientBatch?: number;
  cache?: SessionCache;
  session?: SessionOptions;
}

/** See the module comment. */
export class ModelFunction {
  /** Samples evaluated so far (forward or forward+backward). */
  evaluations = 0;
  /** Of those, samples whose gradient w.r.t. the input was computed ({@link gradients}). */
  gradientEvaluations = 0;
  /** Of those, samples whose layer gradient was computed ({@link layerGradients}). */
  layerEvaluations = 0;
  private forward: Promise<OnnxSession> | undefined;
  private grad: Promise<GradientSession> | undefined;
  private layerGrad: Promise<GradientSession> | undefined;
  readonly maxBatch: number;
  readonly maxGradientBatch: number;

  private constructor(readonly model: Model, readonly options: ModelFunctionOptions) {
    this.maxBatch = options.maxBatch ?? 32;
    this.maxGradientBatch = Math.min(options.maxGradientBatch ?? 8, this.maxBatch);
  }

  /** Wraps `model`; sessions compile lazily on first use and are shared through the cache. */
  static create(model: Model, options: ModelFunctionOptions): ModelFunction {
    const g = model.graph;
    const exists = (v: string): boolean => g.inputs.some((i) => i.name === v) || g.nodes.some((n) => n.outputs.includes(v));
    if (!exists(options.input)) throw new XqcError('XQC_VALUE_NOT_FOUND', `model has no input '${options.input}'`);
    if (!exists(options.target.of)) throw new XqcError('XQC_VALUE_NOT_FOUND', `model has no value '${options.target.of}'`);
    if (options.layer && !exists(options.layer)) throw new XqcError('XQC_VALUE_NOT_FOUND', `model has no layer '${options.layer}'`);
    return new ModelFunction(model, options);
  }

  get target(): Target {
    return this.options.target;
  }

  private cache(): SessionCache {
    return this.options.cache ?? defaultSessionCache;
  }

  /** f(x) for every sample of x [B, C, H, W]. */
  async values(x: Tensor<'float32'>): Promise<Float64Array> {
    this.forward ??= this.cache().get(
      saveModel({ ...this.model, graph: { ...this.model.graph, outputs: [{ name: this.target.of }] } }),
      this.options.session,
    );
    const s = await this.forward;
    const out = new Float64Array(x.dims[0]);
    for (const [start, chunk] of chunks(x, this.maxBatch)) {
      const v = (await s.run({ [this.options.input]: chunk }, [this.target.of]))[this.target.of];
      this.reduce(v, chunk.dims[0], out, start);
    }
    this.evaluations += x.dims[0];
    return out;
  }

  /** f(x) and df/dx for every sample; `grad` has x's layout [B*C*H*W]. */
  async gradients(x: Tensor<'float32'>): Promise<{ values: Float64Array; grad: Float32Array }> {
    this.grad ??= GradientSession.create(this.model, { of: this.target.of, wrt: [this.options.input] }, { cache: this.cache(), session: this.options.session });
    const gs = await this.grad;
    const values = new Float64Array(x.dims[0]);
    const grad = new Float32Array(x.data.length);
    const per = x.data.length / x.dims[0];
    for (const [start, chunk] of chunks(x, this.maxGradientBatch)) {
      const r = await gs.run({ [this.options.input]: chunk }, this.cotangent(chunk.dims[0]));
      this.reduce(r.value, chunk.dims[0], values, start);
      grad.set(r.grads[this.options.input].data as Float32Array, start * per);
    }
    this.evaluations += x.dims[0];
    this.gradientEvaluations += x.dims[0];
    return { values, grad };
  }

  /** f(x), the layer's activation A and df/dA for every sample (CAM methods). */
  async layerGradients(x: Tensor<'float32'>): Promise<{ values: Float64Array; activation: Tensor; grad: Tensor }> {
    const layer = this.options.layer;
    if (!layer) throw new XqcError('XQC_EXPLAIN', 'no layer was chosen for this model function');
    this.layerGrad ??= GradientSession.create(this.model, { of: this.target.of, wrt: [layer], exposeValues: [layer] }, {
      cache: this.cache(),
      session: this.options.session,
    });
    const gs = await this.layerGrad;
    const r = await gs.run({ [this.options.input]: x }, this.cotangent(x.dims[0]), [layer]);
    const values = new Float64Array(x.dims[0]);
    this.reduce(r.value, x.dims[0], values, 0);
    this.evaluations += x.dims[0];
    this.layerEvaluations += x.dims[0];
    return { values, activation: r.outputs[layer], grad: r.grads[layer] };
  }

  private cotangent(batch: number): Tensor<'float32'> {
    const w = this.target.weights;
    const data = new Float32Array(batch * w.length);
    for (let b = 0; b < batch; b++) data.set(w, b * w.length);
    return tensor('float32', [batch, ...this.targetDims()], data);
  }

  private dims: number[] | undefined;

  private targetDims(): number[] {
    if (this.dims) return this.dims;
    // The cotangent must have the rank of the target value: read its shape from the graph's
    // declarations, else infer it.
    const declared = [...this.model.graph.outputs, ...this.model.graph.valueInfo].find((v) => v.name === this.target.of)?.shape;
    const shape = (declared ?? inferTypes(this.model).types.get(this.target.of)?.shape)?.slice(1);
    if (shape && shape.every((d) => typeof d === 'number') && sizeOf(shape as number[]) === this.target.weights.length) {
      this.dims = shape as number[];
    } else this.dims = [this.target.weights.length];
    return this.dims;
  }

  private reduce(v: Tensor, batch: number, out: Float64Array, start: number): void {
    const w = this.target.weights;
    const per = v.data.length / batch;
    if (per !== w.length) {
      throw new XqcError('XQC_SHAPE_MISMATCH', `target '${this.target.of}' has ${per} values per sample, weights have ${w.length}`);
    }
    if (!this.dims || this.dims.length === 1) this.dims = v.dims.slice(1);
    const d = v.data as Float32Array;
    for (let b = 0; b < batch; b++) {
      let s = 0;
      for (let j = 0; j < per; j++) if (w[j] !== 0) s += w[j] * d[b * per + j];
      out[start + b] = s;
    }
  }
}

/** Splits x [B, ...] into chunks of at most `max` samples: [start, chunk] pairs. */
export function* chunks(x: Tensor<'float32'>, max: number): Generator<[number, Tensor<'float32'>]> {
  const b = x.dims[0];
  const per = x.data.length / b;
  for (let s = 0; s < b; s += max) {
    const n = Math.min(max, b - s);
    yield [s, tensor('float32', [n, ...x.dims.slice(1)], (x.data as Float32Array).subarray(s * per, (s + n) * per))];
  }
}
