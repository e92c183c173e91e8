/**
 * Entry of the worker thread that trains or evaluates for a run (see run-in-worker.ts):
 * ONNX Runtime runs sessions synchronously, so training on the API thread would stop it
 * answering. Reads its task from `workerData`, posts the core's events as messages, and
 * stops between steps (training, the simulated-defect anomaly fit), images (evaluation) or
 * phases (PatchCore fitting) once the shared cancel flag is set.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { evaluateAnomalyFolder, evaluateFolder, runTraining, trainAnomalyMethod } from '@xai-qc/core';
import type { WorkerReply, WorkerTask } from './run-protocol.ts';

const { task, cancel } = workerData as { task: WorkerTask; cancel: SharedArrayBuffer };
const flag = new Int32Array(cancel);
const port = parentPort;
if (!port) throw new Error('run-worker.ts runs in a worker thread');

function post(m: WorkerReply): void {
  port?.postMessage(m);
}

/** Throws once the run was cancelled; called from every progress callback of the core. */
function checkCancelled(): void {
  if (Atomics.load(flag, 0) === 1) throw Object.assign(new Error('the run was cancelled'), { code: 'XQC_JOB_CANCELLED' });
}

async function main(): Promise<unknown> {
  if (task.op === 'train') {
    return runTraining({
      ...task.options,
      onEvent: (e) => {
        if (e.type === 'epoch' || e.type === 'early-stop') post({ type: 'train-event', event: e });
        else if (e.type === 'step') post({ type: 'progress', phase: `epoch ${e.epoch}`, done: e.step, total: e.steps, epoch: e.epoch });
        checkCancelled();
      },
    });
  }
  if (task.op === 'train-anomaly') {
    // Every method reports through this callback: PatchCore per phase item, the simulated
    // method after each training step and validation batch, so a cancel stops either there.
    return trainAnomalyMethod({
      ...task.options,
      onProgress: (e) => {
        const phase = task.options.method === 'auto' ? `${e.method} ${e.phase}` : e.phase;
        post({ type: 'progress', phase, done: e.done, total: e.total, elapsedSeconds: e.elapsedSeconds, remainingSeconds: e.remainingSeconds });
        checkCancelled();
      },
    });
  }
  const onProgress = (done: number, total: number): void => {
    post({ type: 'progress', phase: 'images', done, total });
    checkCancelled();
  };
  if (task.anomaly) return evaluateAnomalyFolder(task.modelPath, task.dataDir, 'all');
  return evaluateFolder(task.modelPath, task.dataDir, 'all', undefined, { onProgress });
}

main().then(
  (result) => post({ type: 'done', result }),
  (e: unknown) => post({ type: 'error', code: (e as { code?: string }).code ?? 'XQC_RUN_FAILED', message: (e as Error).message ?? String(e) }),
);
