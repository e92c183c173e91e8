/**
 * The model registry (`app.modelRegistry`): its service over the model repository and the
 * blob store, the blob columns it references (so the sweeper keeps them), its response
 * schemas, and the demo models registered on start when the config asks for them.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ModelCardSchema } from '@xai-qc/core';
import type { Config } from '../config/load-config.ts';
import { ModelRepository } from '../repositories/model.repository.ts';
import { ModelComparisonSchema, ModelDetailSchema, ModelListSchema, ModelSchema, ModelVersionSchema } from '../schemas/model.schema.ts';
import { registerDemoModels } from '../services/demo-models.ts';
import { ModelRegistryService } from '../services/model-registry.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Models and versions; `resolve()` gives inference the version to run. */
    modelRegistry: ModelRegistryService;
  }
}

/** Options of the registry plugin. */
export interface RegistryPluginOptions {
  config: Config;
}

async function registryPlugin(app: FastifyInstance, { config }: RegistryPluginOptions): Promise<void> {
  for (const schema of [ModelCardSchema, ModelSchema, ModelVersionSchema, ModelListSchema, ModelDetailSchema, ModelComparisonSchema]) app.addSchema(schema);
  app.blobs.addReference({ table: 'model_versions', column: 'onnx_sha256' });
  app.blobs.addReference({ table: 'model_versions', column: 'card_sha256' });
  app.blobs.addReference({ table: 'model_version_files', column: 'blob_sha256' });
  const registry = new ModelRegistryService(new ModelRepository(app.db), app.blobs);
  app.decorate('modelRegistry', registry);
  if (config.registerDemoModels) {
    const t0 = performance.now();
    const done = await registerDemoModels(registry, config.modelsDir);
    app.log.info({ ...done, ms: Math.round(performance.now() - t0), modelsDir: config.modelsDir }, 'demo models');
  }
}

/** Decorates `app.modelRegistry`; registers demo models when `config.registerDemoModels`. */
export default fp(registryPlugin, { name: 'xqc-registry', fastify: '5.x', dependencies: ['xqc-db', 'xqc-blob-store'] });
