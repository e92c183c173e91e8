/** The task table: one adapter per task the card schema allows. */
import { XqcError } from '../../errors.ts';
import type { Task } from '../card.schema.ts';
import { TASKS } from '../card.schema.ts';
import { anomalyAdapter } from './anomaly.ts';
import { classifyAdapter } from './classify.ts';
import { detectAdapter } from './detect.ts';
import { segmentAdapter } from './segment.ts';
import type { TaskAdapter } from './task-adapter.ts';

export type { DefaultTarget, SelectionMetric, TargetKind, TargetReason, TaskAdapter } from './task-adapter.ts';
export { postprocessClassify, softmaxRow } from './classify.ts';
export { mergeRegions, postprocessSegment } from './segment.ts';

/** Every task's adapter, keyed by task. */
export const TASK_ADAPTERS: Readonly<Record<Task, TaskAdapter>> = Object.freeze({
  classify: classifyAdapter,
  segment: segmentAdapter,
  detect: detectAdapter,
  anomaly: anomalyAdapter,
});

/**
 * The adapter of `task`.
 * @throws XQC_INVALID_ARGUMENT naming the known tasks
 */
export function taskAdapter(task: string): TaskAdapter {
  if (!Object.hasOwn(TASK_ADAPTERS, task)) throw new XqcError('XQC_INVALID_ARGUMENT', `unknown task '${task}'; known tasks: ${TASKS.join(', ')}`);
  return TASK_ADAPTERS[task as Task];
}
