/**
 * The pooled embeddings a monitor tests, reused from the anomaly answers' store
 * (`inspection_embeddings`, services/anomaly-index.ts) rather than computed in /detect: a
 * run first embeds the inspections of its windows that the lazy catch-up has not reached
 * (in the anomaly worker thread), then reads the stored vectors. The store holds the
 * anomaly detectors' embeddings (PatchCore's backbone, or the network of a detector trained on
 * simulated defects), so versions of other models have none (the run notes it).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { ApiError } from '../errors/api-error.ts';
import { EmbeddingRepository } from '../repositories/embedding.repository.ts';
import type { ServingVersion } from '../repositories/inspection.repository.ts';
import { AnomalyCompute } from './anomaly-compute.ts';
import { AnomalyIndexer } from './anomaly-index.ts';
import { AnomalyModels } from './anomaly-models.ts';
import type { BlobBytes } from './anomaly-models.ts';
import type { MonitorEmbeddings } from './monitor.service.ts';

/** {@link MonitorEmbeddings} over the embedding store of `db`, with version files under `dataDir`. */
export function storedEmbeddings(db: Kysely<Database>, dataDir: string, readBlob: BlobBytes): MonitorEmbeddings {
  const repo = new EmbeddingRepository(db);
  const models = new AnomalyModels(dataDir, readBlob);
  const indexer = new AnomalyIndexer({ repo, compute: new AnomalyCompute(), models, readBlob });
  return {
    async vectors(accountId: string, v: ServingVersion, items: readonly { id: string; imageSha256: string }[]) {
      if (v.task !== 'anomaly') return `model ${v.modelName} ${v.version} is a ${v.task} model; stored embeddings exist for anomaly models only`;
      try {
        await models.files(v);
      } catch (e) {
        if (e instanceof ApiError && e.status === 422) return e.message;
        throw e;
      }
      await indexer.ensure(accountId, v, items);
      let dim = 0;
      let flat = new Float32Array(0);
      for (let i = 0; i < items.length; i++) {
        const vector = await repo.vector(accountId, items[i].id);
        if (!vector) return `inspection ${items[i].id} has no stored embedding`;
        if (i === 0) {
          dim = vector.length;
          flat = new Float32Array(items.length * dim);
        }
        flat.set(vector, i * dim);
      }
      return { dim, vectors: flat };
    },
  };
}
