import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_MODELS_DIR } from '../config/load-config.ts';
import { BlobRepository } from '../repositories/blob.repository.ts';
import { ModelRepository } from '../repositories/model.repository.ts';
import { FsBlobStore } from '../storage/blob-store.ts';
import { Blobs } from '../storage/blobs.ts';
import { DIALECTS, openTestDatabase } from '../test/test-database.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { registerDemoModels } from './demo-models.ts';
import { ModelRegistryService } from './model-registry.service.ts';

// The folders directly under models/ with a model and a card; models/backbones/ holds
// feature trunks for PatchCore, which are not demo models.
const DEMO = readdirSync(REPO_MODELS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(REPO_MODELS_DIR, d.name, 'model_card.yaml')))
  .map((d) => d.name)
  .sort();

describe.each(DIALECTS)('demo models on %s', (dialect) => {
  let t: TestDatabase;
  let registry: ModelRegistryService;
  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    registry = new ModelRegistryService(new ModelRepository(t.db), new Blobs(new FsBlobStore(join(t.dataDir, 'blobs')), new BlobRepository(t.db)));
  });
  afterAll(async () => t?.close());

  it('registers every shipped model and activates it', async () => {
    const done = await registerDemoModels(registry, REPO_MODELS_DIR);
    expect(done.registered.map((k) => k.split('@')[0]).sort()).toEqual(DEMO);
    expect(done.skipped).toEqual([]);
    const models = await registry.listModels();
    expect(models.map((m) => m.name)).toEqual(DEMO);
    for (const m of models) expect(m).toMatchObject({ activeVersion: expect.any(String), versionCount: 1 });
    // The anomaly demo is trained on simulated defects: its network travels beside the detector graph.
    expect((await registry.getModel('surface-anomaly')).versions[0].files.map((f) => f.name).sort()).toEqual(['anomaly.json', 'model.onnx', 'model_card.yaml', 'network.onnx']);
    expect(DEMO).not.toContain('backbones');
    expect(models.map((m) => m.name)).not.toContain('backbone-128');
  });

  it('is idempotent: a second start registers nothing and keeps one active version each', async () => {
    const done = await registerDemoModels(registry, REPO_MODELS_DIR);
    expect(done.registered).toEqual([]);
    expect(done.skipped).toHaveLength(DEMO.length);
    for (const m of await registry.listModels()) expect(m.versionCount).toBe(1);
  });

  it('resolves the active version for inference, by model or alone', async () => {
    const r = await registry.resolve('surface-classifier');
    expect(r.view).toMatchObject({ modelName: 'surface-classifier', active: true });
    expect(r.card.task).toBe('classify');
    const files = await registry.readVersionFiles(r.view.id);
    expect([...files.keys()].sort()).toEqual(['model.onnx', 'model_card.yaml']);
    await expect(registry.resolve()).rejects.toMatchObject({ status: 400, code: 'XQC_MODEL_REQUIRED' });
    const byId = await registry.resolve(undefined, r.view.id);
    expect(byId.view.id).toBe(r.view.id);
    await expect(registry.resolve('surface-classifier', '9.9.9')).rejects.toMatchObject({ status: 404 });
  });
});

describe('demo models folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xqc-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('skips folders without a model and fails loudly on a broken one', async () => {
    const t = await openTestDatabase('sqlite');
    try {
      const registry = new ModelRegistryService(new ModelRepository(t.db), new Blobs(new FsBlobStore(join(t.dataDir, 'blobs')), new BlobRepository(t.db)));
      cpSync(join(REPO_MODELS_DIR, 'surface-classifier'), join(dir, 'a'), { recursive: true });
      cpSync(join(REPO_MODELS_DIR, 'surface-classifier', 'model_card.yaml'), join(dir, 'notes', 'model_card.yaml'), { recursive: true });
      expect((await registerDemoModels(registry, dir)).registered).toEqual(['surface-classifier@1.0.0']);
      cpSync(join(REPO_MODELS_DIR, 'cell-classifier'), join(dir, 'b'), { recursive: true });
      writeFileSync(join(dir, 'b', 'model.onnx'), 'not onnx');
      await expect(registerDemoModels(registry, dir)).rejects.toMatchObject({ code: 'XQC_MODEL_INVALID' });
    } finally {
      await t.close();
    }
  });
});
