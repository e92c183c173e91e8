/**
 * Lockstep check of `xaiqc train` against the PyTorch peer: the same initial weights, the
 * same batches in the same order, no augmentation and no dropout (the two streams the
 * sides cannot share), so any difference left is the implementations'. XAI-QC trains the
 * default network (compactResNet width 16 depth 3, AdamW 3e-3 with weight decay 1e-4,
 * 20 warm-up steps then cosine, label smoothing 0.05, batch 32, 64x64) on the bench's
 * synthetic cell images and writes its initial weights, epoch orders and per-step losses;
 * `scripts/peers/train_lockstep.py` loads those weights into the peer's network, replays
 * the run in PyTorch, and prints both loss curves and validation accuracies side by side,
 * then the step-0 gradients of both against a float64 PyTorch reference.
 *
 * Usage: `npx tsx packages/core/bench/train-lockstep.ts [EPOCHS=3] [SEED=0]` (needs the
 * peer's Python, scripts/peers/install-torch.sh; XAIQC_PEER_PYTHON overrides it).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateDataset } from '../src/data/generate-dataset.ts';
import { saveModel } from '../src/onnx/model-io.ts';
import { tensor } from '../src/onnx/tensor.ts';
import type { Tensor } from '../src/onnx/tensor.ts';
import { createSession } from '../src/runtime/session.ts';
import { makeBatch } from '../src/train/batch.ts';
import { loadTrainingData } from '../src/train/dataset-samples.ts';
import { buildArchitecture, trainModel } from '../src/train/trainer.ts';
import type { TrainConfig } from '../src/train/trainer.ts';
import { buildTrainingGraph } from '../src/train/training-graph.ts';
import { keyedRng, permutation } from '../src/util/random.ts';

const epochs = Number(process.argv[2] ?? 3);
const seed = Number(process.argv[3] ?? 0);
const python = process.env.XAIQC_PEER_PYTHON ?? '/usr/bin/python3';
const dir = await mkdtemp(join(tmpdir(), 'xqc-train-lockstep-'));
try {
  const data = join(dir, 'data');
  await generateDataset({ kind: 'cells', count: 800, seed: 1, format: 'classification', size: 64, out: data });
  const d = await loadTrainingData(data, { task: 'classify', inputSize: [64, 64], seed: 0 });
  const cfg: TrainConfig = {
    task: 'classify', labels: d.labels, arch: { kind: 'compact-resnet', width: 16, depth: 3, dropout: 0 }, inputSize: [64, 64],
    norm: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, epochs, batchSize: 32, lr: 3e-3,
    optimizer: { kind: 'adamw', weightDecay: 1e-4 }, schedule: { kind: 'cosine', warmupSteps: 20 }, labelSmoothing: 0.05,
    augment: undefined, seed, patience: 0, workers: 1, threads: 1,
  };
  // Initial weights and running statistics, in the zoo's creation order.
  const zoo = buildArchitecture(cfg, true);
  const index: [string, number[]][] = [];
  const chunks: Buffer[] = [];
  for (const [name, t] of zoo.model.graph.initializers) {
    if (t.dtype !== 'float32' || !/(weight|bias|running_mean|running_var)$/.test(name)) continue;
    index.push([name, t.dims]);
    chunks.push(Buffer.from(Float32Array.from(t.data as Float32Array).buffer));
  }
  await writeFile(join(dir, 'weights.bin'), Buffer.concat(chunks));
  const orders = Array.from({ length: epochs }, (_, e) => permutation(d.train.length, keyedRng(seed, e, 0x5eed)));
  // Step-0 gradients on the first batch (the same graph and feeds as the trainer's first step).
  const tg = buildTrainingGraph({ model: zoo.model, parameters: zoo.parameters, batchNorms: zoo.batchNorms, loss: 'softmax-ce', numClasses: d.labels.length });
  const batch = makeBatch(d.train, orders[0].slice(0, 32), { task: 'classify', numClasses: d.labels.length, norm: cfg.norm, labelSmoothing: 0.05, seed, epoch: 0 });
  const dims = new Map(tg.model.graph.inputs.map((i) => [i.name, i.shape as number[]]));
  const feeds: Record<string, Tensor> = { [tg.input]: batch.images, [tg.targets]: batch.targets, [tg.cotangent]: tensor('float32', [], [1]) };
  for (const [name, t] of Object.entries(tg.initial)) feeds[name] = { dtype: 'float32', dims: dims.get(name) as number[], data: t.data };
  const session = await createSession(saveModel(tg.model), { intraOpThreads: 1 });
  const out = await session.run(feeds, [tg.loss, ...tg.parameters.map((p) => tg.grads[p])]);
  await session.release();
  const grads0 = Object.fromEntries(tg.parameters.map((p) => [p, Array.from(out[tg.grads[p]].data as Float32Array)]));
  const losses: number[] = [];
  const r = await trainModel(cfg, d, { onEvent: (e) => void (e.type === 'step' && losses.push(e.loss)) });
  await writeFile(join(dir, 'ours.json'), JSON.stringify({
    index, orders, losses, grads0, loss0: Number(out[tg.loss].data[0]), lr: cfg.lr, warmup: 20, weightDecay: 1e-4, labelSmoothing: 0.05,
    train: d.train.map((s) => [s.source, s.label]), val: d.val.map((s) => [s.source, s.label]),
    valAccuracy: r.history.map((h) => (h.val as { accuracy: number }).accuracy), trainLoss: r.history.map((h) => h.trainLoss),
  }));
  const peer = fileURLToPath(new URL('../../../scripts/peers/train_lockstep.py', import.meta.url));
  const { stdout } = await promisify(execFile)(python, [peer, '--data', data, '--run', dir], { maxBuffer: 16 * 1024 * 1024 });
  console.log(stdout);
} finally {
  await rm(dir, { recursive: true, force: true });
}
