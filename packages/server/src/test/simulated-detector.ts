/**
 * A tiny anomaly detector trained on simulated defects, made in the test by core's
 * `trainSimulatedAnomaly` (a U-Net of width 4 and depth 2, three steps on 16-pixel crops of
 * eight 32x32 textured good images: about a second of CPU), and its folder's files as
 * upload parts. Its figures mean nothing; it exercises the format end to end.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainSimulatedAnomaly, writeAnomalySample } from '@xai-qc/core';
import type { ImageU8, SimulatedRunRecord } from '@xai-qc/core';
import type { ModelFilePart } from '../services/model-validation.ts';
import { MODEL_FILES } from '../services/model-validation.ts';

/** Side of the detector's input and of {@link textured} images. */
export const SIMULATED_SIZE = 32;

/** A seeded textured RGB image (gray levels 100 to 139), with a dark square when asked. */
export function textured(seed: number, spot = false, size = SIMULATED_SIZE): ImageU8 {
  const data = new Uint8Array(size * size * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 100 + ((s >>> 16) % 40);
  }
  if (spot) for (let y = 10; y < 18; y++) for (let x = 12; x < 20; x++) data.fill(10, (y * size + x) * 3, (y * size + x) * 3 + 3);
  return { width: size, height: size, channels: 3, data };
}

/** A trained detector folder and its parts. */
export interface SimulatedDetector {
  dir: string;
  record: SimulatedRunRecord;
  /** model, card, anomaly and network, as `trainSimulatedAnomaly` wrote them. */
  parts: Map<ModelFilePart, Uint8Array>;
  remove(): Promise<void>;
}

/** Trains the tiny detector named `name` into a temporary folder. */
export async function trainTinySimulatedDetector(name = 'tiny-simulated'): Promise<SimulatedDetector> {
  const root = await mkdtemp(join(tmpdir(), 'xqc-simulated-'));
  const data = join(root, 'data');
  for (let i = 0; i < 8; i++) await writeAnomalySample(data, { stem: `g${i}`, label: 'good', image: textured(i + 1) });
  const dir = join(root, 'detector');
  const record = await trainSimulatedAnomaly({
    data, out: dir, name, maxSteps: 3, timeBudgetSeconds: 60, cropSize: 16, batchSize: 2, width: 4, depth: 2, threads: 1, ratios: { train: 0.5, val: 0.5, test: 0 },
  });
  const parts = new Map<ModelFilePart, Uint8Array>();
  for (const part of ['model', 'card', 'anomaly', 'network'] as const) parts.set(part, await readFile(join(dir, MODEL_FILES[part])));
  return { dir, record, parts, remove: () => rm(root, { recursive: true, force: true }) };
}
