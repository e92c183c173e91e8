/**
 * A PatchCore model version's files where the anomaly worker thread can read them:
 * `<dataDir>/anomaly/<version id>/` with features.onnx (the cut backbone, for embeddings)
 * and anomaly.json (its feature layers), each written once
 * (content-addressed blobs, atomic writes, so two processes writing the same file agree).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelCard, writeFileAtomic } from '@xai-qc/core';
import { ApiError } from '../errors/api-error.ts';
import type { ServingVersion } from '../repositories/inspection.repository.ts';
import type { DetectorFiles } from './anomaly-compute.ts';

/** The files of a version the answers need. */
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
   * @throws ApiError 422 XQC_MODEL_INVALID when the version has no PatchCore artifacts
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
    const missing = NEEDED.filter((n) => !byName.has(n));
    if (missing.length > 0) throw new ApiError(422, 'XQC_MODEL_INVALID', `anomaly model version ${v.id} has no ${missing.join(', ')}: it is not a PatchCore artifact folder`);
    const dir = join(this.dataDir, 'anomaly', v.id);
    for (const n of NEEDED) await this.writeBlob(join(dir, n), byName.get(n) as string);
    const config = JSON.parse(Buffer.from(await this.readBlob(byName.get('anomaly.json') as string)).toString('utf8')) as { backbone?: { layers?: { name: string }[] } };
    const layers = config.backbone?.layers ?? [];
    if (layers.length === 0) throw new ApiError(422, 'XQC_MODEL_INVALID', `anomaly.json of model version ${v.id} names no backbone layer`);
    return { key: v.id, dir, card: parseModelCard(JSON.parse(v.cardJson) as unknown), layer: layers[layers.length - 1].name };
  }

  private async writeBlob(path: string, sha256: string): Promise<void> {
    if (await stat(path).then((s) => s.isFile(), () => false)) return;
    await writeFileAtomic(path, await this.readBlob(sha256));
  }
}
