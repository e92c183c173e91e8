/**
 * Runs a model as its card says: preprocess, batched ONNX Runtime forward passes, task
 * postprocessing (the card's task adapter, `tasks/`). The server, the CLI, the
 * explainers, the uncertainty methods and the evaluators all turn images into model
 * inputs through {@link Predictor.prepare}, so an image is always seen the same way:
 * the card's colour order, resize mode, size and mean/std, alpha dropped.
 */
import { dirname, join } from 'node:path';
import { XqcError } from '../errors.ts';
import type { ImageU8 } from '../image/image.types.ts';
import type { Model } from '../onnx/ir.ts';
import { loadModelFile, saveModel } from '../onnx/model-io.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { defaultSessionCache } from '../runtime/session.ts';
import type { OnnxSession, SessionCache, SessionOptions } from '../runtime/session.ts';
import type { ModelCard } from './card.ts';
import { readModelCard } from './card.ts';
import { preprocess } from './preprocess.ts';
import type { Placement } from './preprocess.ts';
import type { Prediction } from './result.ts';
import { taskAdapter } from './tasks/index.ts';
import type { TaskAdapter } from './tasks/index.ts';

/** Runtime options of a predictor. */
export interface PredictorOptions {
  cache?: SessionCache;
  session?: SessionOptions;
}

/** A loaded model with its card, ready to predict. */
export class Predictor {
  readonly inputName: string;
  readonly outputName: string;
  /** What the card's task means (postprocess, default target, selection metric). */
  readonly task: TaskAdapter;
  private session: Promise<OnnxSession> | undefined;

  constructor(readonly model: Model, readonly card: ModelCard, private readonly options: PredictorOptions = {}) {
    const inputs = model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name));
    this.inputName = card.input.name ?? inputs[0]?.name ?? '';
    if (!inputs.some((i) => i.name === this.inputName)) {
      throw new XqcError('XQC_MODEL_INVALID', `model has no input '${this.inputName}' (card input.name)`);
    }
    this.outputName = card.outputs.logits ?? model.graph.outputs[0]?.name ?? '';
    if (!model.graph.outputs.some((o) => o.name === this.outputName)) {
      throw new XqcError('XQC_MODEL_INVALID', `model has no output '${this.outputName}' (card outputs.logits)`);
    }
    const declared = model.graph.inputs.find((i) => i.name === this.inputName)?.shape;
    const channels = card.input.color === 'gray' ? 1 : 3;
    if (declared && declared.length === 4 && typeof declared[1] === 'number' && declared[1] !== channels) {
      throw new XqcError('XQC_MODEL_INVALID', `model input has ${declared[1]} channels but the card says ${card.input.color}`);
    }
    this.task = taskAdapter(card.task);
    this.task.checkModel(model, this.outputName, card);
  }

  /** Loads `model.onnx` and its card (default: `model_card.yaml` in the same folder). */
  static async load(modelPath: string, cardPath?: string, options: PredictorOptions = {}): Promise<Predictor> {
    const model = await loadModelFile(modelPath);
    const card = await readModelCard(cardPath ?? join(dirname(modelPath), 'model_card.yaml'));
    return new Predictor(model, card, options);
  }

  /** The compiled forward session (shared through the cache). */
  async forwardSession(): Promise<OnnxSession> {
    this.session ??= (this.options.cache ?? defaultSessionCache).get(saveModel(this.model), this.options.session);
    return this.session;
  }

  /** Runs the model on a prepared input batch [N, C, H, W]; returns the card's output. */
  async forward(input: Tensor): Promise<Tensor> {
    const s = await this.forwardSession();
    const out = await s.run({ [this.inputName]: input }, [this.outputName]);
    return out[this.outputName];
  }

  /**
   * Preprocesses images as the card says: colour order, resize mode and size, mean/std.
   * @returns tensor [N, C, H, W] float32, how each image was placed, and the fitted 8-bit images
   */
  prepare(images: readonly ImageU8[]): { tensor: Tensor<'float32'>; placements: Placement[]; fitted: ImageU8[] } {
    return preprocess(images, this.card.input);
  }

  /** Turns raw outputs into predictions with the card's task adapter. */
  postprocess(output: Tensor, placements: readonly Placement[]): Prediction[] {
    return this.task.postprocess(output, this.card, placements);
  }

  /**
   * Predicts `images` in batches of `batchSize` (default 8).
   * @returns predictions in input order and the wall time of the whole call.
   */
  async predict(images: readonly ImageU8[], batchSize = 8): Promise<{ predictions: Prediction[]; latencyMs: number }> {
    const t0 = performance.now();
    const predictions: Prediction[] = [];
    for (let i = 0; i < images.length; i += batchSize) {
      const { tensor, placements } = this.prepare(images.slice(i, i + batchSize));
      predictions.push(...this.postprocess(await this.forward(tensor), placements));
    }
    return { predictions, latencyMs: performance.now() - t0 };
  }
}
