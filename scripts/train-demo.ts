/**
 * Trains the shipped demo models from synthetic data, reproducibly from seeds:
 *   npm run train:demo                  all five models, one after another
 *   npm run train:demo -- surface-classifier weld-segmenter   some of them
 * Data is generated under .tmp/demo-data (not committed); each model folder under
 * models/ receives model.onnx, model_card.yaml, dataset_card.yaml and run.json. The anomaly
 * detector (surface-anomaly) is trained on simulated defects (core's trainSimulatedAnomaly,
 * `xaiqc train --task anomaly --method simulated`) and its folder is replaced whole:
 * network.onnx, model.onnx, anomaly.json, model_card.yaml and run.json. It trains for a
 * time budget, so the number of steps it makes depends on the machine's speed and load.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDataset, readModelCard, runTraining, trainSimulatedAnomaly, writeModelCard } from '@xai-qc/core';
import type { RunTrainingOptions, TrainSimulatedAnomalyOptions } from '@xai-qc/core';

interface DemoData {
  name: string;
  kind: 'surface' | 'radiograph' | 'cells';
  count: number;
  size: number;
  seed: number;
}

/** A classifier or segmenter trained by runTraining. */
interface SupervisedDemo extends DemoData {
  format: 'classification' | 'segmentation';
  /** Merge every defect class into one `defect` class (the pass/reject verdict). */
  binary?: boolean;
  train: Omit<RunTrainingOptions, 'data' | 'out' | 'onEvent'>;
}

/** An anomaly detector trained on simulated defects from the good images of an anomaly-layout folder. */
interface AnomalyDemo extends DemoData {
  format: 'anomaly';
  /** Share of defect images (they only set the thresholds and measure the detector). */
  defectRate: number;
  /** Version written to the card (the trainer writes 1.0.0). */
  version: string;
  anomaly: Omit<TrainSimulatedAnomalyOptions, 'data' | 'out' | 'name' | 'onProgress' | 'codeVersion'>;
}

type Demo = SupervisedDemo | AnomalyDemo;

/** Images generated for the anomaly demo (70 % good: 0.7 x 0.7 of them train the network). */
const ANOMALY_COUNT = 800;

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
  {
    // Trained on the good images only; the defect images of the val split set F1-optimal thresholds, those of the test split give the card's figures.
    name: 'surface-anomaly', kind: 'surface', format: 'anomaly', count: ANOMALY_COUNT, size: 64, seed: 505, defectRate: 0.3, version: '2.0.0',
    anomaly: { size: 64, seed: 5, timeBudgetSeconds: 600, threads: 1 },
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

/**
 * Trains the anomaly demo into a staging folder and then replaces models/<name> with it
 * whole, so no file of an earlier detector format (PatchCore's features.onnx, bank.npy) is
 * left beside the new one.
 */
async function trainAnomalyDemo(d: AnomalyDemo, data: string, root: string): Promise<void> {
  const out = join(root, 'models', d.name);
  const staging = join(root, '.tmp', 'demo-out', d.name);
  await rm(staging, { recursive: true, force: true });
  const t0 = performance.now();
  let last = 0;
  const record = await trainSimulatedAnomaly({
    ...d.anomaly,
    data,
    out: staging,
    name: d.name,
    codeVersion: commit(),
    onProgress: (e) => {
      if (e.phase === 'train' && (e.step === 1 || e.elapsedSeconds - last >= 30)) {
        last = e.elapsedSeconds;
        process.stdout.write(`${d.name} step ${e.step}: loss ${e.loss.toFixed(4)} lr ${e.lr.toExponential(2)} ${e.elapsedSeconds.toFixed(0)} s, about ${e.remainingSeconds.toFixed(0)} s left\n`);
      }
    },
  });
  const cardPath = join(staging, 'model_card.yaml');
  await writeModelCard(cardPath, { ...(await readModelCard(cardPath)), version: d.version });
  await rm(out, { recursive: true, force: true });
  await rename(staging, out);
  const t = record.test;
  process.stdout.write(`${d.name}: ${record.training.steps} steps (stopped by ${record.training.stoppedBy}); test ${JSON.stringify(t && { imageAuroc: t.imageAuroc, pixelAuroc: t.pixelAuroc, pro: t.pro, f1: t.f1, escapeRate: t.escapeRate, falseRejectRate: t.falseRejectRate })} in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !DEMOS.some((d) => d.name === n));
  if (unknown.length) throw new Error(`unknown demo model(s) ${unknown.join(', ')}; the demo models are ${DEMOS.map((d) => d.name).join(', ')}`);
  const root = process.cwd();
  for (const d of DEMOS) {
    if (only.length && !only.includes(d.name)) continue;
    const data = join(root, '.tmp', 'demo-data', d.name);
    if (!existsSync(join(data, d.format === 'segmentation' ? 'images' : 'good'))) {
      await rm(data, { recursive: true, force: true });
      await generateDataset({ kind: d.kind, count: d.count, seed: d.seed, out: data, format: d.format, size: d.size, ...(d.format === 'anomaly' ? { defectRate: d.defectRate } : {}) });
      if (d.format !== 'anomaly' && d.binary) await mergeDefectClasses(data);
    }
    if (d.format === 'anomaly') {
      await trainAnomalyDemo(d, data, root);
      continue;
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
