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

/** The test-time views {@link withTestTimeViews} builds into a network. */
export interface TestTimeViews {
  /** Mirrored copies of the input whose probabilities are averaged (1: none). */
  flips: TestTimeFlips;
  /**
   * Also look at the image at half scale and keep a pixel only where both scales see a
   * defect: the map is the geometric mean of the full-scale map and the half-scale map
   * brought back to full size (default false).
   */
  halfScale?: boolean;
}

/** Added under the square root of the two-scale map, so that its gradient stays finite where both scales read 0. */
const GEOMETRIC_EPSILON = 1e-12;

/**
 * The wrapped network ({@link wrapNetwork}) with its defect probability averaged over
 * `flips` mirrored copies of each input (test-time augmentation; the training crops are
 * mirrored the same ways): `input` [N, C, H, W] -> Concat on the batch axis of the input
 * and its flips (Slice with step -1 on W, on H, on both) -> the network [F*N, 1, H, W] ->
 * Reshape [F, N, H, W] -> each copy's map flipped back -> their mean -> Reshape [N, 1, H, W].
 * The U-Net runs once on the F-times larger batch; every op has an autodiff rule, so
 * gradient explanations run through it. `flips` 1 returns the network unchanged (a copy).
 * Same as {@link withTestTimeViews} without the half-scale view.
 * @throws XQC_ANOMALY for another flip count or a network without {@link PROBABILITY_OUTPUT}
 */
export function withTestTimeFlips(network: Model, flips: TestTimeFlips): Model {
  return withTestTimeViews(network, { flips });
}

/**
 * The wrapped network ({@link wrapNetwork}) with test-time views built in: the defect
 * probability averaged over `flips` mirrored copies of each input (see
 * {@link withTestTimeFlips}) and, with `halfScale`, combined with a half-scale view.
 *
 * The half-scale view lets a network trained on small crops see defects larger than its
 * crops: the image is averaged down 2x2 (AveragePool; an odd last row or column is
 * dropped), set in a 2x2 mirror mosaic (the half image, its left-right mirror beside it,
 * both mirrored up-down below; Pad by edge to the input size when a side is odd) so that
 * the same fixed-size network scores it in the same batch as the flips, and the mosaic's
 * map is folded back (each quadrant mirrored back, the four averaged, which are its four
 * flips) and resized bilinearly to the input. The output is the geometric mean of the two
 * scales' maps, sqrt(full * half + 1e-12): a pixel scores high only where both scales agree,
 * which keeps large defects the half scale sees and drops what either scale alone fires
 * on. The first N rows of the network's batch are the images themselves, as without views.
 * @throws XQC_ANOMALY for another flip count, a network without {@link PROBABILITY_OUTPUT},
 * or a half-scale view of an input under 2x2
 */
export function withTestTimeViews(network: Model, views: TestTimeViews): Model {
  const { flips, halfScale = false } = views;
  if (!TEST_TIME_FLIPS.includes(flips)) throw new XqcError('XQC_ANOMALY', `test-time flips must be 1, 2 or 4, got ${String(flips)}`);
  const net = cloneModel(network);
  if (flips === 1 && !halfScale) return net;
  const g = net.graph;
  const info = g.inputs.find((i) => i.name === 'input');
  const out = g.outputs.find((o) => o.name === PROBABILITY_OUTPUT);
  if (!info || !out) throw new XqcError('XQC_ANOMALY', `the network needs an input 'input' and an output '${PROBABILITY_OUTPUT}'`);
  const [, , height, width] = info.shape ?? [];
  if (typeof height !== 'number' || typeof width !== 'number') throw new XqcError('XQC_ANOMALY', 'the network input needs a fixed height and width');
  const h = Math.floor(height / 2);
  const w = Math.floor(width / 2);
  if (halfScale && (h < 1 || w < 1)) throw new XqcError('XQC_ANOMALY', `a half-scale view needs an input of at least 2x2, got ${width}x${height}`);
  const stacked = 'flips/input';
  const single = 'flips/defect_probability';
  for (const n of g.nodes) {
    n.inputs = n.inputs.map((i) => (i === 'input' ? stacked : i));
    n.outputs = n.outputs.map((o) => (o === PROBABILITY_OUTPUT ? single : o));
  }
  const b = new GraphBuilder(g, defaultOpset(net), 'flips');
  const axesOf: number[][] = flips === 1 ? [[]] : flips === 2 ? [[], [3]] : [[], [3], [2], [2, 3]];
  // Reversed along `axes` (2: H, 3: W) of a tensor whose last two sides are `dims`: start at the last index, end before the first.
  const flip = (x: string, axes: number[], dims: number[] = [height, width]): string =>
    axes.length === 0 ? x : b.op1('Slice', [x, b.int64s(axes.map(() => -1)), b.int64s(axes.map((a) => -dims[a - 2] - 1)), b.int64s(axes), b.int64s(axes.map(() => -1))]);
  const copies = axesOf.map((a) => flip('input', a));
  if (halfScale) {
    const half = b.op1('AveragePool', ['input'], { kernel_shape: [2, 2], strides: [2, 2] });
    const top = b.op1('Concat', [half, flip(half, [3], [h, w])], { axis: 3 });
    let mosaic = b.op1('Concat', [top, flip(top, [2], [h, 2 * w])], { axis: 2 });
    if (2 * h < height || 2 * w < width) mosaic = b.op1('Pad', [mosaic, b.int64s([0, 0, 0, 0, 0, 0, height - 2 * h, width - 2 * w])], { mode: 'edge' });
    copies.push(mosaic);
  }
  b.op('Concat', copies, { axis: 0 }, { outputNames: [stacked] });
  const maps = b.reshape(single, [copies.length, -1, height, width]);
  const copy = (f: number): string => b.op1('Slice', [maps, b.int64s([f]), b.int64s([f + 1]), b.int64s([0])]);
  const back = axesOf.map((a, f) => flip(copy(f), a));
  let result = back.length === 1 ? back[0] : b.op1('Mul', [b.sum(back), b.scalar(1 / flips, 'float32')]);
  if (halfScale) {
    // The mosaic's four quadrants, each mirrored back to the half image, averaged: [1, N, h, w].
    const quadrant = (y: number, x: number): string => b.op1('Slice', [copy(axesOf.length), b.int64s([y * h, x * w]), b.int64s([(y + 1) * h, (x + 1) * w]), b.int64s([2, 3])]);
    const folded = b.op1('Mul', [b.sum([quadrant(0, 0), flip(quadrant(0, 1), [3], [h, w]), flip(quadrant(1, 0), [2], [h, w]), flip(quadrant(1, 1), [2, 3], [h, w])]), b.scalar(0.25, 'float32')]);
    // Back to the input size: 2, or for an odd side a scale a little over side / half so that floor(half * scale) is the side whatever the rounding.
    const upscale = (side: number, halfSide: number): number => (side === 2 * halfSide ? 2 : (side + 0.25) / halfSide);
    const scales = b.constant({ dtype: 'float32', dims: [4], data: Float32Array.from([1, 1, upscale(height, h), upscale(width, w)]) }, 'scales');
    const up = b.op1('Resize', [folded, '', scales], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
    result = b.op1('Sqrt', [b.op1('Add', [b.op1('Mul', [result, up]), b.scalar(GEOMETRIC_EPSILON, 'float32')])]);
  }
  b.op('Reshape', [result, b.int64s([-1, 1, height, width])], {}, { outputNames: [b.reserve(PROBABILITY_OUTPUT)] });
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
  /** The network has the half-scale view built in ({@link withTestTimeViews}): one more copy per image. */
  halfScale?: boolean;
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
    const per = Math.max(1, Math.floor(NETWORK_COPIES_PER_RUN / ((this.spec.flips ?? 1) + (this.spec.halfScale ? 1 : 0))));
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
