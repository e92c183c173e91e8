/**
 * Running gradients: builds (and caches) the vector-Jacobian-product graph of a model
 * and evaluates it on ONNX Runtime.
 */
import type { Model } from '../onnx/ir.ts';
import { saveModel } from '../onnx/model-io.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { tensor } from '../onnx/tensor.ts';
import { defaultSessionCache } from '../runtime/session.ts';
import type { OnnxSession, SessionCache, SessionOptions } from '../runtime/session.ts';
import { defaultRegistry } from './register-all.ts';
import type { GradRegistry } from './registry.ts';
import { buildGradient } from './vjp.ts';
import type { GradientModel, GradientOptions } from './vjp.ts';

/** A compiled gradient graph ready to evaluate many times. */
export class GradientSession {
  private forward: Promise<OnnxSession> | undefined;

  private constructor(
    readonly gradient: GradientModel,
    readonly session: OnnxSession,
    readonly of: string,
    private readonly forwardModel: Model,
    private readonly cache: SessionCache,
    private readonly sessionOptions: SessionOptions | undefined,
  ) {}

  /**
   * Builds and compiles the gradient graph of `model` for `options.of` w.r.t. `options.wrt`.
   * The compiled session is shared through `cache` (keyed by the graph bytes).
   */
  static async create(
    model: Model,
    options: GradientOptions,
    runtime: { cache?: SessionCache; session?: SessionOptions; registry?: GradRegistry } = {},
  ): Promise<GradientSession> {
    const gradient = buildGradient(model, runtime.registry ?? defaultRegistry(), { ...options, exposeValues: [options.of, ...(options.exposeValues ?? [])] });
    const bytes = saveModel(gradient.model);
    const cache = runtime.cache ?? defaultSessionCache;
    const session = await cache.get(bytes, runtime.session);
    const forwardModel: Model = { ...model, graph: { ...model.graph, outputs: [{ name: options.of }] } };
    return new GradientSession(gradient, session, options.of, forwardModel, cache, runtime.session);
  }

  /**
   * Evaluates `of` and the gradients. `cotangent` defaults to ones shaped like `of`
   * (which needs one forward pass first to learn that shape unless it is static).
   * @returns `value` (the `of` tensor), `grads` by wrt name, and `outputs` (everything fetched).
   */
  async run(
    feeds: Record<string, Tensor>,
    cotangent?: Tensor,
    extraOutputs: string[] = [],
  ): Promise<{ value: Tensor; grads: Record<string, Tensor>; outputs: Record<string, Tensor> }> {
    const c = cotangent ?? (await this.onesLikeOf(feeds));
    const fetch = [this.of, ...Object.values(this.gradient.grads), ...extraOutputs];
    const outputs = await this.session.run({ ...feeds, [this.gradient.cotangent]: c }, [...new Set(fetch)]);
    const grads: Record<string, Tensor> = {};
    for (const [w, name] of Object.entries(this.gradient.grads)) grads[w] = outputs[name];
    return { value: outputs[this.of], grads, outputs };
  }

  private async onesLikeOf(feeds: Record<string, Tensor>): Promise<Tensor> {
    const info = this.gradient.model.graph.inputs.find((i) => i.name === this.gradient.cotangent);
    const dtype = info?.dtype ?? 'float32';
    let dims: number[];
    if (info?.shape && info.shape.every((d) => typeof d === 'number')) dims = info.shape as number[];
    else {
      // The shape of `of` depends on the feeds (e.g. the batch size): learn it from a forward pass.
      this.forward ??= this.cache.get(saveModel(this.forwardModel), this.sessionOptions);
      const out = await (await this.forward).run(feeds, [this.of]);
      dims = out[this.of].dims;
    }
    const n = dims.reduce((a, d) => a * d, 1);
    return tensor(dtype, dims, new Array<number>(n).fill(1));
  }
}
