/**
 * Detection adapter. XAI-QC detects defects as boxes taken from a segmenter's masks: a
 * detect card runs a model whose output is per-pixel class logits [N, K, h, w], and each
 * finding (one per defect, fragments within the card's merge gap joined) carries its box,
 * area, mask and class. A model that cannot give boxes that way (any other output) is
 * refused when the predictor is built, with the shape it would need.
 */
import { goodOrElse } from '../labels.ts';
import { checkLogitsShape } from './task-adapter.ts';
import type { TaskAdapter } from './task-adapter.ts';
import { DEFECT_DICE, defaultRegionTarget, postprocessSegment } from './segment.ts';

/** The detect task (boxes from masks). */
export const detectAdapter: TaskAdapter = {
  task: 'detect',
  description: 'defect detection with boxes taken from a segmenter\'s masks: logits [N, K, h, w] -> one boxed finding per defect',
  datasetLayout: 'segmentation',
  predictsFromOutput: true,
  checkModel: (model, outputName, card) =>
    checkLogitsShape(model, outputName, card, 4, 'boxes, which XAI-QC takes from per-pixel class masks (box-regression heads are not supported)'),
  postprocess: (output, card, placements) => postprocessSegment(output, card, placements, 'detect'),
  targetKind: 'region',
  defaultGoodLabels: (labels) => goodOrElse(labels, labels.slice(0, 1)),
  defaultTarget: defaultRegionTarget,
  selectionMetric: DEFECT_DICE,
};
