/**
 * Trains the shipped demo models from synthetic data, reproducibly from seeds:
 *   npm run train:demo                  all four models
 *   npm run train:demo -- surface-classifier weld-segmenter   some of them
 * Data is generated under .tmp/demo-data (not committed); each model folder under
 * models/ receives model.onnx, model_card.yaml, dataset_card.yaml and run.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDataset, runTraining } from '@xai-qc/core';
import type { RunTrainingOptions } from '@xai-qc/core';

interface Demo {
  name: string;
  kind: 'surface' | 'radiograph' | 'cells';
  format: 'classification' | 'segmentation';
  count: number;
  size: number;
  seed: number;
  train: Omit<RunTrainingOptions, 'data' | 'out' | 'onEvent'>;
}

/** The demo models: what data, how much, and how to train. */
export const DEMOS: Demo[] = [
  {
    name: 'surface-classifier', kind: 'surface', format: 'classification', count: 3000, size: 64, seed: 101,
    train: { task: 'classify', epochs: 30, batchSize: 32, lr: 3e-3, width: 16, depth: 3, size: 64, seed: 1, intendedUse: 'Demo: image-level defect type (good, scratch, crack, spot, hole) of synthetic textured surfaces.' },
  },
  {
    name: 'surface-segmenter', kind: 'surface', format: 'segmentation', count: 1600, size: 64, seed: 202,
    train: { task: 'segment', epochs: 30, batchSize: 16, lr: 3e-3, width: 16, depth: 3, size: 64, seed: 2, intendedUse: 'Demo: pixel masks of scratches, cracks, spots and holes on synthetic textured surfaces.' },
  },
  {
    name: 'weld-segmenter', kind: 'radiograph', format: 'segmentation', count: 1600, size: 64, seed: 303,
    train: { task: 'segment', epochs: 30, batchSize: 16, lr: 3e-3, width: 16, depth: 3, size: 64, seed: 3, intendedUse: 'Demo: pixel masks of porosity, cracks and lack of fusion in synthetic weld radiographs.' },
  },
  {
    name: 'cell-classifier', kind: 'cells', format: 'classification', count: 2000, size: 64, seed: 404,
    train: { task: 'classify', epochs: 25, batchSize: 32, lr: 3e-3, width: 16, depth: 3, size: 64, seed: 4, intendedUse: 'Demo: white-cell type (neutrophil, lymphocyte, monocyte, eosinophil, basophil) in synthetic blood-smear crops.' },
  },
];

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const root = process.cwd();
  for (const d of DEMOS) {
    if (only.length && !only.includes(d.name)) continue;
    const data = join(root, '.tmp', 'demo-data', d.name);
    if (!existsSync(join(data, 'manifest.json'))) {
      await rm(data, { recursive: true, force: true });
      await generateDataset({ kind: d.kind, count: d.count, seed: d.seed, out: data, format: d.format, size: d.size });
    }
    const out = join(root, 'models', d.name);
    const t0 = performance.now();
    const record = await runTraining({
      ...d.train,
      data,
      out,
      name: d.name,
      codeVersion: commit(),
      onEvent: (e) => {
        if (e.type === 'epoch') {
          const r = e.record;
          process.stdout.write(`${d.name} epoch ${r.epoch}: loss ${r.trainLoss.toFixed(4)} val ${r.valMetric.toFixed(4)}${e.best ? ' *' : ''} ${r.imagesPerSecond.toFixed(0)} img/s\n`);
        }
      },
    });
    await rm(join(out, 'checkpoint'), { recursive: true, force: true });
    process.stdout.write(`${d.name}: ${JSON.stringify(record.test && ('accuracy' in record.test ? { accuracy: record.test.accuracy } : { defectDice: record.test.defectDice, defectPixelDice: record.test.defectPixelDice }))} in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
}

await main();
