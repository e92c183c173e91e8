/**
 * The decode-and-measure half of the dataset quality report, off the API's event loop:
 * decoding (libvips), the gray conversion, the Laplacian and the two perceptual hashes take
 * several milliseconds per image in JavaScript, tens of seconds for 10,000 images. One
 * thread (dataset-quality-worker.ts) per report measures batches of files; the caller
 * reads the blobs batch by batch, so only one batch of encoded files is in memory, and
 * ends the thread when the report is built.
 */
import { Worker } from 'node:worker_threads';
import type { DatasetImageSignals } from '@xai-qc/core';
import { ApiError } from '../errors/api-error.ts';
import { workerCode } from '../inference/worker-code.ts';

/** Longest side at which images are measured: larger ones are shrunk while decoding (size is still read from the header). */
export const QUALITY_MAX_SIDE = 1024;

/** A file to measure. */
export interface QualityFile {
  path: string;
  bytes: Uint8Array;
}

/** What the thread found of one file: its format and signals, or why it does not decode. */
export type QualityMeasure = { path: string; ok: true; format: string; signals: DatasetImageSignals } | { path: string; ok: false; reason: string };

/** Messages of the thread. */
export type QualityWorkerReply = { type: 'ready' } | { type: 'startError'; message: string } | { type: 'measured'; id: number; results: QualityMeasure[] } | { type: 'failed'; id: number; message: string };

/** A request to the thread. */
export interface QualityWorkerRequest {
  id: number;
  files: QualityFile[];
}

function entryCode(): string {
  return workerCode(import.meta.url, 'dataset-quality-worker');
}

/** One measuring thread; {@link close} it when done. */
export class QualityMeasurer {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (r: QualityMeasure[]) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: QualityWorkerReply) => {
      if (m.type !== 'measured' && m.type !== 'failed') return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.type === 'measured') p?.resolve(m.results);
      else p?.reject(new ApiError(500, 'XQC_RUNTIME', `dataset quality worker: ${m.message}`));
    });
    const fail = (e: Error): void => {
      this.failure ??= e;
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new ApiError(500, 'XQC_RUNTIME', `dataset quality worker failed: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => fail(new ApiError(503, 'XQC_COMPUTE_UNAVAILABLE', `dataset quality worker exited (code ${code})`)));
  }

  /** Starts a thread and waits until it is ready. @throws 503 XQC_COMPUTE_UNAVAILABLE when it cannot start */
  static async start(): Promise<QualityMeasurer> {
    const worker = new Worker(entryCode(), { eval: true });
    worker.unref();
    await new Promise<void>((resolve, reject) => {
      const first = (m: QualityWorkerReply): void => {
        worker.off('message', first);
        worker.off('error', reject);
        if (m.type === 'startError') reject(new ApiError(503, 'XQC_COMPUTE_UNAVAILABLE', `dataset quality worker failed to start: ${m.message.split('\n')[0]}`));
        else resolve();
      };
      worker.on('message', first);
      worker.once('error', reject);
    }).catch(async (e: unknown) => {
      await worker.terminate();
      throw e;
    });
    return new QualityMeasurer(worker);
  }

  /** Decodes and measures `files` in the thread; one result per file, in order. */
  measure(files: QualityFile[]): Promise<QualityMeasure[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, files } satisfies QualityWorkerRequest);
    });
  }

  /** Ends the thread. */
  async close(): Promise<void> {
    this.failure ??= new ApiError(503, 'XQC_COMPUTE_UNAVAILABLE', 'dataset quality worker closed');
    await this.worker.terminate();
  }
}
