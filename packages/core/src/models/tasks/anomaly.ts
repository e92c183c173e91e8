/**
 * Anomaly adapter. An anomaly model is a PatchCore detector fitted on good images
 * (`models/anomaly/`): `AnomalyDetector` predicts from its memory bank, and the exported
 * single-graph detector gives a score, a map and the raw score. Its predictions come from
 * `AnomalyDetector.predict`, not from one output tensor, so {@link anomalyAdapter.postprocess}
 * refuses with a pointer there. Explanations target the anomaly score; the best detector
 * has the highest image AUROC.
 */
import { XqcError } from '../../errors.ts';
import { goodOrElse } from '../labels.ts';
import { figure } from './task-adapter.ts';
import type { TaskAdapter } from './task-adapter.ts';

/** The anomaly task. */
export const anomalyAdapter: TaskAdapter = {
  task: 'anomaly',
  description: 'anomaly detection learned from good images: image score and anomaly map, findings from the map',
  datasetLayout: 'anomaly',
  predictsFromOutput: false,
  checkModel: () => undefined,
  postprocess: () => {
    throw new XqcError('XQC_INVALID_ARGUMENT', 'an anomaly model predicts through AnomalyDetector (its memory bank and thresholds), not from one output tensor; load it with AnomalyDetector.load(dir)');
  },
  targetKind: 'score',
  defaultGoodLabels: (labels) => goodOrElse(labels, []),
  defaultTarget: () => ({ kind: 'score', index: 0, reason: 'anomaly score' }),
  selectionMetric: { name: 'imageAuroc', description: 'area under the ROC curve of the image scores', of: (r) => figure(r, 'imageAuroc') },
};
