/** The training task table: what each trainable task means for the training pipeline. */
import { XqcError } from '../../errors.ts';
import { classifyTraining } from './classify.ts';
import { segmentTraining } from './segment.ts';
import type { TrainableTask, TrainingTask } from './training-task.ts';

export type { ArchSizes, BatchTargets, TrainableTask, TrainingTask } from './training-task.ts';

/** Every trainable task's training side, keyed by task. */
export const TRAINING_TASKS: Readonly<Record<TrainableTask, TrainingTask>> = Object.freeze({
  classify: classifyTraining,
  segment: segmentTraining,
});

/** The trainable tasks, in table order. */
export const TRAINABLE_TASKS = Object.freeze(Object.keys(TRAINING_TASKS) as TrainableTask[]);

/**
 * The training side of `task`.
 * @throws XQC_INVALID_ARGUMENT naming the trainable tasks
 */
export function trainingTask(task: string): TrainingTask {
  if (!Object.hasOwn(TRAINING_TASKS, task)) throw new XqcError('XQC_INVALID_ARGUMENT', `no network training for task '${task}'; trainable tasks: ${TRAINABLE_TASKS.join(', ')}`);
  return TRAINING_TASKS[task as TrainableTask];
}
