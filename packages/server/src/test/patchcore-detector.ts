/**
 * A small PatchCore detector fitted in the test by core's `trainAnomaly`, with the demo
 * surface classifier's trunk as backbone (as `xaiqc train --task anomaly` uses by default),
 * on 16 generated 64 px surfaces (4 with defects): a few seconds of CPU. The shipped demo
 * detector `models/surface-anomaly` is trained on simulated defects (network.onnx), so the
 * tests of PatchCore's own artifacts (features.onnx, bank.npy) fit one here. Its figures
 * mean nothing; it exercises the format end to end.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset, trainAnomaly } from '@xai-qc/core';
import { REPO_MODELS_DIR } from '../config/load-config.ts';
import type { ModelFilePart } from '../services/model-validation.ts';
import { MODEL_FILES } from '../services/model-validation.ts';

/** A fitted PatchCore detector folder and its parts. */
export interface PatchCoreDetector {
  dir: string;
  /** model, card, anomaly, features and bank, as `trainAnomaly` wrote them. */
  parts: Map<ModelFilePart, Uint8Array>;
  remove(): Promise<void>;
}

/** Fits the detector named `name` into a temporary folder. */
export async function fitSmallPatchCoreDetector(name = 'small-patchcore'): Promise<PatchCoreDetector> {
  const root = await mkdtemp(join(tmpdir(), 'xqc-patchcore-'));
  const data = join(root, 'data');
  await generateDataset({ kind: 'surface', format: 'anomaly', count: 16, seed: 7, size: 64, defectRate: 0.25, out: data });
  const dir = join(root, 'detector');
  await trainAnomaly({ data, out: dir, name, backbone: join(REPO_MODELS_DIR, 'surface-classifier', 'model.onnx'), size: 64, ratios: { train: 0.5, val: 0.5, test: 0 }, evaluateTest: false });
  const parts = new Map<ModelFilePart, Uint8Array>();
  for (const part of ['model', 'card', 'anomaly', 'features', 'bank'] as const) parts.set(part, await readFile(join(dir, MODEL_FILES[part])));
  return { dir, parts, remove: () => rm(root, { recursive: true, force: true }) };
}
