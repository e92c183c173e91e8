/**
 * The detector trained on simulated defects as one ONNX graph, with the outputs of the
 * PatchCore export (`export-onnx.ts`), so the same serving, explanations and evaluation
 * run it: the network's `defect_probability` [N, 1, H, W], smoothed by the Gaussian of
 * `scoring.sigma` (reflect Pad and two 1-D convolutions, as `image/gaussian-blur.ts`),
 * is the raw map; `raw_score` [N] is the mean of its `scoring.topK` largest pixels (TopK
 * then ReduceMean); `anomaly_map` [N, 1, H, W] and `score` [N] are both normalised with
 * the thresholds at 0.5. Every op on the path to `raw_score` has an autodiff rule, so
 * gradient explanations run on the graph.
 */
import { gaussianKernel } from '../../../image/gaussian-blur.ts';
import { GraphBuilder } from '../../../onnx/builder.ts';
import type { Model } from '../../../onnx/ir.ts';
import { cloneModel, defaultOpset } from '../../../onnx/ir.ts';
import { tensor } from '../../../onnx/tensor.ts';
import { XqcError } from '../../../errors.ts';
import type { SimulatedAnomalyConfig } from '../artifact.ts';
import { DETECTOR_OUTPUTS, finishDetector, normalise } from '../export-onnx.ts';
import { PROBABILITY_OUTPUT } from './simulated-scorer.ts';

/**
 * Builds the single-graph detector from the wrapped network (`simulated-scorer.ts`
 * `wrapNetwork`) and the fitted config (scoring, normalisation).
 * @throws XQC_ANOMALY when the network has no defect probability output
 */
export function buildSimulatedDetectorModel(network: Model, config: SimulatedAnomalyConfig): Model {
  const m = cloneModel(network);
  const g = m.graph;
  if (!g.outputs.some((o) => o.name === PROBABILITY_OUTPUT)) throw new XqcError('XQC_ANOMALY', `the network has no output '${PROBABILITY_OUTPUT}'`);
  const { height: H, width: W } = config.input;
  g.outputs = [];
  const b = new GraphBuilder(g, defaultOpset(m), 'detector');
  let map = PROBABILITY_OUTPUT;
  const kernel = gaussianKernel(config.scoring.sigma, Math.min(H, W) - 1);
  const r = (kernel.length - 1) / 2;
  if (r > 0) {
    const padded = b.op1('Pad', [map, b.int64s([0, 0, r, r, 0, 0, r, r])], { mode: 'reflect' });
    const vertical = b.constant(tensor('float32', [1, 1, kernel.length, 1], kernel), 'blur_v');
    const horizontal = b.constant(tensor('float32', [1, 1, 1, kernel.length], kernel), 'blur_h');
    map = b.op1('Conv', [b.op1('Conv', [padded, vertical]), horizontal]);
  }
  normalise(b, map, config.normalisation.pixel, b.reserve(DETECTOR_OUTPUTS.map));
  const flat = b.reshape(map, [0, -1]);
  const [top] = b.op('TopK', [flat, b.int64s([config.scoring.topK])], { axis: 1, largest: 1, sorted: 1 }, { outputs: 2 });
  const raw = b.reduce('ReduceMean', top, [1], false);
  finishDetector(b, m, raw, config.normalisation.image, [H, W], 'simulated');
  return m;
}
