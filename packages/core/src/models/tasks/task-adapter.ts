/**
 * What a task means, in one place per task: how a model's output becomes predictions,
 * which check a model must pass to serve the task, what an explanation targets by
 * default, which figure selects the best model, and which dataset layout evaluates it.
 * The table of adapters is `tasks/index.ts`; nothing else in core branches on the task.
 */
import { XqcError } from '../../errors.ts';
import type { Model } from '../../onnx/ir.ts';
import type { Tensor } from '../../onnx/tensor.ts';
import type { ModelCard, Task } from '../card.schema.ts';
import type { Placement } from '../preprocess.ts';
import type { Prediction } from '../result.ts';

/** Why a default target was chosen (see {@link TaskAdapter.defaultTarget}). */
export type TargetReason = 'predicted' | 'top defect' | 'top class' | 'anomaly score';

/**
 * What an explanation of the task differentiates: 'class', one class logit of the output
 * [1, K]; 'region', one class's logits summed over its predicted region of [1, K, h, w];
 * 'score', the model's scalar score.
 */
export type TargetKind = 'class' | 'region' | 'score';

/** The default explanation target of one prediction. */
export interface DefaultTarget {
  kind: TargetKind;
  /** Class index (class, region) or element index (score). */
  index: number;
  reason: TargetReason;
}

/** The figure that picks the best epoch or model of a task (higher is better). */
export interface SelectionMetric {
  /** Name of the figure in the task's evaluation report. */
  name: string;
  description: string;
  /** The figure from an evaluation report of the task (NaN when absent). */
  of(report: Readonly<Record<string, unknown>>): number;
}

/** One task. */
export interface TaskAdapter {
  readonly task: Task;
  readonly description: string;
  /** Dataset layout that evaluates the task (`data/dataset.types.ts`). */
  readonly datasetLayout: 'classification' | 'segmentation' | 'anomaly';
  /** Whether {@link postprocess} turns the card's output into predictions (anomaly detectors predict through `AnomalyDetector`). */
  readonly predictsFromOutput: boolean;
  /**
   * Checks that the model can serve the task, from the output's declared shape.
   * @throws XQC_MODEL_INVALID naming what the task needs and what the model has
   */
  checkModel(model: Model, outputName: string, card: ModelCard): void;
  /** Turns the card's output for a batch into predictions, one per placement. */
  postprocess(output: Tensor, card: ModelCard, placements: readonly Placement[]): Prediction[];
  /** The card's `goodLabels` when it names none, from its labels. */
  defaultGoodLabels(labels: readonly string[]): string[];
  /** The kind of scalar an explanation of this task targets. */
  readonly targetKind: TargetKind;
  /** The explanation target when the caller names none. */
  defaultTarget(card: ModelCard, prediction: Pick<Prediction, 'probabilities' | 'findings'> | undefined): DefaultTarget;
  readonly selectionMetric: SelectionMetric;
}

/** The declared shape of a graph output (undefined when the graph does not say). */
export function declaredOutputShape(model: Model, outputName: string): readonly (number | string)[] | undefined {
  return model.graph.outputs.find((o) => o.name === outputName)?.shape as readonly (number | string)[] | undefined;
}

/**
 * Checks a declared output shape against `[N, K]` (rank 2) or `[N, K, h, w]` (rank 4):
 * unknown shapes and symbolic dimensions pass (the postprocess checks the real dims).
 */
export function checkLogitsShape(model: Model, outputName: string, card: ModelCard, rank: 2 | 4, need: string): void {
  const shape = declaredOutputShape(model, outputName);
  if (!shape || shape.length === 0) return;
  const k = card.labels.length;
  const wrongClasses = typeof shape[1] === 'number' && shape[1] !== k;
  if (shape.length !== rank || wrongClasses) {
    throw new XqcError(
      'XQC_MODEL_INVALID',
      `a ${card.task} card needs ${need}: output '${outputName}' of shape [${rank === 2 ? `N, ${k}` : `N, ${k}, h, w`}] for its ${k} labels; the model's is [${shape.join(', ')}]`,
    );
  }
}

/**
 * The class a QC user wants explained from image-level probabilities: the predicted
 * class when it is a defect, else the most probable defect class (why might this be a
 * defect?), else (no defect labels) the predicted class.
 */
export function defaultClassTarget(card: ModelCard, probabilities: readonly number[], defects: readonly number[]): Pick<DefaultTarget, 'index' | 'reason'> {
  let top = 0;
  for (let j = 1; j < probabilities.length; j++) if (probabilities[j] > probabilities[top]) top = j;
  if (defects.length === 0) return { index: top, reason: 'top class' };
  if (defects.includes(top)) return { index: top, reason: 'predicted' };
  let best = defects[0];
  for (const j of defects) if ((probabilities[j] ?? 0) > (probabilities[best] ?? 0)) best = j;
  return { index: best, reason: 'top defect' };
}

/** A finite number from a report field, NaN otherwise. */
export function figure(report: Readonly<Record<string, unknown>>, name: string): number {
  const v = report[name];
  return typeof v === 'number' ? v : Number.NaN;
}
