/**
 * The thread of an explain worker: keeps one core `Predictor` per model version it was sent
 * and runs explain requests one at a time (explain-compute.ts), so ONNX Runtime's blocking
 * runs and the map rendering never hold the event loop of the API or the job worker.
 * Progress of each request is posted back as it happens.
 */
import { parentPort } from 'node:worker_threads';
import { isXqcError, loadModel, parseModelCard, Predictor } from '@xai-qc/core';
import { computeExplanation } from './explain-compute.ts';
import type { ExplainTask, ExplainWorkerReply, ExplainWorkerRequest } from './explain.types.ts';

const port = parentPort;
if (!port) throw new Error('explain-worker.ts runs only as a worker thread');
const predictors = new Map<string, Predictor>();

function predictorFor(task: ExplainTask): Predictor {
  let p = predictors.get(task.key);
  if (!p) {
    if (!task.model) throw Object.assign(new Error(`model version ${task.key} is not loaded in this explain worker`), { code: 'XQC_EXPLAIN_NOT_LOADED' });
    p = new Predictor(loadModel(task.model.onnx), parseModelCard(JSON.parse(task.model.cardJson) as unknown));
    predictors.set(task.key, p);
  }
  return p;
}

async function handle(m: ExplainWorkerRequest): Promise<ExplainWorkerReply> {
  if (m.type === 'unload') {
    predictors.delete(m.key);
    return { type: 'done', id: m.id, output: null };
  }
  const output = await computeExplanation(predictorFor(m.task), m.task, (e) => port?.postMessage({ type: 'progress', id: m.id, ...e } satisfies ExplainWorkerReply));
  return { type: 'done', id: m.id, output };
}

// One request at a time: a worker is one ONNX Runtime caller.
let chain: Promise<void> = Promise.resolve();
port.on('message', (m: ExplainWorkerRequest) => {
  chain = chain.then(async () => {
    let reply: ExplainWorkerReply;
    try {
      reply = await handle(m);
    } catch (e) {
      const code = isXqcError(e) ? e.code : typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'XQC_RUNTIME';
      reply = { type: 'error', id: m.id, code, message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
});
port.postMessage({ type: 'ready' } satisfies ExplainWorkerReply);
