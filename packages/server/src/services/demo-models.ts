/**
 * Registers the shipped demo models (`models/<name>/model.onnx` + `model_card.yaml`, plus
 * the PatchCore files of anomaly models) through the normal upload path, so they are
 * validated like any upload. Idempotent: a model version already registered is skipped, and
 * a model gets its first version activated only when it has no active version.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelCardYaml } from '@xai-qc/core';
import { ApiError } from '../errors/api-error.ts';
import type { ModelRegistryService } from './model-registry.service.ts';
import { MODEL_FILES } from './model-validation.ts';
import type { ModelFilePart } from './model-validation.ts';

/** What {@link registerDemoModels} did, by `name@version`. */
export interface DemoModelsResult {
  registered: string[];
  skipped: string[];
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Registers every model folder under `modelsDir` that the registry does not hold yet.
 * @throws the validation error of a demo model that does not validate (a broken checkout).
 */
export async function registerDemoModels(registry: ModelRegistryService, modelsDir: string): Promise<DemoModelsResult> {
  const result: DemoModelsResult = { registered: [], skipped: [] };
  const entries = (await readdir(modelsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const dir of entries) {
    const parts = new Map<ModelFilePart, Uint8Array>();
    for (const [part, file] of Object.entries(MODEL_FILES) as [ModelFilePart, string][]) {
      const bytes = await readIfPresent(join(modelsDir, dir, file));
      if (bytes) parts.set(part, bytes);
    }
    if (!parts.has('model') || !parts.has('card')) continue;
    const card = parseModelCardYaml(new TextDecoder().decode(parts.get('card')));
    const key = `${card.name}@${card.version}`;
    const exists = await registry.getVersion(card.name, card.version).then(
      () => true,
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 404) return false;
        throw e;
      },
    );
    if (exists) {
      result.skipped.push(key);
      continue;
    }
    try {
      await registry.upload(parts, { createdBy: null });
      result.registered.push(key);
    } catch (e) {
      // Another process registering the same demo model at the same moment is not a failure.
      if (e instanceof ApiError && e.code === 'XQC_VERSION_EXISTS') result.skipped.push(key);
      else throw e;
    }
  }
  return result;
}
