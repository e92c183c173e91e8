/**
 * Inference (`app.inference`): starts the worker pool (inference/inference-pool.ts, thread
 * budget documented there), registers the Triton-style metrics in the app registry, starts
 * loading every active model version when the app is ready (in the background, so the app
 * answers health checks while models compile), and adds the `models` readiness check:
 * ready when every active version is loaded in every worker and every worker runs. A
 * version activated later is loaded by the check (or by its first request).
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/load-config.ts';
import { InferenceEngine } from '../inference/inference-engine.ts';
import { InferenceMetrics } from '../inference/inference-metrics.ts';
import { InferencePool } from '../inference/inference-pool.ts';
import type { InferencePoolOptions } from '../inference/inference-pool.ts';
import { InspectionRepository } from '../repositories/inspection.repository.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Model execution off the event loop; see inference/inference-engine.ts. */
    inference: InferenceEngine;
  }
}

/** Options of the inference plugin. */
export interface InferencePluginOptions {
  config: Config;
  /** Pool settings (workers, threads, batching); defaults in InferencePoolOptions. */
  pool?: Omit<InferencePoolOptions, 'onBatch'>;
}

async function inferencePlugin(app: FastifyInstance, { config, pool: poolOptions }: InferencePluginOptions): Promise<void> {
  const repo = new InspectionRepository(app.db);
  const inference: InferenceEngine = new InferenceEngine(
    () => InferencePool.start({ ...poolOptions, onBatch: (key, batch) => inference.observeBatch(key, batch.size) }),
    new InferenceMetrics(app.metricsRegistry),
    async (sha256) => (await app.blobs.get(sha256)).bytes,
    join(config.dataDir, 'serving'),
  );
  app.decorate('inference', inference);
  // Loads in the background: the app answers (health, not-ready) while models compile.
  app.addHook('onReady', async () => {
    void (async () => {
      for (const v of await repo.activeVersions()) {
        await inference.ensureLoaded(v).catch((e: unknown) => app.log.error({ err: e, model: v.modelName, version: v.version }, 'model version failed to load'));
      }
    })().catch((e: unknown) => app.log.error({ err: e }, 'could not list the active model versions'));
  });
  app.addHook('onClose', async () => inference.close());
  app.readinessChecks.add('models', async () => {
    if (!inference.healthy) throw new Error('an inference worker has stopped');
    const missing = (await repo.activeVersions()).filter((v) => !inference.isLoaded(v.id));
    for (const v of missing) void inference.ensureLoaded(v).catch(() => undefined);
    if (missing.length > 0) throw new Error(`loading ${missing.map((v) => `${v.modelName}@${v.version}`).join(', ')}`);
  });
}

/** Decorates `app.inference` and checks that the active models are loaded. */
export default fp(inferencePlugin, { name: 'xqc-inference', fastify: '5.x', dependencies: ['xqc-db', 'xqc-blob-store', 'xqc-metrics', 'xqc-readiness'] });
