/**
 * The handler both crash-test workers run (crash-worker.fixture.ts, bullmq-crash-worker.fixture.ts):
 * appends `start <job> <pid> <epoch ms>` to the log, stores a result blob (so a kill mid-job leaves an
 * unreferenced blob for the sweep to find), works for 300 ms, appends `end <job> <pid>` and
 * returns its pid with the blob's key.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { BlobRepository } from '../repositories/blob.repository.ts';
import { FsBlobStore } from '../storage/blob-store.ts';
import { Blobs } from '../storage/blobs.ts';
import type { JobHandler } from './job-queue.ts';

/** The blob store of a crash test: `<dataDir>/blobs`, with the job table's reference. */
export function crashTestBlobs(db: Kysely<Database>, dataDir: string): Blobs {
  const blobs = new Blobs(new FsBlobStore(join(dataDir, 'blobs')), new BlobRepository(db));
  blobs.addReference({ table: 'job_blobs', column: 'blob_sha256' });
  return blobs;
}

/** The crash tests' `blob.sweep` stand-in. */
export function crashHandler(blobs: Blobs, logPath: string): JobHandler<'blob.sweep'> {
  return async ({ job, signal }) => {
    appendFileSync(logPath, `start ${job.id} ${process.pid} ${Date.now()}\n`);
    const { sha256 } = await blobs.put(new TextEncoder().encode(`result of ${job.id} by ${process.pid}`), 'text/plain');
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, 300);
      signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)));
    });
    appendFileSync(logPath, `end ${job.id} ${process.pid}\n`);
    return { result: { pid: process.pid }, blobKeys: [sha256] };
  };
}
