import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelCardYaml } from '@xai-qc/core';
import type { ModelCard } from '@xai-qc/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { REPO_MODELS_DIR } from '../config/load-config.ts';
import { sha256Hex } from '../storage/blob-store.ts';
import type { BlobInfo } from '../storage/blobs.ts';
import { FakeModelStore } from '../test/fakes/model-store.fake.ts';
import { ModelRegistryService } from './model-registry.service.ts';
import type { RegistryBlobs } from './model-registry.service.ts';
import type { ValidatedModel } from './model-validation.ts';

const BASE_CARD = parseModelCardYaml(readFileSync(join(REPO_MODELS_DIR, 'surface-classifier', 'model_card.yaml'), 'utf8'));

class MemoryBlobs implements RegistryBlobs {
  readonly bytes = new Map<string, { bytes: Buffer; info: BlobInfo }>();
  async put(bytes: Uint8Array, mediaType: string): Promise<BlobInfo> {
    const info = { sha256: sha256Hex(bytes), size: bytes.length, mediaType };
    this.bytes.set(info.sha256, { bytes: Buffer.from(bytes), info });
    return info;
  }
  async get(sha256: string) {
    const b = this.bytes.get(sha256);
    if (!b) throw new Error(`no blob ${sha256}`);
    return b;
  }
}

function validated(card: Partial<ModelCard> = {}, onnx = 'onnx bytes'): ValidatedModel {
  const c = { ...BASE_CARD, ...card } as ModelCard;
  return {
    card: c,
    irVersion: 8,
    opset: 17,
    inputName: 'input',
    inputShape: ['N', 3, 64, 64],
    files: [
      { name: 'model.onnx', bytes: new TextEncoder().encode(`${onnx} ${c.version}`), mediaType: 'application/octet-stream' },
      { name: 'model_card.yaml', bytes: new TextEncoder().encode(`card ${c.name} ${c.version}`), mediaType: 'application/yaml' },
    ],
    testRun: { verdict: 'pass', label: 'good', ms: 1 },
  };
}

describe('ModelRegistryService (unit, fake store)', () => {
  let store: FakeModelStore;
  let blobs: MemoryBlobs;
  let registry: ModelRegistryService;
  let tick = 0;
  beforeEach(() => {
    store = new FakeModelStore();
    blobs = new MemoryBlobs();
    tick = 0;
    registry = new ModelRegistryService(store, blobs, () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)));
  });

  it('creates the model with its first version active; later versions stay inactive unless asked', async () => {
    const v1 = await registry.store(validated({ version: '1' }), { description: 'surfaces' });
    expect(v1).toMatchObject({ version: '1', active: true, createdBy: null, modelName: 'surface-classifier' });
    expect((await registry.listModels())[0]).toMatchObject({ description: 'surfaces', activeVersion: '1', versionCount: 1 });
    expect((await registry.store(validated({ version: '2' }))).active).toBe(false);
    const v3 = await registry.store(validated({ version: '3' }), { activate: true, createdBy: 'eng' });
    expect(v3).toMatchObject({ active: true, createdBy: 'eng' });
    const detail = await registry.getModel('surface-classifier');
    expect(detail.versions.map((v) => [v.version, v.active])).toEqual([
      ['3', true],
      ['2', false],
      ['1', false],
    ]);
  });

  it('stores the blobs before the rows and names them in the version', async () => {
    const v = await registry.store(validated({ version: '1' }));
    for (const f of v.files) expect(blobs.bytes.has(f.sha256)).toBe(true);
    const files = await registry.readVersionFiles(v.id);
    expect(files.get('model.onnx')?.toString()).toBe('onnx bytes 1');
  });

  it('refuses an existing version, another task, and a concurrent duplicate', async () => {
    await registry.store(validated({ version: '1' }));
    await expect(registry.store(validated({ version: '1' }))).rejects.toMatchObject({ status: 409, code: 'XQC_VERSION_EXISTS' });
    await expect(registry.store(validated({ version: '2', task: 'segment' }))).rejects.toMatchObject({ status: 409, code: 'XQC_TASK_MISMATCH' });
    store.failNextInsertWithUnique = true;
    await expect(registry.store(validated({ version: '2' }))).rejects.toMatchObject({ status: 409, code: 'XQC_VERSION_EXISTS', message: expect.stringContaining('concurrently') });
  });

  it('guards deletion: the active version, a version in use, an activation race', async () => {
    await registry.store(validated({ version: '1' }));
    const v2 = await registry.store(validated({ version: '2' }));
    await expect(registry.deleteVersion('surface-classifier', '1')).rejects.toMatchObject({ code: 'XQC_MODEL_VERSION_ACTIVE' });
    store.referenced.add(v2.id);
    await expect(registry.deleteVersion('surface-classifier', '2')).rejects.toMatchObject({ code: 'XQC_MODEL_VERSION_IN_USE' });
    store.referenced.clear();
    store.activateBeforeNextDelete = true;
    await expect(registry.deleteVersion('surface-classifier', '2')).rejects.toMatchObject({ code: 'XQC_MODEL_VERSION_ACTIVE', message: expect.stringContaining('meanwhile') });
    expect(await registry.deleteVersion('surface-classifier', v2.id)).toMatchObject({ id: v2.id, modelName: 'surface-classifier', active: false });
    await expect(registry.getVersion('surface-classifier', '2')).rejects.toMatchObject({ status: 404 });
  });

  it('activates idempotently', async () => {
    await registry.store(validated({ version: '1' }));
    const again = await registry.activate('surface-classifier', '1');
    expect(again.active).toBe(true);
  });

  it('resolves what inference runs', async () => {
    await expect(registry.resolve()).rejects.toMatchObject({ status: 400, code: 'XQC_MODEL_REQUIRED', message: expect.stringContaining('none is registered') });
    const v1 = await registry.store(validated({ version: '1' }));
    expect((await registry.resolve()).view.id).toBe(v1.id);
    await registry.store(validated({ name: 'other', version: '1' }));
    await expect(registry.resolve()).rejects.toMatchObject({ code: 'XQC_MODEL_REQUIRED', message: expect.stringContaining('other, surface-classifier') });
    expect((await registry.resolve('surface-classifier', '1')).card.name).toBe('surface-classifier');
    await expect(registry.resolve(undefined, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
    for (const v of store.versions) v.is_active = 0;
    await expect(registry.resolve('other')).rejects.toMatchObject({ status: 409, code: 'XQC_NO_ACTIVE_VERSION' });
  });

  it('finds a model by id, by name, and by a name that looks like an id', async () => {
    const v = await registry.store(validated({ version: '1' }));
    expect((await registry.findModel(v.modelId.toUpperCase())).name).toBe('surface-classifier');
    await registry.store(validated({ name: '11111111-2222-4333-8444-555555555555', version: '1' }));
    expect((await registry.findModel('11111111-2222-4333-8444-555555555555')).name).toBe('11111111-2222-4333-8444-555555555555');
    await expect(registry.findModel('missing')).rejects.toMatchObject({ status: 404, code: 'XQC_NOT_FOUND' });
  });

  it('compares nested figures, lists and missing values', async () => {
    await registry.store(validated({ version: '1', metrics: { accuracy: 0.9, perClass: [{ f1: 0.8 }], split: 'test' } }));
    await registry.store(validated({ version: '2', metrics: { accuracy: 0.95, perClass: [{ f1: 0.85 }] }, calibration: { temperature: 1.5 } }));
    const cmp = await registry.compare('surface-classifier', '1', '2');
    const row = (f: string) => cmp.rows.find((r) => r.field === f);
    expect(row('metrics.perClass.0.f1')?.delta).toBeCloseTo(0.05, 10);
    expect(row('metrics.split')).toMatchObject({ a: 'test', b: null, delta: null, changed: true });
    expect(row('calibration.temperature')).toMatchObject({ a: BASE_CARD.calibration?.temperature ?? null, b: 1.5 });
    expect(row('labels')).toMatchObject({ a: BASE_CARD.labels.join(', '), changed: false });
    expect(row('onnx.opset')).toMatchObject({ a: 17, b: 17, delta: 0 });
  });

  it('downloads a file and refuses one the version lacks', async () => {
    const v = await registry.store(validated({ version: '1' }));
    const d = await registry.download('surface-classifier', v.id, 'model_card.yaml');
    expect(d).toMatchObject({ fileName: 'surface-classifier-1-model_card.yaml', mediaType: 'application/yaml' });
    await expect(registry.download('surface-classifier', v.id, 'bank.npy')).rejects.toMatchObject({ status: 404 });
  });
});
