/**
 * Which scalar to explain for one image, from the model card's task and the model's own
 * prediction: a class logit (classify), one class's logits summed over its predicted
 * region (segment), or one value of the output (any other task).
 */
import { XqcError } from '../errors.ts';
import type { ModelCard } from '../models/card.ts';
import { DETECTOR_OUTPUTS } from '../models/anomaly/export-onnx.ts';
import { taskAdapter } from '../models/tasks/index.ts';
import type { Prediction } from '../models/result.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { classTarget, regionTarget, scalarTarget } from './target.ts';
import type { Target } from './target.ts';

/** The chosen target and why. */
export interface ImageTarget {
  target: Target;
  /** Class (classify, segment) or element (other tasks) index. */
  index: number;
  /** The class label, when the task has labels. */
  label?: string;
  /**
   * 'given' (the caller's index), 'predicted' (the top class, a defect), 'top defect' (the
   * most probable defect class when the top class is good), 'top class' (no defect
   * labels), 'anomaly score' (an anomaly detector's image score) or 'default' (element 0
   * of a scalar output).
   */
  reason: 'given' | 'predicted' | 'top defect' | 'top class' | 'anomaly score' | 'default';
  /** Segmenters: pixels of the region at model resolution (0 means the whole image was used). */
  regionPixels?: number;
}

/**
 * The class a QC user wants explained: a segmenter's largest defect finding, else the
 * predicted class when it is a defect, else the most probable defect class (why might
 * this be a defect?), else the predicted class.
 */
function defaultClass(prediction: Pick<Prediction, 'probabilities' | 'findings'> | undefined, card: ModelCard): Pick<ImageTarget, 'index' | 'reason'> {
  const { index, reason } = taskAdapter(card.task).defaultTarget(card, prediction);
  return { index, reason };
}

/**
 * The target for one image.
 * @param output the card's output for that image: logits [1, K] (classify), [1, K, h, w]
 *   (segment), or any shape [1, ...] (other tasks)
 * @param prediction the model's prediction for the image (classify, segment)
 * @param index the caller's class or element index, if any
 * @throws XQC_EXPLAIN for an index out of range or an output of the wrong shape
 */
export function imageTarget(card: ModelCard, of: string, output: Tensor, prediction: Pick<Prediction, 'probabilities' | 'findings'> | undefined, index?: number): ImageTarget {
  const k = card.labels.length;
  const kind = taskAdapter(card.task).targetKind;
  if (kind !== 'score') {
    const rank = kind === 'class' ? 2 : 4;
    if (output.dims.length !== rank || output.dims[0] !== 1 || output.dims[1] !== k) {
      throw new XqcError('XQC_EXPLAIN', `a ${card.task} model's output must be [1, ${k}${rank === 4 ? ', h, w' : ''}], got [${output.dims.join(', ')}]`);
    }
    const chosen = index === undefined ? defaultClass(prediction, card) : { index, reason: 'given' as const };
    if (kind === 'class') {
      return { target: classTarget(of, k, chosen.index, card.labels[chosen.index]), ...chosen, label: card.labels[chosen.index] };
    }
    const [, , h, w] = output.dims;
    const plane = h * w;
    const logits = output.data as Float32Array;
    const region = new Uint8Array(plane);
    let pixels = 0;
    for (let p = 0; p < plane; p++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (logits[c * plane + p] > logits[best * plane + p]) best = c;
      if (best === chosen.index) {
        region[p] = 1;
        pixels++;
      }
    }
    const target = regionTarget(of, k, h, w, chosen.index, region);
    return { target: { ...target, description: `${target.description} (${card.labels[chosen.index]})` }, ...chosen, label: card.labels[chosen.index], regionPixels: pixels };
  }
  const elements = output.data.length / output.dims[0];
  const i = index ?? 0;
  return { target: scalarTarget(of, elements, i), index: i, reason: index === undefined ? 'default' : 'given' };
}

/**
 * The target of an anomaly detector: its image score in distance units (`raw_score` of an
 * exported PatchCore detector), which the verdict's normalised `score` turns into
 * clip(piecewise-linear(raw_score), 0, 1). Explaining the raw score keeps gradients alive
 * where the normalised score is clipped (clearly good or clearly bad images) and ranks
 * pixels the same way. A detector without `raw_score` is explained through `fallback`.
 */
export function anomalyTarget(outputs: readonly string[], fallback: string): ImageTarget {
  const of = outputs.includes(DETECTOR_OUTPUTS.raw) ? DETECTOR_OUTPUTS.raw : fallback;
  const target = scalarTarget(of, 1, 0);
  const description = of === DETECTOR_OUTPUTS.raw ? `${of} (the anomaly score in distance units, before normalisation)` : `${of} (the anomaly score)`;
  return { target: { ...target, description }, index: 0, label: 'anomaly', reason: 'anomaly score' };
}
