/**
 * One `xaiqc train --task classify` run with its defaults (compactResNet width 16 depth 3,
 * batch 32, AdamW 3e-3, cosine with 20 warm-up steps, default augmentation, 64x64) on a
 * dataset folder, as a child process of the `train` bench so that its peak RSS is its
 * own. Prints one JSON object: images/s and CPU utilisation (process CPU time / wall
 * time) over the training steps of all epochs, peak RSS, validation accuracy per epoch,
 * and with several workers each worker's busy share and the main thread's serial share of
 * the step wall time (EpochRecord.workerBusy, mainSerial).
 *
 * Usage: `node --import tsx packages/core/bench/train-ours.ts DATA OUT EPOCHS [WORKERS] [SEED]`
 * (SEED, default 0, is `xaiqc train --seed`: it draws the split as well as the weights,
 * augmentation, order and dropout).
 */
import { availableParallelism } from 'node:os';
import type { ClassificationReport } from '../src/train/evaluate.ts';
import { runTraining } from '../src/train/run-training.ts';

const [data, out, epochs, workers, seed] = process.argv.slice(2);
if (!data || !out || !epochs) {
  console.error('usage: train-ours.ts DATA OUT EPOCHS [WORKERS] [SEED]');
  process.exit(2);
}
const record = await runTraining({ task: 'classify', data, out, epochs: Number(epochs), seed: seed ? Number(seed) : 0, workers: workers ? Number(workers) : undefined, codeVersion: 'bench' });
let images = 0;
let seconds = 0;
let cpu = 0;
const batch = record.params.batchSize;
const steps = Math.max(1, Math.floor(record.dataset.counts.train / batch));
for (const h of record.history) {
  const s = (steps * batch) / h.imagesPerSecond;
  images += steps * batch;
  seconds += s;
  cpu += (h.cpuUtilisation ?? 0) * s;
}
const acc = record.history.map((h) => (h.val as ClassificationReport).accuracy);
console.log(JSON.stringify({
  runtime: `XAI-QC (ONNX Runtime, ${record.params.workers} worker(s) of ${availableParallelism()} cores)`,
  workers: record.params.workers,
  trainImages: record.dataset.counts.train,
  valImages: record.dataset.counts.val,
  epochs: record.history.length,
  batch,
  size: record.params.inputSize[0],
  imagesPerSecond: images / seconds,
  cpuUtilisation: cpu / seconds,
  stepSeconds: seconds,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  finalValAccuracy: acc[acc.length - 1],
  bestValAccuracy: Math.max(...acc),
  // Data-parallel runs: each worker's busy share and the main thread's serial share of the step wall time, over all epochs.
  workerBusy: record.history[0]?.workerBusy?.map((_, w) => record.history.reduce((a, h) => a + (h.workerBusy?.[w] ?? 0) * ((steps * batch) / h.imagesPerSecond), 0) / seconds),
  mainSerial: record.history[0]?.mainSerial === undefined ? undefined : record.history.reduce((a, h) => a + (h.mainSerial ?? 0) * ((steps * batch) / h.imagesPerSecond), 0) / seconds,
  history: record.history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, valAccuracy: (h.val as ClassificationReport).accuracy, imagesPerSecond: h.imagesPerSecond, cpuUtilisation: h.cpuUtilisation, workerBusy: h.workerBusy, mainSerial: h.mainSerial })),
}));
