/**
 * What the model decided about the explained image, in the terms an explanation is shown
 * with: the verdict, the probability it rests on (and whether the card's temperature
 * calibrated it), the class probabilities, and what to outline on the image (a
 * segmenter's class mask, an anomaly detector's map above its pixel threshold, boxes of
 * region findings). Classifiers and segmenters go through `Predictor.postprocess`; an
 * exported PatchCore detector reports its normalised `score` and `anomaly_map` outputs,
 * whose threshold is 0.5 (models/anomaly/thresholds.ts).
 */
import type { ScalarMap } from '../image/image.types.ts';
import { DETECTOR_OUTPUTS } from '../models/anomaly/export-onnx.ts';
import type { Predictor } from '../models/predictor.ts';
import { mapToOriginal } from '../models/preprocess.ts';
import type { Placement } from '../models/preprocess.ts';
import type { Prediction } from '../models/result.ts';
import type { Tensor } from '../onnx/tensor.ts';

/** The decision as the summary states it. */
export interface Decision {
  verdict: 'pass' | 'reject';
  /** Predicted label (classify, segment) or 'good' / 'anomaly'. */
  label: string;
  /**
   * What the verdict compares with the card's reject threshold: the defect probability
   * (classify, segment) or the normalised anomaly score (anomaly, not a probability).
   */
  score: number;
  scoreKind: 'defect probability' | 'anomaly score';
  threshold: number;
  /** True when the probabilities are softmax(logits / T) with the card's fitted temperature T. */
  calibrated: boolean;
  temperature?: number;
  /** Class probabilities by label (classify, segment). */
  probabilities?: Record<string, number>;
  /** Anomaly detectors: the image score in distance units before normalisation. */
  rawScore?: number;
  /** The line drawn on the montage. */
  text: string;
}

/** What to draw on the image, at the size of the image given to explainImage. */
export interface DecisionOverlay {
  /** Class ids per pixel (0 = background): a segmenter's mask or the thresholded anomaly map. */
  mask?: { width: number; height: number; data: Uint8Array };
  /** Region findings as [x0, y0, x1, y1). */
  boxes: [number, number, number, number][];
}

/** {@link decide}'s result. */
export interface DecisionResult {
  decision?: Decision;
  overlay: DecisionOverlay;
  /** The predictor's prediction (classify, segment). */
  prediction?: Prediction;
  /** The card's output for the image (classify, segment), from which the target is chosen. */
  output?: Tensor;
}

function percent(p: number): string {
  return p.toFixed(3);
}

/**
 * The decision for one prepared image `x` [1, C, H, W] with its placement.
 * @returns no decision for tasks whose outputs are not understood here (then only the target is stated)
 */
export async function decide(predictor: Predictor, x: Tensor<'float32'>, placement: Placement): Promise<DecisionResult> {
  const card = predictor.card;
  if (predictor.task.predictsFromOutput) {
    const output = await predictor.forward(x);
    const prediction = predictor.postprocess(output, [placement])[0];
    const temperature = card.calibration?.temperature;
    const calibrated = typeof temperature === 'number';
    const probabilities = Object.fromEntries(card.labels.map((l, j) => [l, prediction.probabilities[j]]));
    const reject = prediction.verdict === 'reject';
    const named = reject ? (prediction.findings[0]?.label ?? prediction.label) : prediction.label;
    const text =
      `${reject ? 'REJECT' : 'PASS'} (${named}): P(defect) ${percent(prediction.defectProbability)}` +
      `${calibrated ? `, calibrated (T ${temperature.toFixed(2)})` : ', uncalibrated softmax'}; reject at >= ${card.thresholds.reject}`;
    const boxes = prediction.findings.flatMap((f) => (f.box ? [f.box] : []));
    return {
      prediction,
      output,
      decision: {
        verdict: prediction.verdict,
        label: prediction.label,
        score: prediction.defectProbability,
        scoreKind: 'defect probability',
        threshold: card.thresholds.reject,
        calibrated,
        temperature,
        probabilities,
        text,
      },
      overlay: { mask: prediction.mask, boxes },
    };
  }
  const outputs = predictor.model.graph.outputs.map((o) => o.name);
  if (!outputs.includes(DETECTOR_OUTPUTS.score)) return { overlay: { boxes: [] } };
  const wanted = [DETECTOR_OUTPUTS.score, DETECTOR_OUTPUTS.map, DETECTOR_OUTPUTS.raw].filter((o) => outputs.includes(o));
  const session = await predictor.forwardSession();
  const out = await session.run({ [predictor.inputName]: x }, wanted);
  const score = Number(out[DETECTOR_OUTPUTS.score].data[0]);
  const rawScore = out[DETECTOR_OUTPUTS.raw] ? Number(out[DETECTOR_OUTPUTS.raw].data[0]) : undefined;
  const threshold = card.thresholds.reject;
  const reject = score >= threshold;
  let mask: DecisionOverlay['mask'];
  const map = out[DETECTOR_OUTPUTS.map];
  if (map && map.dims.length === 4) {
    const [, , h, w] = map.dims;
    const pixel = card.thresholds.pixel ?? 0.5;
    const above: ScalarMap = { width: w, height: h, data: Float32Array.from(map.data as Float32Array, (v) => (v >= pixel ? 1 : 0)) };
    const full = mapToOriginal(above, placement);
    mask = { width: full.width, height: full.height, data: Uint8Array.from(full.data, (v) => (v >= 0.5 ? 1 : 0)) };
  }
  return {
    decision: {
      verdict: reject ? 'reject' : 'pass',
      label: reject ? 'anomaly' : 'good',
      score,
      scoreKind: 'anomaly score',
      threshold,
      calibrated: false,
      rawScore,
      text: `${reject ? 'REJECT' : 'PASS'}: anomaly score ${percent(score)} (a normalised distance, not a probability); reject at >= ${threshold}`,
    },
    overlay: { mask, boxes: [] },
  };
}
