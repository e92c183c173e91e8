/**
 * The thread of one inference worker: owns its model sessions (one {@link ModelRunner} per
 * loaded version) and answers `load` and `detect` requests one at a time, so
 * ONNX Runtime's blocking run never holds the API's event loop. Session thread counts come
 * from `workerData.intraOpThreads` (see inference-pool.ts for the budget).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './inference.types.ts';
import { ModelRunner, toItemError } from './model-runner.ts';

const port = parentPort;
if (!port) throw new Error('inference-worker.ts runs only as a worker thread');
const { intraOpThreads } = workerData as { intraOpThreads: number };
const session = { intraOpThreads, interOpThreads: 1 };
const runners = new Map<string, Promise<ModelRunner>>();

async function handle(m: WorkerRequest): Promise<WorkerReply> {
  switch (m.type) {
    case 'load': {
      let p = runners.get(m.spec.key);
      if (!p) {
        p = ModelRunner.load(m.spec, session);
        runners.set(m.spec.key, p);
        p.catch(() => runners.delete(m.spec.key));
      }
      await p;
      return { id: m.id, ok: true };
    }
    case 'detect': {
      const runner = runners.get(m.key);
      if (!runner) return { id: m.id, ok: false, error: { code: 'XQC_INFERENCE_NOT_LOADED', message: `model version ${m.key} is not loaded in this worker` } };
      return { id: m.id, ok: true, results: await (await runner).detect(m.images, m.options) };
    }
  }
}

// Requests run one after another: a worker is one ONNX Runtime caller at a time.
let chain: Promise<void> = Promise.resolve();
port.on('message', (m: WorkerRequest) => {
  chain = chain.then(async () => {
    let reply: WorkerReply;
    try {
      reply = await handle(m);
    } catch (e) {
      reply = { id: m.id, ok: false, error: toItemError(e) };
    }
    port.postMessage(reply);
  });
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
