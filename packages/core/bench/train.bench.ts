/**
 * Training throughput of the compact classifier at 128x128: images per second of whole
 * training steps as the trainer runs them on a 2-core machine (the batch made with
 * augmentation on the main thread; one ONNX Runtime run for loss, every weight gradient and
 * the BatchNorm statistics; the AdamW update), an A/B of the worker loader against that,
 * the ratio of one training step to one forward pass of the same
 * batch (against both the inference graph, where ONNX Runtime folds BatchNorm into the
 * convolutions, and the training-form forward with batch statistics and the loss), and
 * peak memory.
 */
import { saveModel } from '../src/onnx/model-io.ts';
import { drawMask } from '../src/onnx/passes/dropout-as-mask.ts';
import { tensor } from '../src/onnx/tensor.ts';
import type { Tensor } from '../src/onnx/tensor.ts';
import { createSession } from '../src/runtime/session.ts';
import { DEFAULT_AUGMENT } from '../src/train/augment.ts';
import { makeBatch } from '../src/train/batch.ts';
import { BatchLoader } from '../src/train/batch-loader.ts';
import type { TrainSample } from '../src/train/batch.ts';
import { createOptimizer } from '../src/train/optimizers.ts';
import { keyedRng } from '../src/util/random.ts';
import { buildTrainingGraph } from '../src/train/training-graph.ts';
import { compactResNet } from '../src/train/zoo/compact-resnet.ts';
import { MemoryLog, formatTable, machineInfo, round, timeInterleaved, timeRuns, writeResult } from './harness.ts';

/** Runs the suite; returns the figures it printed. */
export async function benchTrain(options: { size?: number; batch?: number; runs?: number } = {}): Promise<Record<string, unknown>> {
  const size = options.size ?? 128;
  const batch = options.batch ?? 32;
  const runs = options.runs ?? 8;
  const memory = new MemoryLog();
  const k = 5;
  const zooOptions = { width: 16, depth: 3, numClasses: k, dropout: 0.2, inputSize: size, seed: 1 };
  const train = compactResNet({ ...zooOptions, training: true });
  const infer = compactResNet(zooOptions);
  const tg = await memory.phase('build training graph', () =>
    buildTrainingGraph({ model: train.model, parameters: train.parameters, batchNorms: train.batchNorms, loss: 'softmax-ce', numClasses: k }));
  const stepSession = await memory.phase('compile training graph', () => createSession(saveModel(tg.model)));
  const lossSession = await createSession(saveModel({ ...tg.lossModel, graph: { ...tg.lossModel.graph, outputs: [{ name: tg.loss }] } }));
  const inferSession = await createSession(saveModel(infer.model));
  const rng = keyedRng(7);
  const samples: TrainSample[] = Array.from({ length: batch }, (_, i) => ({
    image: { width: size, height: size, channels: 3, data: Uint8Array.from({ length: size * size * 3 }, () => Math.floor(rng() * 256)) },
    label: i % k,
  }));
  const params: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(tg.initial)) params[name] = Float32Array.from(t.data as Float32Array);
  const dims = new Map(tg.model.graph.inputs.map((i) => [i.name, i.shape as number[]]));
  const optimizer = createOptimizer({ kind: 'adamw' });
  const fixed = makeBatch(samples, samples.map((_, i) => i), { task: 'classify', numClasses: k, norm: { mean: [0.5], std: [0.25] }, seed: 1, epoch: 0 });
  const feedsFor = (b: typeof fixed, step: number): Record<string, Tensor> => {
    const feeds: Record<string, Tensor> = { [tg.input]: b.images, [tg.targets]: b.targets };
    for (const [name, a] of Object.entries(params)) feeds[name] = { dtype: 'float32', dims: dims.get(name) as number[], data: a };
    const r = keyedRng(1, step);
    for (const d of tg.dropouts) feeds[d.input] = tensor('float32', [batch, ...d.dims], drawMask(d, batch, r));
    return feeds;
  };
  let step = 0;
  const fetch = [tg.loss, ...tg.parameters.map((p) => tg.grads[p]), ...Object.values(tg.runningStats)];
  /** One ONNX Runtime run on batch b and the AdamW update. */
  const runAndUpdate = async (b: typeof fixed): Promise<void> => {
    const out = await stepSession.run({ ...feedsFor(b, step), [tg.cotangent]: tensor('float32', [], [1]) }, fetch);
    const grads: Record<string, Float32Array> = {};
    for (const p of tg.parameters) grads[p] = out[tg.grads[p]].data as Float32Array;
    optimizer.step(Object.fromEntries(tg.parameters.map((p) => [p, params[p]])), grads, 1e-3);
    step++;
  };
  const batchOptions = { task: 'classify' as const, numClasses: k, norm: { mean: [0.5], std: [0.25] }, augment: DEFAULT_AUGMENT, seed: 1 };
  const everything = samples.map((_, i) => i);
  // A step as the trainer runs it on this machine: the batch made on the main thread.
  const trainStep = (): Promise<void> => runAndUpdate(makeBatch(samples, everything, { ...batchOptions, epoch: step }));
  // Round-robin, so the VM's drifting speed hits every figure alike; each turn one untimed
  // call, then two timed back to back.
  const [stepRun, gradRun, lossFwd, inferFwd] = await memory.phase('training steps', () => timeInterleaved([
    trainStep,
    () => stepSession.run({ ...feedsFor(fixed, 0), [tg.cotangent]: tensor('float32', [], [1]) }, fetch),
    () => lossSession.run(feedsFor(fixed, 0), [tg.loss]),
    () => inferSession.run({ input: fixed.images }, ['logits']),
  ], runs, 1, 2));
  const batchPrep = await timeRuns(() => makeBatch(samples, everything, { ...batchOptions, epoch: step++ }), runs, 1);
  // The worker loader (TrainOptions.loaderWorker) against main-thread batches: alternating
  // blocks of steps, the worker asked for batch s+1 before step s runs, as the trainer does.
  // Blocks, not single steps, so the worker's last prefetch does not run into the other side.
  const loader = await BatchLoader.create(samples, batchOptions);
  const block = 4;
  const workerBlock = async (): Promise<void> => {
    let next = loader.get(everything, step);
    for (let s = 0; s < block; s++) {
      const b = await next;
      if (s + 1 < block) next = loader.get(everything, step + 1);
      await runAndUpdate(b);
    }
  };
  const inlineBlock = async (): Promise<void> => {
    for (let s = 0; s < block; s++) await trainStep();
  };
  const [workerSteps, inlineSteps] = (await timeInterleaved([workerBlock, inlineBlock], Math.max(3, runs >> 1), 1)).map((t) => round(t.median / block));
  await loader.close();
  const figures = {
    machine: machineInfo(),
    config: { architecture: 'compactResNet width 16 depth 3', size, batch, parameters: train.parameters.length },
    imagesPerSecond: round((batch * 1000) / stepRun.median),
    stepMs: stepRun,
    batchPreparationMs: batchPrep,
    loaderAB: { workerLoaderStepMs: workerSteps, mainThreadStepMs: inlineSteps, block },
    gradientRunMs: gradRun,
    trainingForwardMs: lossFwd,
    inferenceForwardMs: inferFwd,
    ratioStepToInferenceForward: round(stepRun.median / inferFwd.median),
    ratioGradientRunToTrainingForward: round(gradRun.median / lossFwd.median),
    memory: memory.phases,
  };
  console.log(formatTable(['figure', 'value'], [
    ['images/s (whole training step)', figures.imagesPerSecond],
    ['training step ms (median)', round(stepRun.median)],
    ['  of which batch preparation (augmentation)', round(batchPrep.median)],
    ['  A/B: step with the worker loader', workerSteps],
    ['  A/B: step with main-thread batches', inlineSteps],
    ['gradient graph run ms', round(gradRun.median)],
    ['training-form forward + loss ms', round(lossFwd.median)],
    ['inference forward ms (BN folded)', round(inferFwd.median)],
    ['step / inference forward', figures.ratioStepToInferenceForward],
    ['gradient run / training forward', figures.ratioGradientRunToTrainingForward],
    ['peak RSS MiB', memory.phases[memory.phases.length - 1].maxRss],
  ]));
  console.log(`\nwrote ${await writeResult('train-step', figures)}`);
  return figures;
}
