/**
 * The thread of {@link QualityMeasurer} (dataset-quality-compute.ts): decodes each file as
 * gray, at most {@link QUALITY_MAX_SIDE} on its longer side, and measures it with the core's
 * `datasetImageSignals` (size from the file, before shrinking). A file the decoder refuses is
 * answered with its reason, not as a failure of the batch.
 */
import { parentPort } from 'node:worker_threads';
import { datasetImageSignals, decodeImageWithFormat } from '@xai-qc/core';
import { QUALITY_MAX_SIDE } from './dataset-quality-compute.ts';
import type { QualityMeasure, QualityWorkerReply, QualityWorkerRequest } from './dataset-quality-compute.ts';

const port = parentPort;
if (!port) throw new Error('dataset-quality-worker.ts runs only as a worker thread');

async function measure(path: string, bytes: Uint8Array): Promise<QualityMeasure> {
  try {
    const d = await decodeImageWithFormat(bytes, { channels: 1, maxSide: QUALITY_MAX_SIDE });
    return { path, ok: true, format: d.format, signals: datasetImageSignals(d.image, d.original) };
  } catch (e) {
    return { path, ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

let chain: Promise<void> = Promise.resolve();
port.on('message', (m: QualityWorkerRequest) => {
  chain = chain.then(async () => {
    let reply: QualityWorkerReply;
    try {
      const results: QualityMeasure[] = [];
      for (const f of m.files) results.push(await measure(f.path, f.bytes));
      reply = { type: 'measured', id: m.id, results };
    } catch (e) {
      reply = { type: 'failed', id: m.id, message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
});
port.postMessage({ type: 'ready' } satisfies QualityWorkerReply);
