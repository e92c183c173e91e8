/**
 * The whole detector as one ONNX graph that ONNX Runtime (and so Triton's onnxruntime
 * backend) serves with no XAI-QC code: backbone and feature head, the memory bank as
 * initializers, nearest-neighbour distances and TopK, the image score (reweighted or max),
 * the patch map resized to the input and Gaussian-smoothed, and both normalised.
 *
 * Input: the image input of the backbone [N, C, H, W] float32, preprocessed as the card
 * says. Outputs: `score` [N] (normalised, >= 0.5 means anomalous), `anomaly_map`
 * [N, 1, H, W] (normalised with the pixel threshold at 0.5) and `raw_score` [N] (distance
 * units). The patch distances of one image at a time are computed inside a Scan, so memory
 * per run grows with one image's h w M distance block, not with the batch.
 */
import { XqcError } from '../../errors.ts';
import { GraphBuilder } from '../../onnx/builder.ts';
import type { Graph, Model } from '../../onnx/ir.ts';
import { cloneModel, defaultOpset } from '../../onnx/ir.ts';
import { tensor } from '../../onnx/tensor.ts';
import { gaussianKernel } from '../../image/gaussian-blur.ts';
import type { AnomalyConfig } from './artifact.ts';
import { FEATURES_OUTPUT } from './feature-head.ts';
import { appendNearestNeighbours, bankOperands } from './nn-search.ts';
import type { ScoreNormalisation } from './thresholds.ts';

/** Output names of the exported detector. */
export const DETECTOR_OUTPUTS = Object.freeze({ score: 'score', map: 'anomaly_map', raw: 'raw_score' });

/** Appends y = clip(s < t ? (s - low) a1 : 0.5 + (s - t) a2, 0, 1) named `out`, see `thresholds.ts`. */
export function normalise(b: GraphBuilder, s: string, n: ScoreNormalisation, out: string): void {
  const c = (v: number): string => b.scalar(v, 'float32');
  const below = b.mul(b.sub(s, c(n.low)), c(0.5 / (n.threshold - n.low)));
  const above = b.add(c(0.5), b.mul(b.sub(s, c(n.threshold)), c(0.5 / (n.high - n.threshold))));
  const y = b.op1('Where', [b.op1('Less', [s, c(n.threshold)]), below, above]);
  b.op('Clip', [y, c(0), c(1)], {}, { outputNames: [out] });
}

/** The Scan body: one image's patch rows [hw, D] -> nearest distance [hw] and bank index [hw]. */
function scanBody(opset: number, dim: number): Graph {
  const body: Graph = {
    name: 'nearest_patch',
    nodes: [],
    inputs: [{ name: 'scan/rows', dtype: 'float32', shape: ['P', dim] }],
    outputs: [],
    initializers: new Map(),
    valueInfo: [],
  };
  const b = new GraphBuilder(body, opset, 'scan');
  const nn = appendNearestNeighbours(b, 'scan/rows', 'detector/bank_scaled', 'detector/bank_sq', b.int64s([1]));
  b.op('Squeeze', [nn.distances, b.int64s([1])], {}, { outputNames: ['scan/distance'] });
  b.op('Squeeze', [nn.indices, b.int64s([1])], {}, { outputNames: ['scan/index'] });
  body.outputs = [
    { name: 'scan/distance', dtype: 'float32', shape: ['P'] },
    { name: 'scan/index', dtype: 'int64', shape: ['P'] },
  ];
  return body;
}

/**
 * Builds the single-graph detector from the feature graph, the bank [M, D] and the
 * fitted config (scoring, normalisation).
 */
export function buildDetectorModel(featureModel: Model, bank: Float32Array, config: AnomalyConfig): Model {
  const m = cloneModel(featureModel);
  const g = m.graph;
  const opset = defaultOpset(m);
  if (!g.outputs.some((o) => o.name === FEATURES_OUTPUT)) throw new XqcError('XQC_ANOMALY', `the feature graph has no output '${FEATURES_OUTPUT}'`);
  const d = config.features.dim;
  const size = bank.length / d;
  const [h, w] = config.features.grid;
  const { height: H, width: W } = config.input;
  const ops = bankOperands(bank, size, d);
  g.initializers.set('detector/bank_scaled', tensor('float32', [d, size], ops.scaledTranspose));
  g.initializers.set('detector/bank_sq', tensor('float32', [size], ops.squaredNorms));
  g.outputs = [];
  const b = new GraphBuilder(g, opset, 'detector');

  // [N, D, h, w] -> [N, h w, D]: one row per patch, patches in row-major grid order.
  const rows = b.reshape(b.transpose(FEATURES_OUTPUT, [0, 2, 3, 1]), [0, h * w, d]);
  const [dmin, nearest] = b.op('Scan', [rows], { body: { type: 'graph', value: scanBody(opset, d) }, num_scan_inputs: 1 }, { outputs: 2 });

  // Map: [N, h w] -> [N, 1, h, w] -> bilinear to [N, 1, H, W] -> Gaussian (reflect pad, two 1-D convs).
  const grid = b.reshape(dmin, [0, 1, h, w]);
  const lead = b.op1('Slice', [b.shape(grid), b.int64s([0]), b.int64s([2])]);
  let map = b.op1('Resize', [grid, '', '', b.op1('Concat', [lead, b.int64s([H, W])], { axis: 0 })], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  const kernel = gaussianKernel(config.scoring.sigma, Math.min(H, W) - 1);
  const r = (kernel.length - 1) / 2;
  if (r > 0) {
    const padded = b.op1('Pad', [map, b.int64s([0, 0, r, r, 0, 0, r, r])], { mode: 'reflect' });
    const vertical = b.constant(tensor('float32', [1, 1, kernel.length, 1], kernel), 'blur_v');
    const horizontal = b.constant(tensor('float32', [1, 1, 1, kernel.length], kernel), 'blur_h');
    map = b.op1('Conv', [b.op1('Conv', [padded, vertical]), horizontal]);
  }
  normalise(b, map, config.normalisation.pixel, b.reserve(DETECTOR_OUTPUTS.map));

  // Image score: s* = max patch distance, optionally reweighted by the neighbourhood of m*.
  let raw: string;
  if (config.scoring.imageScore === 'max') {
    raw = b.reduce('ReduceMax', dmin, [1], false);
  } else {
    const at = b.op1('ArgMax', [dmin], { axis: 1, keepdims: 1 });
    const star = b.op1('GatherElements', [dmin, at], { axis: 1 });
    // m_test [N, 1, D]: the row of the arg-max patch.
    const atRows = b.op1('Expand', [b.unsqueeze(at, [2]), b.int64s([1, 1, d])]);
    const test = b.op1('GatherElements', [rows, atRows], { axis: 1 });
    // m* [N, D] = bank rows, read back from -2 B^T (exact: scaling by a power of two).
    const starIndex = b.reshape(b.op1('GatherElements', [nearest, at], { axis: 1 }), [-1]);
    const half = b.scalar(-0.5, 'float32');
    const mStar = b.mul(b.transpose(b.op1('Gather', ['detector/bank_scaled', starIndex], { axis: 1 }), [1, 0]), half);
    const neighbours = Math.min(config.scoring.neighbours, size);
    const support = appendNearestNeighbours(b, mStar, 'detector/bank_scaled', 'detector/bank_sq', b.int64s([neighbours])).indices;
    // Support rows [N, b, D] from -2 B^T [D, M] gathered at [N, b] -> [D, N, b].
    const supportRows = b.mul(b.transpose(b.op1('Gather', ['detector/bank_scaled', support], { axis: 1 }), [1, 2, 0]), half);
    const dist = b.op1('Sqrt', [b.reduce('ReduceSumSquare', b.sub(supportRows, test), [2], false)]);
    const first = b.op1('Slice', [b.op1('Softmax', [dist], { axis: 1 }), b.int64s([0]), b.int64s([1]), b.int64s([1])]);
    const weight = b.sub(b.scalar(1, 'float32'), first);
    raw = b.reshape(b.mul(weight, star), [-1]);
  }
  finishDetector(b, m, raw, config.normalisation.image, [H, W], 'patchcore');
  return m;
}

/**
 * The common end of both single-graph detectors: names the raw image score `raw_score`,
 * appends its normalisation as `score`, declares the three outputs (`anomaly_map` must
 * already be written, [N, 1, H, W]) and records task, method and the normalised image
 * threshold in the model's metadata.
 */
export function finishDetector(b: GraphBuilder, m: Model, raw: string, image: ScoreNormalisation, [H, W]: [number, number], method: string): void {
  b.op('Identity', [raw], {}, { outputNames: [b.reserve(DETECTOR_OUTPUTS.raw)] });
  normalise(b, raw, image, b.reserve(DETECTOR_OUTPUTS.score));
  m.graph.outputs = [
    { name: DETECTOR_OUTPUTS.score, dtype: 'float32', shape: ['N'] },
    { name: DETECTOR_OUTPUTS.map, dtype: 'float32', shape: ['N', 1, H, W] },
    { name: DETECTOR_OUTPUTS.raw, dtype: 'float32', shape: ['N'] },
  ];
  m.metadata = {
    ...m.metadata,
    'xai-qc.task': 'anomaly',
    'xai-qc.method': method,
    'xai-qc.image_threshold_normalised': '0.5',
  };
}
