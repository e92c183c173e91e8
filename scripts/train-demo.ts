/**
 * Trains the shipped demo models from synthetic data, reproducibly from seeds:
 *   npm run train:demo                  all four models, one after another
 *   npm run train:demo -- surface-classifier weld-segmenter   some of them
 * Data is generated under .tmp/demo-data (not committed); each model folder under
 * models/ receives model.onnx, model_card.yaml, dataset_card.yaml and run.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
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
  /** Merge every defect class into one `defect` class (the pass/reject verdict). */
  binary?: boolean;
  train: Omit<RunTrainingOptions, 'data' | 'out' | 'onEvent'>;
}

/** The demo models: what data, how much, and how to train. */
export const DEMOS: Demo[] = [
  {
    name: 'cell-classifier', kind: 'cells', format: 'classification', count: 2000, size: 64, seed: 404,
    train: { task: 'classify', epochs: 15, batchSize: 32, lr: 3e-3, width: 16, depth: 3, size: 64, seed: 4, patience: 6, threads: 1, intendedUse: 'Demo: white-cell type (neutrophil, lymphocyte, monocyte, eosinophil, basophil) in synthetic blood-smear crops.' },
  },
  {
    name: 'surface-classifier', kind: 'surface', format: 'classification', count: 3000, size: 64, seed: 101, binary: true,
    train: { task: 'classify', epochs: 20, batchSize: 32, lr: 3e-3, width: 16, depth: 3, size: 64, seed: 1, patience: 6, threads: 1, intendedUse: 'Demo: pass/reject verdict (good or defect: scratch, crack, spot, hole) for synthetic textured surfaces; the surface segmenter names and locates the defect.' },
  },
  {
    name: 'weld-segmenter', kind: 'radiograph', format: 'segmentation', count: 1000, size: 64, seed: 303,
    train: { task: 'segment', epochs: 20, batchSize: 16, lr: 3e-3, width: 8, depth: 3, size: 64, seed: 3, patience: 6, threads: 1, intendedUse: 'Demo: pixel masks of porosity, cracks and lack of fusion in synthetic weld radiographs.' },
  },
  {
    name: 'surface-segmenter', kind: 'surface', format: 'segmentation', count: 1200, size: 64, seed: 202,
    train: { task: 'segment', epochs: 45, batchSize: 16, lr: 3e-3, width: 8, depth: 3, size: 64, seed: 2, patience: 10, threads: 1, intendedUse: 'Demo: pixel masks of scratches, cracks, spots and holes on synthetic textured surfaces.' },
  },
];

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Moves every image of a defect class folder into `defect/` (names prefixed by their
 * class); the stale manifest and labels files go, since training re-hashes the folder.
 */
async function mergeDefectClasses(root: string): Promise<void> {
  await mkdir(join(root, 'defect'), { recursive: true });
  for (const cls of await readdir(root, { withFileTypes: true })) {
    if (!cls.isDirectory() || cls.name === 'good' || cls.name === 'defect') continue;
    for (const f of await readdir(join(root, cls.name))) await rename(join(root, cls.name, f), join(root, 'defect', `${cls.name}-${f}`));
    await rm(join(root, cls.name), { recursive: true });
  }
  await rm(join(root, 'manifest.json'), { force: true });
  await rm(join(root, 'labels.json'), { force: true });
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const root = process.cwd();
  for (const d of DEMOS) {
    if (only.length && !only.includes(d.name)) continue;
    const data = join(root, '.tmp', 'demo-data', d.name);
    if (!existsSync(join(data, d.format === 'segmentation' ? 'images' : 'good'))) {
      await rm(data, { recursive: true, force: true });
      await generateDataset({ kind: d.kind, count: d.count, seed: d.seed, out: data, format: d.format, size: d.size });
      if (d.binary) await mergeDefectClasses(data);
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
