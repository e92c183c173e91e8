/**
 * `embedding.index`: embeds the job account's anomaly inspections of one model version that
 * have no embedding yet, in batches (oldest first), until none is pending, reporting
 * progress and stopping between batches when cancelled. Enqueued by the anomaly answers
 * with the version id as dedupe key, so an account has at most one running per version.
 * The work runs in this process's anomaly worker thread (services/anomaly-compute.ts).
 * Result: `{ embedded: number, pending: number }`.
 */
import { ApiError, notFound } from '../../errors/api-error.ts';
import { EmbeddingRepository } from '../../repositories/embedding.repository.ts';
import { InspectionRepository } from '../../repositories/inspection.repository.ts';
import { AnomalyCompute } from '../../services/anomaly-compute.ts';
import { AnomalyIndexer } from '../../services/anomaly-index.ts';
import { AnomalyModels } from '../../services/anomaly-models.ts';
import { defineJob } from '../job-definition.ts';

/** Inspections per batch when the payload names none. */
const DEFAULT_BATCH = 64;
/** Batches per job at most: a huge backlog ends this job and the next answer enqueues another. */
const MAX_BATCHES = 200;

export const embeddingIndexJob = defineJob('embedding.index', ({ db, blobs, config }) => {
  const compute = new AnomalyCompute();
  const readBlob = async (sha256: string): Promise<Uint8Array> => (await blobs.get(sha256)).bytes;
  const repo = new EmbeddingRepository(db);
  const inspections = new InspectionRepository(db);
  const indexer = new AnomalyIndexer({ repo, compute, models: new AnomalyModels(config.dataDir, readBlob), readBlob });
  return async ({ job, payload, signal, progress }) => {
    const batch = payload.batch ?? DEFAULT_BATCH;
    if (!Number.isInteger(batch) || batch < 1 || batch > 1000) throw new ApiError(400, 'XQC_INVALID_ARGUMENT', `embedding.index: batch must be an integer 1..1000, got ${batch}`);
    const version = await inspections.versionById(payload.versionId);
    if (!version) throw notFound(`model version ${payload.versionId}`);
    const total = await repo.countPending(job.accountId, version.id);
    let embedded = 0;
    let pending = total;
    await progress(0, `${total} inspection(s) to embed`);
    for (let b = 0; b < MAX_BATCHES && pending > 0; b++) {
      if (signal.aborted) throw signal.reason;
      const r = await indexer.catchUp(job.accountId, version, batch);
      embedded += r.embedded;
      pending = r.pending;
      await progress(total === 0 ? 1 : Math.min(0.99, embedded / total), `embedded ${embedded} of ${total}`);
      if (r.embedded === 0) break;
    }
    return { result: { embedded, pending } };
  };
});
