/**
 * The thread of a {@link BatchLoader}: holds a copy of the training samples and answers
 * each request { id, indices, epoch } with makeBatch's batch, its image and target
 * buffers transferred.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { makeBatch } from './batch.ts';
import type { TrainSample } from './batch.ts';
import { batchTransferList } from './batch-loader.ts';
import type { LoaderBatchOptions, WorkerReply } from './batch-loader.ts';

const port = parentPort;
if (!port) throw new Error('batch-worker.ts runs only as a worker thread');
const { samples, options } = workerData as { samples: TrainSample[]; options: LoaderBatchOptions };

port.on('message', (m: { id: number; indices: number[]; epoch: number }) => {
  let reply: WorkerReply;
  try {
    const batch = makeBatch(samples, m.indices, { ...options, epoch: m.epoch });
    port.postMessage({ id: m.id, batch } satisfies WorkerReply, batchTransferList(batch));
    return;
  } catch (e) {
    reply = { id: m.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies WorkerReply);
