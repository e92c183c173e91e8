/**
 * Blobs (`app.blobs`): a content-addressed file store under `dataDir/blobs` with its
 * bookkeeping table; other plugins register the columns that reference blobs so the sweeper
 * never removes a referenced one. The sweeper runs every `config.blobSweepIntervalMs`.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/load-config.ts';
import { BlobRepository } from '../repositories/blob.repository.ts';
import { FsBlobStore } from '../storage/blob-store.ts';
import { Blobs } from '../storage/blobs.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's blobs: `put` before inserting a row that references the key. */
    blobs: Blobs;
  }
}

/** Options of the blob-store plugin. */
export interface BlobStorePluginOptions {
  config: Config;
}

async function blobStorePlugin(app: FastifyInstance, { config }: BlobStorePluginOptions): Promise<void> {
  const store = new FsBlobStore(join(config.dataDir, 'blobs'));
  await store.check();
  const blobs = new Blobs(store, new BlobRepository(app.db));
  app.decorate('blobs', blobs);
  app.readinessChecks.add('blobStore', () => store.check());
  if (config.blobSweepIntervalMs > 0) {
    // Every process may sweep: deletes are conditional and transactional, so sweepers never race.
    const timer = setInterval(() => {
      blobs.sweep().then(
        ({ removed }) => removed.length > 0 && app.log.info({ removed: removed.length }, 'blobs swept'),
        (e: unknown) => app.log.error({ err: e }, 'blob sweep failed'),
      );
    }, config.blobSweepIntervalMs);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }
}

/** Decorates `app.blobs` over the disk store in the data folder. */
export default fp(blobStorePlugin, { name: 'xqc-blob-store', fastify: '5.x', dependencies: ['xqc-db', 'xqc-readiness'] });
