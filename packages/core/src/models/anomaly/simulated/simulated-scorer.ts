/**
 * Scoring of the detector trained on simulated defects: the segmentation network gives a
 * defect probability per pixel at the full model input, the raw anomaly map is that
 * probability smoothed by a Gaussian of `sigma` pixels (reflect padding, as
 * `image/gaussian-blur.ts`), and the raw image score is the mean of the `topK` largest raw
 * map pixels. Thresholds and normalisation are PatchCore's (`thresholds.ts`).
 *
 * The network is the U-Net of `train/zoo/unet.ts` (built by `train/anomaly/simulated-unet.ts`) at the model input padded up to
 * multiples of 2^depth: `input` [N, C, H, W] -> Pad (reflect, bottom and right) -> U-Net ->
 * logits [N, 2, H', W'] -> Slice back to [H, W] -> Softmax over the two classes -> the
 * defect channel `defect_probability` [N, 1, H, W]. Crops train the same weights (the
 * network is fully convolutional), so only the inference form is built at this size.
 */
import { XqcError } from '../../../errors.ts';
import { gaussianBlurMap } from '../../../image/gaussian-blur.ts';
import { GraphBuilder } from '../../../onnx/builder.ts';
import type { Model } from '../../../onnx/ir.ts';
import { cloneModel, defaultOpset } from '../../../onnx/ir.ts';
import { saveModel } from '../../../onnx/model-io.ts';
import type { Tensor } from '../../../onnx/tensor.ts';
import { defaultSessionCache } from '../../../runtime/session.ts';
import type { OnnxSession, SessionCache, SessionOptions } from '../../../runtime/session.ts';
import type { RawScores } from '../scorer.ts';

/** Output name of the network's defect probability [N, 1, H, W]. */
export const PROBABILITY_OUTPUT = 'defect_probability';

/** Settings of the segmentation network. */
export interface SimulatedNetworkSpec {
  /** Channels of the U-Net's first level. */
  width: number;
  /** 2x downsamplings of the U-Net. */
  depth: number;
  /** Weight initialisation seed. */
  seed: number;
}

/** `size` rounded up to a multiple of 2^depth. */
export function paddedSize(size: number, depth: number): number {
  const step = 2 ** depth;
  return Math.ceil(size / step) * step;
}

/**
 * Wraps an inference U-Net built at `padded` so that it takes `input` [N, 3, height,
 * width] and outputs {@link PROBABILITY_OUTPUT} [N, 1, height, width] (see the module
 * comment). Returns a new model; the U-Net's weights are kept as they are.
 */
export function wrapNetwork(unetModel: Model, height: number, width: number, padded: [number, number]): Model {
  const net = cloneModel(unetModel);
  const g = net.graph;
  const [ph, pw] = padded;
  if (ph < height || pw < width) throw new XqcError('XQC_ANOMALY', `the network input ${ph}x${pw} is smaller than the model input ${height}x${width}`);
  if (ph - height >= height || pw - width >= width) throw new XqcError('XQC_ANOMALY', `a ${height}x${width} input is too small to pad to ${ph}x${pw} by reflection`);
  const inner = 'unet/input';
  for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === 'input' ? inner : i));
  const info = g.inputs.find((i) => i.name === 'input');
  if (!info) throw new XqcError('XQC_ANOMALY', "the U-Net has no input named 'input'");
  info.shape = ['N', 3, height, width];
  g.outputs = [];
  const b = new GraphBuilder(g, defaultOpset(net), 'network');
  b.reserve(inner);
  const pads = b.int64s([0, 0, 0, 0, 0, 0, ph - height, pw - width]);
  b.op('Pad', ['input', pads], { mode: 'reflect' }, { outputNames: [inner] });
  const cropped = b.op1('Slice', ['logits', b.int64s([0, 0]), b.int64s([height, width]), b.int64s([2, 3])]);
  const p = b.op1('Softmax', [cropped], { axis: 1 });
  b.op('Slice', [p, b.int64s([1]), b.int64s([2]), b.int64s([1])], {}, { outputNames: [b.reserve(PROBABILITY_OUTPUT)] });
  g.outputs = [{ name: PROBABILITY_OUTPUT, dtype: 'float32', shape: ['N', 1, height, width] }];
  g.valueInfo = g.valueInfo.filter((v) => v.name !== 'logits');
  net.metadata = { ...net.metadata, 'xai-qc.task': 'anomaly-network' };
  return net;
}

/** The mean of the `k` largest values of `values`. */
export function topKMean(values: Float32Array, k: number): number {
  const sorted = Float32Array.from(values).sort();
  let s = 0;
  for (let i = sorted.length - k; i < sorted.length; i++) s += sorted[i];
  return s / k;
}

/** The default top-k of an input of `height x width`: 0.1 % of its pixels, at least 1. */
export function defaultTopK(height: number, width: number): number {
  return Math.max(1, Math.round((height * width) / 1000));
}

/** What a {@link SimulatedScorer} needs. */
export interface SimulatedScorerSpec {
  /** The wrapped network ({@link wrapNetwork}). */
  network: Model;
  inputName: string;
  /** Input [height, width]. */
  size: [number, number];
  sigma: number;
  topK: number;
}

/** The compiled network and the scoring of its maps. */
export class SimulatedScorer {
  private constructor(
    readonly spec: SimulatedScorerSpec,
    private readonly session: OnnxSession,
  ) {}

  /** Compiles the network. */
  static async create(spec: SimulatedScorerSpec, options: { cache?: SessionCache; session?: SessionOptions } = {}): Promise<SimulatedScorer> {
    const [h, w] = spec.size;
    if (!Number.isInteger(spec.topK) || spec.topK < 1 || spec.topK > h * w) throw new XqcError('XQC_ANOMALY', `topK must be an integer from 1 to ${h * w}, got ${spec.topK}`);
    const session = await (options.cache ?? defaultSessionCache).get(saveModel(spec.network), options.session);
    return new SimulatedScorer(spec, session);
  }

  /** Defect probabilities [N * H * W] of an input batch [N, C, H, W] (preprocessed). */
  async probabilities(input: Tensor): Promise<Float32Array> {
    const out = await this.session.run({ [this.spec.inputName]: input }, [PROBABILITY_OUTPUT]);
    return out[PROBABILITY_OUTPUT].data as Float32Array;
  }

  /**
   * Raw scores and maps of an input batch. `patchScores` holds the unsmoothed defect
   * probability of every pixel [N * H * W].
   */
  async score(input: Tensor): Promise<RawScores> {
    const probs = await this.probabilities(input);
    const [height, width] = this.spec.size;
    const plane = height * width;
    const n = probs.length / plane;
    const maps: Float32Array[] = [];
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const map = gaussianBlurMap({ width, height, data: probs.subarray(i * plane, (i + 1) * plane) }, this.spec.sigma).data;
      maps.push(map);
      scores[i] = topKMean(map, this.spec.topK);
    }
    return { scores, maps, patchScores: probs };
  }
}
