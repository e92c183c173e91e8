/** Messages between a run's job handler and its worker thread (run-worker.ts). */
import type { RunTrainingOptions, TrainAnomalyOptions, TrainEvent } from '@xai-qc/core';

/** What the worker does: train a network, fit PatchCore, or evaluate a model folder. */
export type WorkerTask =
  | { op: 'train'; options: Omit<RunTrainingOptions, 'onEvent'> }
  | { op: 'train-anomaly'; options: Omit<TrainAnomalyOptions, 'onProgress' | 'cache'> }
  | { op: 'evaluate'; modelPath: string; dataDir: string; anomaly: boolean };

/** What the worker posts. */
export type WorkerReply =
  | { type: 'train-event'; event: Extract<TrainEvent, { type: 'epoch' | 'early-stop' }> }
  | { type: 'progress'; phase: string; done: number; total: number; epoch?: number }
  | { type: 'done'; result: unknown }
  | { type: 'error'; code: string; message: string }
  | { type: 'startError'; message: string };
