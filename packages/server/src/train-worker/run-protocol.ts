/** Messages between a run's job handler and its worker thread (run-worker.ts). */
import type { RunTrainingOptions, TrainAnomalyMethodOptions, TrainEvent } from '@xai-qc/core';

/** What the worker does: train a network, fit an anomaly detector (core's trainAnomalyMethod: PatchCore, simulated defects or auto), or evaluate a model folder. */
export type WorkerTask =
  | { op: 'train'; options: Omit<RunTrainingOptions, 'onEvent'> }
  | { op: 'train-anomaly'; options: Omit<TrainAnomalyMethodOptions, 'onProgress' | 'trainers' | 'validationSimulator'> }
  | { op: 'evaluate'; modelPath: string; dataDir: string; anomaly: boolean };

/** What the worker posts. */
export type WorkerReply =
  | { type: 'train-event'; event: Extract<TrainEvent, { type: 'epoch' | 'early-stop' }> }
  | { type: 'progress'; phase: string; done: number; total: number; epoch?: number; elapsedSeconds?: number; remainingSeconds?: number }
  | { type: 'done'; result: unknown }
  | { type: 'error'; code: string; message: string }
  | { type: 'startError'; message: string };
