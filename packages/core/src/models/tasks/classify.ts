/**
 * Image classification adapter: logits [N, K] -> probabilities (softmax with the card's
 * calibration temperature), label, verdict and an image-level finding. Explanations
 * target the predicted class when it is a defect, else the most probable defect class;
 * the best model is the one with the highest accuracy.
 */
import { XqcError } from '../../errors.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import type { ModelCard } from '../card.schema.ts';
import { defectIndices, goodOrElse } from '../labels.ts';
import type { Prediction } from '../result.ts';
import { gradeSeverity } from '../severity.ts';
import { checkLogitsShape, defaultClassTarget, figure } from './task-adapter.ts';
import type { TaskAdapter } from './task-adapter.ts';

/** Softmax of one row of logits divided by temperature `t`. */
export function softmaxRow(logits: ArrayLike<number>, offset: number, k: number, t = 1): number[] {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, Number(logits[offset + j]) / t);
  const e = new Array<number>(k);
  let s = 0;
  for (let j = 0; j < k; j++) {
    e[j] = Math.exp(Number(logits[offset + j]) / t - max);
    s += e[j];
  }
  return e.map((v) => v / s);
}

/**
 * Postprocesses classifier logits.
 * @param logits [N, K] float32
 */
export function postprocessClassify(logits: Tensor, card: ModelCard): Prediction[] {
  if (logits.dims.length !== 2 || logits.dims[1] !== card.labels.length) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `classifier output has dims [${logits.dims.join(',')}], card has ${card.labels.length} labels`);
  }
  const [n, k] = logits.dims;
  const t = card.calibration?.temperature ?? 1;
  const defects = defectIndices(card);
  const out: Prediction[] = [];
  for (let i = 0; i < n; i++) {
    const p = softmaxRow(logits.data as Float32Array, i * k, k, t);
    let best = 0;
    for (let j = 1; j < k; j++) if (p[j] > p[best]) best = j;
    const pGood = card.labels.reduce((s, l, j) => (card.goodLabels.includes(l) ? s + p[j] : s), 0);
    const defectProbability = card.goodLabels.length ? 1 - pGood : Math.max(...defects.map((j) => p[j]));
    const reject = defects.length > 0 && defectProbability >= card.thresholds.reject;
    let topDefect = defects[0] ?? best;
    for (const j of defects) if (p[j] > p[topDefect]) topDefect = j;
    out.push({
      task: 'classify',
      verdict: reject ? 'reject' : 'pass',
      label: card.labels[best],
      classIndex: best,
      score: p[best],
      defectProbability,
      probabilities: p,
      findings: reject
        ? [{
            label: card.labels[topDefect],
            classIndex: topDefect,
            score: p[topDefect],
            severity: gradeSeverity({ label: card.labels[topDefect], areaFraction: 1, score: p[topDefect] }, card.severity),
          }]
        : [],
    });
  }
  return out;
}

/** The classify task. */
export const classifyAdapter: TaskAdapter = {
  task: 'classify',
  description: 'image classification: logits [N, K] -> class probabilities, verdict from the defect probability',
  datasetLayout: 'classification',
  predictsFromOutput: true,
  checkModel: (model, outputName, card) => checkLogitsShape(model, outputName, card, 2, 'class logits'),
  postprocess: (output, card) => postprocessClassify(output, card),
  targetKind: 'class',
  defaultGoodLabels: (labels) => goodOrElse(labels, []),
  defaultTarget: (card, prediction) => ({ kind: 'class', ...defaultClassTarget(card, prediction?.probabilities ?? [], defectIndices(card)) }),
  selectionMetric: { name: 'accuracy', description: 'top-1 accuracy', of: (r) => figure(r, 'accuracy') },
};
