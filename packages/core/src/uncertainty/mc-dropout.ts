/**
 * Monte Carlo Dropout (Gal and Ghahramani 2016): the model's Dropout layers stay on at
 * inference, S stochastic passes are averaged, and their spread measures what the model
 * does not know. The S passes run as one batched input (each image repeated S times),
 * chunked to `maxBatch` rows. Each Dropout is replaced by a multiplication with a mask
 * drawn here from a stream keyed by (seed, row), so a seed fixes the result exactly.
 */
import { XqcError } from '../errors.ts';
import type { ImageU8 } from '../image/image.types.ts';
import type { Predictor } from '../models/predictor.ts';
import type { Model } from '../onnx/ir.ts';
import { saveModel } from '../onnx/model-io.ts';
import { drawMask, dropoutAsMask } from '../onnx/passes/dropout-as-mask.ts';
import { keyedRng } from '../util/random.ts';
import { tensor } from '../onnx/tensor.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { defaultSessionCache } from '../runtime/session.ts';
import type { SessionCache, SessionOptions } from '../runtime/session.ts';
import { classLastProbabilities, summariseSamples } from './stochastic.ts';
import type { StochasticPrediction } from './stochastic.ts';

/** Options of {@link mcDropout}. */
export interface McDropoutOptions {
  /** Graph input and output (logits [B,K] or [B,K,H,W]). */
  input: string;
  output: string;
  /** Stochastic passes (default 30). */
  samples?: number;
  /** Seed of the masks (default 0): the same seed gives the same result. */
  seed?: number;
  /** Temperature applied to the logits (a calibrated model's T; default 1). */
  temperature?: number;
  /** Rows per ONNX Runtime run (default 64). */
  maxBatch?: number;
  cache?: SessionCache;
  session?: SessionOptions;
  /** `done` of `total` stochastic passes (samples x images) have run: 0 first, then after each ONNX Runtime run. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * MC-Dropout prediction of the images in `x` [N, C, H, W].
 * @throws XQC_UNCERTAINTY when the model has no Dropout node (its passes would all agree).
 */
export async function mcDropout(model: Model, x: Tensor<'float32'>, o: McDropoutOptions): Promise<StochasticPrediction> {
  const s = o.samples ?? 30;
  const seed = o.seed ?? 0;
  if (!Number.isInteger(s) || s < 2) throw new XqcError('XQC_UNCERTAINTY', `MC-Dropout needs at least 2 samples, got ${s}`);
  const { model: mc, masks } = dropoutAsMask(model);
  if (masks.length === 0) {
    throw new XqcError('XQC_UNCERTAINTY', 'the model has no Dropout node, so MC-Dropout cannot sample; use a deep ensemble or a model trained with dropout');
  }
  const session = await (o.cache ?? defaultSessionCache).get(saveModel(mc), o.session);
  const n = x.dims[0];
  const per = x.data.length / n;
  const rows = s * n;
  const maxBatch = Math.max(1, o.maxBatch ?? 64);
  const perSample: Float64Array[] = [];
  let classes = 0;
  let spatial: number[] = [];
  o.onProgress?.(0, rows);
  // Row r of the stacked batch is sample floor(r / n) of image r % n.
  for (let start = 0; start < rows; start += maxBatch) {
    const count2 = Math.min(maxBatch, rows - start);
    const data = new Float32Array(count2 * per);
    for (let r = 0; r < count2; r++) data.set((x.data as Float32Array).subarray(((start + r) % n) * per, (((start + r) % n) + 1) * per), r * per);
    const feeds: Record<string, Tensor> = { [o.input]: tensor('float32', [count2, ...x.dims.slice(1)], data) };
    // Row r's masks come from the stream keyed by (seed, r): results do not depend on maxBatch.
    for (const mk of masks) {
      const per2 = mk.dims.reduce((a, b) => a * b, 1);
      const buf = new Float32Array(count2 * per2);
      for (let r = 0; r < count2; r++) buf.set(drawMask(mk, 1, keyedRng(seed, start + r, masks.indexOf(mk))), r * per2);
      feeds[mk.input] = tensor('float32', [count2, ...mk.dims], buf);
    }
    const out = (await session.run(feeds, [o.output]))[o.output];
    const p = classLastProbabilities(out, o.temperature ?? 1);
    classes = p.classes;
    spatial = p.spatial;
    const itemsPerImage = p.items / count2;
    for (let r = 0; r < count2; r++) {
      const sample = Math.floor((start + r) / n);
      const image = (start + r) % n;
      perSample[sample] ??= new Float64Array(n * itemsPerImage * classes);
      perSample[sample].set(p.probs.subarray(r * itemsPerImage * classes, (r + 1) * itemsPerImage * classes), image * itemsPerImage * classes);
    }
    o.onProgress?.(start + count2, rows);
  }
  return summariseSamples(perSample, classes, n, spatial);
}

/**
 * MC-Dropout prediction of decoded images with a predictor: the images are prepared by
 * {@link Predictor.prepare} (the card's preprocessing) and sampled with the predictor's
 * input, output and calibration temperature.
 */
export async function mcDropoutImages(predictor: Predictor, images: readonly ImageU8[], o: Omit<McDropoutOptions, 'input' | 'output' | 'temperature'> = {}): Promise<StochasticPrediction> {
  return mcDropout(predictor.model, predictor.prepare(images).tensor, {
    ...o,
    input: predictor.inputName,
    output: predictor.outputName,
    temperature: predictor.card.calibration?.temperature,
  });
}
