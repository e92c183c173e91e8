/**
 * An anomaly model version's files where the anomaly worker thread can read them:
 * `<dataDir>/anomaly/<version id>/` with the backbone whose activation is pooled for
 * embeddings and anomaly.json, each written once (content-addressed blobs, atomic writes,
 * so two processes writing the same file agree). A PatchCore version embeds with
 * features.onnx (the cut backbone) at the deepest of its feature layers; a version trained
 * on simulated defects (anomaly.json format `xai-qc.simulated`) has no backbone, and embeds
 * with its model.onnx at the deepest layer core's `chooseFeatureLayers` picks (the U-Net's
 * bottleneck).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { chooseFeatureLayers, isXqcError, loadModel, parseModelCard, SIMULATED_FORMAT, writeFileAtomic } from '@xai-qc/core';
import { ApiError } from '../errors/api-error.ts';
import type { ServingVersion } from '../repositories/inspection.repository.ts';
import type { DetectorFiles } from './anomaly-compute.ts';

/** The files of a PatchCore version the answers need. */
const NEEDED = ['features.onnx', 'anomaly.json'] as const;

/** Reads a blob's bytes. */
export type BlobBytes = (sha256: string) => Promise<Uint8Array>;

/** See the module comment. */
export class AnomalyModels {
  private readonly ready = new Map<string, Promise<DetectorFiles>>();

  constructor(
    private readonly dataDir: string,
    private readonly readBlob: BlobBytes,
  ) {}

  /**
   * The detector files of `v`, written on first use.
   * @throws ApiError 422 XQC_MODEL_INVALID when the version has no anomaly detector artifacts
   */
  files(v: ServingVersion): Promise<DetectorFiles> {
    let p = this.ready.get(v.id);
    if (!p) {
      p = this.write(v);
      this.ready.set(v.id, p);
      p.catch(() => this.ready.delete(v.id));
    }
    return p;
  }

  private async write(v: ServingVersion): Promise<DetectorFiles> {
    const byName = new Map(v.files.map((f) => [f.name, f.sha256]));
    const configSha = byName.get('anomaly.json');
    if (configSha === undefined) throw new ApiError(422, 'XQC_MODEL_INVALID', `anomaly model version ${v.id} has no anomaly.json: it is not an anomaly detector folder`);
    const config = JSON.parse(Buffer.from(await this.readBlob(configSha)).toString('utf8')) as { format?: string; backbone?: { layers?: { name: string }[] } };
    const card = parseModelCard(JSON.parse(v.cardJson) as unknown);
    const dir = join(this.dataDir, 'anomaly', v.id);
    if (config.format === SIMULATED_FORMAT) {
      await this.writeBlob(join(dir, 'anomaly.json'), configSha);
      await this.writeBlob(join(dir, 'model.onnx'), v.onnxSha256);
      let layer: string;
      try {
        const layers = chooseFeatureLayers(loadModel(await readFile(join(dir, 'model.onnx'))), [card.input.height, card.input.width]);
        layer = layers[layers.length - 1].name;
      } catch (e) {
        if (isXqcError(e)) throw new ApiError(422, 'XQC_MODEL_INVALID', `model.onnx of model version ${v.id} has no activation to embed images with: ${e.message}`, { cause: e });
        throw e;
      }
      return { key: v.id, dir, card, backbone: 'model.onnx', layer };
    }
    const missing = NEEDED.filter((n) => !byName.has(n));
    if (missing.length > 0) throw new ApiError(422, 'XQC_MODEL_INVALID', `anomaly model version ${v.id} has no ${missing.join(', ')}: it is not a PatchCore artifact folder`);
    for (const n of NEEDED) await this.writeBlob(join(dir, n), byName.get(n) as string);
    const layers = config.backbone?.layers ?? [];
    if (layers.length === 0) throw new ApiError(422, 'XQC_MODEL_INVALID', `anomaly.json of model version ${v.id} names no backbone layer`);
    return { key: v.id, dir, card, layer: layers[layers.length - 1].name };
  }

  private async writeBlob(path: string, sha256: string): Promise<void> {
    if (await stat(path).then((s) => s.isFile(), () => false)) return;
    await writeFileAtomic(path, await this.readBlob(sha256));
  }
}
