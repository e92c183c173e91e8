/**
 * The thread of one data-parallel training worker ({@link DataParallelSteps}): compiles
 * its own session of the training graph once, then answers each request
 * `{ id, feeds, fetch }` with the fetched outputs of one run on its shard of the batch and
 * the wall time the run took (`busyMs`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSession } from '../runtime/session.ts';
import type { SessionOptions } from '../runtime/session.ts';
import type { Tensor } from '../onnx/tensor.ts';
import type { StepReply, StepRequest } from './data-parallel.ts';

const port = parentPort;
if (!port) throw new Error('step-worker.ts runs only as a worker thread');
const { model, sessionOptions } = workerData as { model: Uint8Array; sessionOptions: SessionOptions };

try {
  const session = await createSession(model, sessionOptions);
  port.on('message', (m: StepRequest | { close: true }) => {
    if ('close' in m) {
      void session.release().then(() => port.close());
      return;
    }
    const t0 = performance.now();
    session.run(m.feeds, m.fetch).then(
      (out: Record<string, Tensor>) => {
        const busyMs = performance.now() - t0;
        const outputs: Record<string, Tensor> = {};
        // Plain copies: ONNX Runtime's output buffers may be external memory that cannot move.
        for (const [name, t] of Object.entries(out)) outputs[name] = { dtype: t.dtype, dims: t.dims, data: t.data.slice() } as Tensor;
        port.postMessage({ id: m.id, outputs, busyMs } satisfies StepReply);
      },
      (e: unknown) => port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies StepReply),
    );
  });
  port.postMessage({ ready: true } satisfies StepReply);
} catch (e) {
  port.postMessage({ startError: e instanceof Error ? e.message : String(e) } satisfies StepReply);
}
