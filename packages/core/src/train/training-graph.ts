/**
 * The training graph: the network in training form (batch-statistics BatchNorm,
 * Dropout on), a loss on its logits, and the autodiff's gradient of that loss with
 * respect to every trainable initializer. Parameters become overridable graph inputs so
 * the optimiser's updated values are fed each step without recompiling; BatchNorm
 * running statistics come back as outputs and are fed in again next step.
 */
import { buildGradient } from '../autodiff/vjp.ts';
import { defaultRegistry } from '../autodiff/register-all.ts';
import { XqcError } from '../errors.ts';
import { GraphBuilder } from '../onnx/builder.ts';
import type { Model } from '../onnx/ir.ts';
import { defaultOpset } from '../onnx/ir.ts';
import { dropoutAsMask } from '../onnx/passes/dropout-as-mask.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { bceWithLogits, diceCrossEntropy, softmaxCrossEntropy } from './losses.ts';
import type { LossKind } from './losses.ts';
import type { BatchNormState } from './zoo/zoo.types.ts';

/** What the trainer needs to feed and fetch. */
export interface TrainingGraph {
  /** Forward + loss + gradients. */
  model: Model;
  /** Forward + loss only (the function the gradients belong to; used by checks and evaluation). */
  lossModel: Model;
  /** Image input [N, C, H, W]. */
  input: string;
  /** Float targets shaped like the logits. */
  targets: string;
  logits: string;
  loss: string;
  /** Cotangent input of the loss (a scalar 1). */
  cotangent: string;
  /** Gradient output of each parameter. */
  grads: Record<string, string>;
  /** Parameters fed each step. */
  parameters: string[];
  /** BatchNorm running statistics: input name -> output name holding its update. */
  runningStats: Record<string, string>;
  /** Initial values of the parameters and running statistics, which are graph inputs without initializers. */
  initial: Record<string, Tensor>;
  /** Dropout masks fed each step (already scaled by 1 / (1 - ratio)); dims exclude the batch. */
  dropouts: { input: string; ratio: number; dims: number[] }[];
}

/** Options of {@link buildTrainingGraph}. */
export interface TrainingGraphOptions {
  /** Network in training form (zoo builder with `training: true`). */
  model: Model;
  parameters: string[];
  batchNorms: BatchNormState[];
  loss: LossKind;
  numClasses: number;
  input?: string;
  logits?: string;
  /** Per-class weights of the segmentation cross-entropy (dice-ce only). */
  classWeights?: number[];
}

/** Builds the training graph; see the module comment. */
export function buildTrainingGraph(o: TrainingGraphOptions): TrainingGraph {
  // Dropout masks are fed from the trainer's seeded stream so a resumed run repeats exactly.
  const { model: m, masks: dropouts } = dropoutAsMask(o.model);
  const g = m.graph;
  const input = o.input ?? 'input';
  const logits = o.logits ?? 'logits';
  const b = new GraphBuilder(g, defaultOpset(m), 'train');
  const logitsInfo = g.outputs.find((x) => x.name === logits);
  if (!logitsInfo) throw new XqcError('XQC_TRAIN', `network has no output '${logits}'`);
  const targets = b.reserve('targets');
  g.inputs.push({ name: targets, dtype: 'float32', shape: logitsInfo.shape ? [...logitsInfo.shape] : undefined });
  let lossValue: string;
  if (o.loss === 'softmax-ce') lossValue = softmaxCrossEntropy(b, logits, targets);
  else if (o.loss === 'bce-logits') lossValue = bceWithLogits(b, logits, targets);
  else lossValue = diceCrossEntropy(b, logits, targets, o.numClasses, o.classWeights);
  const loss = b.reserve('loss');
  b.op('Identity', [lossValue], {}, { outputNames: [loss] });
  g.outputs.push({ name: loss, dtype: 'float32', shape: [] });
  for (const p of o.parameters) {
    const t = g.initializers.get(p);
    if (!t) throw new XqcError('XQC_TRAIN', `parameter '${p}' is not an initializer`);
    g.inputs.push({ name: p, dtype: t.dtype, shape: [...t.dims] });
  }
  const runningStats: Record<string, string> = {};
  for (const bn of o.batchNorms) {
    if (bn.meanOut && bn.varOut) {
      runningStats[bn.mean] = bn.meanOut;
      runningStats[bn.var] = bn.varOut;
      for (const name of [bn.mean, bn.var]) {
        const t = g.initializers.get(name);
        if (t && !g.inputs.some((i) => i.name === name)) g.inputs.push({ name, dtype: t.dtype, shape: [...t.dims] });
      }
    }
  }
  // onnxruntime-node cannot override an initializer that is also a graph input, so fed
  // values must be plain inputs: move their values out of the graph.
  const initial: Record<string, Tensor> = {};
  for (const i of g.inputs) {
    const t = g.initializers.get(i.name);
    if (t) {
      initial[i.name] = t;
      g.initializers.delete(i.name);
    }
  }
  const grad = buildGradient(m, defaultRegistry(), { of: loss, wrt: o.parameters, cotangentName: 'loss_cotangent' });
  return {
    model: grad.model,
    lossModel: m,
    input,
    targets,
    logits,
    loss,
    cotangent: grad.cotangent,
    grads: grad.grads,
    parameters: [...o.parameters],
    runningStats,
    initial,
    dropouts,
  };
}
