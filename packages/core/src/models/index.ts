/** Task adapters and the model card. */
export type { InputSpec, ModelCard, SeverityRule, Task } from './card.schema.ts';
export {
  CalibrationSchema,
  DEFAULT_MERGE_GAP_PIXELS,
  DEFAULT_MIN_AREA_PIXELS,
  InputSpecSchema,
  ModelCardSchema,
  SeverityRuleSchema,
  TASKS,
  TaskSchema,
  ThresholdsSchema,
} from './card.schema.ts';
export { DEFAULT_SEVERITY, defectIndices, modelCardToYaml, parseInputSpec, parseModelCard, parseModelCardYaml, readModelCard, writeModelCard } from './card.ts';
export type { Placement } from './preprocess.ts';
export { cropMap, fitImage, fitMask, mapToOriginal, preprocess } from './preprocess.ts';
export type { Component } from './components.ts';
export { findRegions, maskToRle, rleToMask } from './components.ts';
export { gradeSeverity } from './severity.ts';
export type { SeverityInput } from './severity.ts';
export type { Finding, Prediction } from './result.ts';
export { TASK_ADAPTERS, mergeRegions, postprocessClassify, postprocessSegment, softmaxRow, taskAdapter } from './tasks/index.ts';
export type { DefaultTarget, SelectionMetric, TargetKind, TargetReason, TaskAdapter } from './tasks/index.ts';
export type { LabelledFolder, LabelledItem, ListLabelledOptions, PreparedBatch } from './labelled-folder.ts';
export { MASK_IGNORE, classifierLogits, itemsOf, listLabelledFolder, preparedBatches } from './labelled-folder.ts';
export { Predictor } from './predictor.ts';
export type { PredictorOptions } from './predictor.ts';
export * from './anomaly/index.ts';
