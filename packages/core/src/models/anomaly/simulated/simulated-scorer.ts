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
import { tensor } from '../../../onnx/tensor.ts';
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

/** Test-time flips averaged into the defect probability: 1 (none), 2 (left-right) or 4 (left-right, up-down and both). */
export type TestTimeFlips = 1 | 2 | 4;

/** The flip counts {@link withTestTimeFlips} takes. */
export const TEST_TIME_FLIPS: readonly TestTimeFlips[] = [1, 2, 4];

/**
 * The wrapped network ({@link wrapNetwork}) with its defect probability averaged over
 * `flips` mirrored copies of each input (test-time augmentation; the training crops are
 * mirrored the same ways): `input` [N, C, H, W] -> Concat on the batch axis of the input
 * and its flips (Slice with step -1 on W, on H, on both) -> the network [F*N, 1, H, W] ->
 * Reshape [F, N, H, W] -> each copy's map flipped back -> their mean -> Reshape [N, 1, H, W].
 * The U-Net runs once on the F-times larger batch; every op has an autodiff rule, so
 * gradient explanations run through it. `flips` 1 returns the network unchanged (a copy).
 * @throws XQC_ANOMALY for another flip count or a network without {@link PROBABILITY_OUTPUT}
 */
export function withTestTimeFlips(network: Model, flips: TestTimeFlips): Model {
  if (!TEST_TIME_FLIPS.includes(flips)) throw new XqcError('XQC_ANOMALY', `test-time flips must be 1, 2 or 4, got ${String(flips)}`);
  const net = cloneModel(network);
  if (flips === 1) return net;
  const g = net.graph;
  const info = g.inputs.find((i) => i.name === 'input');
  const out = g.outputs.find((o) => o.name === PROBABILITY_OUTPUT);
  if (!info || !out) throw new XqcError('XQC_ANOMALY', `the network needs an input 'input' and an output '${PROBABILITY_OUTPUT}'`);
  const [, , height, width] = info.shape ?? [];
  if (typeof height !== 'number' || typeof width !== 'number') throw new XqcError('XQC_ANOMALY', 'the network input needs a fixed height and width');
  const stacked = 'flips/input';
  const single = 'flips/defect_probability';
  for (const n of g.nodes) {
    n.inputs = n.inputs.map((i) => (i === 'input' ? stacked : i));
    n.outputs = n.outputs.map((o) => (o === PROBABILITY_OUTPUT ? single : o));
  }
  const b = new GraphBuilder(g, defaultOpset(net), 'flips');
  const dims = [height, width];
  const axesOf: number[][] = flips === 2 ? [[], [3]] : [[], [3], [2], [2, 3]];
  // Reversed along `axes` (2: H, 3: W): start at the last index, end before the first.
  const flip = (x: string, axes: number[]): string =>
    axes.length === 0 ? x : b.op1('Slice', [x, b.int64s(axes.map(() => -1)), b.int64s(axes.map((a) => -dims[a - 2] - 1)), b.int64s(axes), b.int64s(axes.map(() => -1))]);
  b.op('Concat', axesOf.map((a) => flip('input', a)), { axis: 0 }, { outputNames: [stacked] });
  const copies = b.reshape(single, [flips, -1, height, width]);
  const back = axesOf.map((a, f) => flip(b.op1('Slice', [copies, b.int64s([f]), b.int64s([f + 1]), b.int64s([0])]), a));
  const mean = b.op1('Mul', [b.sum(back), b.scalar(1 / flips, 'float32')]);
  b.op('Reshape', [mean, b.int64s([-1, 1, height, width])], {}, { outputNames: [b.reserve(PROBABILITY_OUTPUT)] });
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
  /**
   * Test-time flips built into the network (default 1): it runs each image that many
   * times, so a batch is cut into runs of at most {@link NETWORK_COPIES_PER_RUN} copies.
   */
  flips?: number;
}

/** Most image copies the network sees in one run (memory stays that of an 8-image batch without flips). */
export const NETWORK_COPIES_PER_RUN = 8;

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
    const [n, ...rest] = input.dims;
    const per = Math.max(1, Math.floor(NETWORK_COPIES_PER_RUN / (this.spec.flips ?? 1)));
    if (n <= per) {
      const out = await this.session.run({ [this.spec.inputName]: input }, [PROBABILITY_OUTPUT]);
      return out[PROBABILITY_OUTPUT].data as Float32Array;
    }
    const [height, width] = this.spec.size;
    const inPlane = rest.reduce((a, b) => a * b, 1);
    const data = input.data as Float32Array;
    const probs = new Float32Array(n * height * width);
    for (let i = 0; i < n; i += per) {
      const m = Math.min(per, n - i);
      const part = tensor('float32', [m, ...rest], data.subarray(i * inPlane, (i + m) * inPlane));
      const out = await this.session.run({ [this.spec.inputName]: part }, [PROBABILITY_OUTPUT]);
      probs.set(out[PROBABILITY_OUTPUT].data as Float32Array, i * height * width);
    }
    return probs;
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
