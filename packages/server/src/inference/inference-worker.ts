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
// No spinning: the worker shares the machine's cores with the API thread (and other workers),
// and ONNX Runtime's pool threads busy-waiting after each run took a core from them. On the
// 2-core bench machine this cut the server's CPU per /detect from 5.7-6.3 ms to 4.0-4.3 ms and
// raised 8-client throughput by about a quarter, with the 1-client latency unchanged
// (docs/benchmarks.md, "monitoring signals").
const session = { intraOpThreads, interOpThreads: 1, spinning: false };
const runners = new Map<string, Promise<ModelRunner>>();

/** A reply, and what to send after it (the batch's monitoring signals). */
interface Handled {
  reply: WorkerReply;
  after?: () => WorkerReply;
}

async function handle(m: WorkerRequest): Promise<Handled> {
  switch (m.type) {
    case 'load': {
      let p = runners.get(m.spec.key);
      if (!p) {
        p = ModelRunner.load(m.spec, session);
        runners.set(m.spec.key, p);
        p.catch(() => runners.delete(m.spec.key));
      }
      await p;
      return { reply: { id: m.id, ok: true } };
    }
    case 'detect': {
      const runner = runners.get(m.key);
      if (!runner) return { reply: { id: m.id, ok: false, error: { code: 'XQC_INFERENCE_NOT_LOADED', message: `model version ${m.key} is not loaded in this worker` } } };
      const { outcomes, signals } = await (await runner).detectThenSignals(m.images, m.options);
      return {
        reply: { id: m.id, ok: true, results: outcomes },
        after: m.options.signals ? () => ({ type: 'signals', id: m.id, signals: signals() }) : undefined,
      };
    }
  }
}

// Requests run one after another: a worker is one ONNX Runtime caller at a time.
let chain: Promise<void> = Promise.resolve();
port.on('message', (m: WorkerRequest) => {
  chain = chain.then(async () => {
    let handled: Handled;
    try {
      handled = await handle(m);
    } catch (e) {
      handled = { reply: { id: m.id, ok: false, error: toItemError(e) } };
    }
    port.postMessage(handled.reply);
    if (handled.after) {
      // The API thread waits for this message of every successful detect asked with signals;
      // a failure to measure sends none (null) rather than leaving it waiting.
      let after: WorkerReply;
      try {
        after = handled.after();
      } catch {
        after = { type: 'signals', id: m.id, signals: m.type === 'detect' ? m.images.map(() => null) : [] };
      }
      port.postMessage(after);
    }
  });
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
