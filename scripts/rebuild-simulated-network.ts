/**
 * Rebuilding a kept simulated-defect detector's network from its own weights with other
 * test-time views, for paired comparisons (`anomaly-per-kind.ts --half-scale`,
 * `anomaly-image-score.ts --half-scale`): the same trained weights, scored with the
 * half-scale view off or on (`withTestTimeViews`). Nothing is refitted; thresholds and
 * normalisation stay as fitted. Not part of `npm test`.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportWeights, loadModel, saveModel, simulatedUnet, withTestTimeViews, wrapNetwork } from '@xai-qc/core';
import type { SimulatedAnomalyConfig } from '@xai-qc/core';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Rebuilds the network of the simulated detector folder `dir` in place, with the half-scale view on or off. */
export function rebuildSimulatedNetwork(dir: string, halfScale: boolean): void {
  const config = JSON.parse(readFileSync(join(dir, 'anomaly.json'), 'utf8')) as SimulatedAnomalyConfig;
  const network = loadModel(readFileSync(join(dir, config.network.file)));
  const { width, depth, padded } = config.network;
  const zoo = simulatedUnet({ width, depth, seed: 0 }, padded[0], padded[1], false);
  const weights: Record<string, Float32Array> = {};
  for (const name of zoo.model.graph.initializers.keys()) {
    const t = network.graph.initializers.get(name);
    if (t) weights[name] = t.data as Float32Array;
  }
  const model = withTestTimeViews(wrapNetwork(exportWeights(zoo, weights), config.input.height, config.input.width, padded), { flips: config.network.testTimeFlips ?? 1, halfScale });
  const bytes = saveModel(model);
  writeFileSync(join(dir, config.network.file), bytes);
  config.network.sha256 = sha256(bytes);
  config.network.halfScale = halfScale;
  writeFileSync(join(dir, 'anomaly.json'), JSON.stringify(config));
}

/**
 * A copy of the detector folder `dir` (simulated, or combined with its `simulated/` part)
 * in a new temporary folder, its network rebuilt with the half-scale view on or off; a
 * combined folder's record of its part's SHA-256 is updated. Returns the copy's path.
 */
export function copyWithHalfScale(dir: string, halfScale: boolean): string {
  const copy = mkdtempSync(join(tmpdir(), 'xqc-half-scale-'));
  cpSync(dir, copy, { recursive: true });
  const part = join(copy, 'simulated');
  if (!existsSync(part)) {
    rebuildSimulatedNetwork(copy, halfScale);
    return copy;
  }
  rebuildSimulatedNetwork(part, halfScale);
  const top = JSON.parse(readFileSync(join(copy, 'anomaly.json'), 'utf8')) as { parts: { simulated: { sha256: string } } };
  top.parts.simulated.sha256 = sha256(readFileSync(join(part, 'anomaly.json')));
  writeFileSync(join(copy, 'anomaly.json'), JSON.stringify(top));
  return copy;
}
