/**
 * The explicit list of gradient rules. Add a rule here when you add its file; nothing
 * is discovered by globbing, and registering an op twice throws.
 */
import { GradRegistry } from './registry.ts';
import { Abs } from './rules/Abs.ts';
import { Add } from './rules/Add.ts';
import { AveragePool } from './rules/AveragePool.ts';
import { BatchNormalization } from './rules/BatchNormalization.ts';
import { Cast } from './rules/Cast.ts';
import { Clip } from './rules/Clip.ts';
import { Concat } from './rules/Concat.ts';
import { Conv } from './rules/Conv.ts';
import { ConvTranspose } from './rules/ConvTranspose.ts';
import { Cos } from './rules/Cos.ts';
import { Div } from './rules/Div.ts';
import { Dropout } from './rules/Dropout.ts';
import { Elu } from './rules/Elu.ts';
import { Erf } from './rules/Erf.ts';
import { Exp } from './rules/Exp.ts';
import { Expand } from './rules/Expand.ts';
import { Flatten } from './rules/Flatten.ts';
import { Gather } from './rules/Gather.ts';
import { GatherElements } from './rules/GatherElements.ts';
import { Gelu } from './rules/Gelu.ts';
import { Gemm } from './rules/Gemm.ts';
import { GlobalAveragePool } from './rules/GlobalAveragePool.ts';
import { GlobalMaxPool } from './rules/GlobalMaxPool.ts';
import { HardSigmoid } from './rules/HardSigmoid.ts';
import { HardSwish } from './rules/HardSwish.ts';
import { Identity } from './rules/Identity.ts';
import { InstanceNormalization } from './rules/InstanceNormalization.ts';
import { LayerNormalization } from './rules/LayerNormalization.ts';
import { LeakyRelu } from './rules/LeakyRelu.ts';
import { Log } from './rules/Log.ts';
import { LogSoftmax } from './rules/LogSoftmax.ts';
import { MatMul } from './rules/MatMul.ts';
import { Max } from './rules/Max.ts';
import { MaxPool } from './rules/MaxPool.ts';
import { Min } from './rules/Min.ts';
import { Mul } from './rules/Mul.ts';
import { Neg } from './rules/Neg.ts';
import { NegativeLogLikelihoodLoss } from './rules/NegativeLogLikelihoodLoss.ts';
import { PRelu } from './rules/PRelu.ts';
import { Pad } from './rules/Pad.ts';
import { Pow } from './rules/Pow.ts';
import { Reciprocal } from './rules/Reciprocal.ts';
import { ReduceL1 } from './rules/ReduceL1.ts';
import { ReduceL2 } from './rules/ReduceL2.ts';
import { ReduceLogSumExp } from './rules/ReduceLogSumExp.ts';
import { ReduceMax } from './rules/ReduceMax.ts';
import { ReduceMean } from './rules/ReduceMean.ts';
import { ReduceMin } from './rules/ReduceMin.ts';
import { ReduceSum } from './rules/ReduceSum.ts';
import { ReduceSumSquare } from './rules/ReduceSumSquare.ts';
import { Relu } from './rules/Relu.ts';
import { Reshape } from './rules/Reshape.ts';
import { Resize } from './rules/Resize.ts';
import { Scan } from './rules/Scan.ts';
import { Sigmoid } from './rules/Sigmoid.ts';
import { Sin } from './rules/Sin.ts';
import { Slice } from './rules/Slice.ts';
import { Softmax } from './rules/Softmax.ts';
import { SoftmaxCrossEntropyLoss } from './rules/SoftmaxCrossEntropyLoss.ts';
import { Softplus } from './rules/Softplus.ts';
import { Split } from './rules/Split.ts';
import { Sqrt } from './rules/Sqrt.ts';
import { Squeeze } from './rules/Squeeze.ts';
import { Sub } from './rules/Sub.ts';
import { Sum } from './rules/Sum.ts';
import { Tanh } from './rules/Tanh.ts';
import { Tile } from './rules/Tile.ts';
import { TopK } from './rules/TopK.ts';
import { Transpose } from './rules/Transpose.ts';
import { Unsqueeze } from './rules/Unsqueeze.ts';
import { Where } from './rules/Where.ts';
import type { GradRule } from './types.ts';

/** Every rule shipped with XAI-QC. */
export const ALL_RULES: readonly GradRule[] = [
  Abs, Add, AveragePool, BatchNormalization, Cast, Clip, Concat, Conv, ConvTranspose, Cos, Div, Dropout, Elu, Erf, Exp,
  Expand, Flatten, Gather, GatherElements, Gelu, Gemm, GlobalAveragePool, GlobalMaxPool, HardSigmoid, HardSwish, Identity,
  InstanceNormalization, LayerNormalization, LeakyRelu, Log, LogSoftmax, MatMul, Max, MaxPool, Min, Mul, Neg,
  NegativeLogLikelihoodLoss, PRelu, Pad, Pow, Reciprocal, ReduceL1, ReduceL2, ReduceLogSumExp, ReduceMax, ReduceMean,
  ReduceMin, ReduceSum, ReduceSumSquare, Relu, Reshape, Resize, Scan, Sigmoid, Sin, Slice, Softmax, SoftmaxCrossEntropyLoss,
  Softplus, Split, Sqrt, Squeeze, Sub, Sum, Tanh, Tile, TopK, Transpose, Unsqueeze, Where,
];

/** A new registry holding every shipped rule. */
export function registerAll(registry: GradRegistry = new GradRegistry()): GradRegistry {
  for (const rule of ALL_RULES) registry.register(rule);
  return registry;
}

let shared: GradRegistry | undefined;

/** The registry of shipped rules, built once. */
export function defaultRegistry(): GradRegistry {
  shared ??= registerAll();
  return shared;
}
