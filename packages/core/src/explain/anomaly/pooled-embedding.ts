/**
 * Image embeddings for retrieval: the global average of one backbone activation, one
 * vector per image, L2-normalised. The layer is chosen as PatchCore chooses its feature
 * layers (`models/anomaly/feature-layers.ts`); by default the deepest of those, whose
 * channels describe the content of the whole image rather than of one patch.
 */
import { XqcError } from '../../errors.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import type { InputSpec } from '../../models/card.ts';
import { preprocess } from '../../models/preprocess.ts';
import { chooseFeatureLayers, imageInput } from '../../models/anomaly/feature-layers.ts';
import type { FeatureLayer } from '../../models/anomaly/feature-layers.ts';
import { GraphBuilder } from '../../onnx/builder.ts';
import type { Model } from '../../onnx/ir.ts';
import { cloneModel, defaultOpset } from '../../onnx/ir.ts';
import { saveModel } from '../../onnx/model-io.ts';
import { removeUnused } from '../../onnx/passes/remove-unused.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import { defaultSessionCache } from '../../runtime/session.ts';
import type { OnnxSession, SessionCache, SessionOptions } from '../../runtime/session.ts';
import { l2NormalizeRows } from './l2-normalize.ts';

/** Output value of the embedding graph. */
export const EMBEDDING_OUTPUT = 'pooled_embedding';

/**
 * A copy of `backbone` cut at `layer` and ending in GlobalAveragePool and Flatten:
 * input [N, C, H, W] -> {@link EMBEDDING_OUTPUT} [N, channels], e_c = (1 / hw) sum_{y,x} A[c, y, x].
 * When the layer holds more rows than the input has images (a network that runs stacked
 * copies of its input, as test-time flips do), the first N rows, the images themselves, are kept.
 * @param size input [height, width]; the image input is redeclared [N, C, height, width]
 */
export function buildPooledEmbeddingModel(backbone: Model, layer: FeatureLayer, size: [number, number]): Model {
  const m = cloneModel(backbone);
  const g = m.graph;
  const input = imageInput(m);
  const info = g.inputs.find((i) => i.name === input.name);
  if (info) info.shape = ['N', input.channels, size[0], size[1]];
  // Declared shapes of intermediate values belong to the backbone's own input size.
  g.valueInfo = [];
  g.outputs = [];
  const b = new GraphBuilder(g, defaultOpset(m), 'embedding');
  const out = b.reserve(EMBEDDING_OUTPUT);
  const pooled = b.op1('Flatten', [b.op1('GlobalAveragePool', [layer.name])], { axis: 1 });
  // The first N rows: a network that stacks copies of its input on the batch axis (test-time
  // flips, `simulated-scorer.ts` `withTestTimeFlips`) puts the images themselves first.
  const n = b.op1('Slice', [b.shape(input.name), b.int64s([0]), b.int64s([1]), b.int64s([0])]);
  b.op('Slice', [pooled, b.int64s([0]), n, b.int64s([0])], {}, { outputNames: [out] });
  g.outputs = [{ name: out, dtype: 'float32', shape: ['N', layer.channels] }];
  return removeUnused(m);
}

/** Options of {@link PooledEmbedder.create}. */
export interface PooledEmbedderOptions {
  /** Model input [height, width]. */
  size: [number, number];
  /** Backbone value to pool (default: the deepest automatic PatchCore feature layer). */
  layer?: string;
  /** Largest batch per run (default 16). */
  maxBatch?: number;
  cache?: SessionCache;
  session?: SessionOptions;
}

/** Computes pooled, L2-normalised embeddings of preprocessed images; the session is compiled once. */
export class PooledEmbedder {
  private session: Promise<OnnxSession> | undefined;

  private constructor(
    readonly model: Model,
    readonly inputName: string,
    readonly layer: FeatureLayer,
    private readonly options: PooledEmbedderOptions,
  ) {}

  /**
   * Cuts `backbone` at the chosen layer.
   * @throws XQC_ANOMALY (from the layer choice) when the named layer is not a spatial activation or there is none
   */
  static create(backbone: Model, options: PooledEmbedderOptions): PooledEmbedder {
    const layers = chooseFeatureLayers(backbone, options.size, options.layer ? [options.layer] : undefined);
    const layer = layers[layers.length - 1];
    return new PooledEmbedder(buildPooledEmbeddingModel(backbone, layer, options.size), imageInput(backbone).name, layer, options);
  }

  /** Embedding width (the layer's channel count). */
  get dim(): number {
    return this.layer.channels;
  }

  /**
   * Embeds a prepared batch.
   * @param x [N, C, H, W] float32, preprocessed as the model's card says
   * @returns [N, dim] float32, every row of unit length
   */
  async embed(x: Tensor<'float32'>): Promise<Float32Array> {
    if (x.dims.length !== 4 || x.dims[2] !== this.options.size[0] || x.dims[3] !== this.options.size[1]) {
      throw new XqcError('XQC_SHAPE_MISMATCH', `embedding input must be [N, C, ${this.options.size.join(', ')}], got [${x.dims.join(', ')}]`);
    }
    this.session ??= (this.options.cache ?? defaultSessionCache).get(saveModel(this.model), this.options.session);
    const s = await this.session;
    const [n, c, h, w] = x.dims;
    const per = c * h * w;
    const batch = this.options.maxBatch ?? 16;
    const pooled = new Float32Array(n * this.dim);
    for (let start = 0; start < n; start += batch) {
      const count = Math.min(batch, n - start);
      const chunk = tensor('float32', [count, c, h, w], x.data.subarray(start * per, (start + count) * per));
      const out = await s.run({ [this.inputName]: chunk }, [EMBEDDING_OUTPUT]);
      pooled.set(out[EMBEDDING_OUTPUT].data as Float32Array, start * this.dim);
    }
    return l2NormalizeRows(pooled, n, this.dim);
  }

  /** Preprocesses `images` with the card's input spec (whose size must be this embedder's) and embeds them. */
  async embedImages(images: readonly ImageU8[], spec: InputSpec): Promise<Float32Array> {
    return this.embed(preprocess(images, spec).tensor);
  }
}
