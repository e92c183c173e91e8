/**
 * The explicit list of gradient rules. Add a rule here when you add its file; nothing
 * is discovered by globbing, and registering an op twice throws.
 */
import { GradRegistry } from './registry.ts';
import { Abs } from './rules/Abs.ts';
import { Add } from './rules/Add.ts';
import { Cast } from './rules/Cast.ts';
import { Clip } from './rules/Clip.ts';
import { Cos } from './rules/Cos.ts';
import { Div } from './rules/Div.ts';
import { Dropout } from './rules/Dropout.ts';
import { Elu } from './rules/Elu.ts';
import { Erf } from './rules/Erf.ts';
import { Exp } from './rules/Exp.ts';
import { Gelu } from './rules/Gelu.ts';
import { Gemm } from './rules/Gemm.ts';
import { HardSigmoid } from './rules/HardSigmoid.ts';
import { HardSwish } from './rules/HardSwish.ts';
import { Identity } from './rules/Identity.ts';
import { LeakyRelu } from './rules/LeakyRelu.ts';
import { Log } from './rules/Log.ts';
import { LogSoftmax } from './rules/LogSoftmax.ts';
import { MatMul } from './rules/MatMul.ts';
import { Max } from './rules/Max.ts';
import { Min } from './rules/Min.ts';
import { Mul } from './rules/Mul.ts';
import { Neg } from './rules/Neg.ts';
import { PRelu } from './rules/PRelu.ts';
import { Pow } from './rules/Pow.ts';
import { Reciprocal } from './rules/Reciprocal.ts';
import { Relu } from './rules/Relu.ts';
import { Sigmoid } from './rules/Sigmoid.ts';
import { Sin } from './rules/Sin.ts';
import { Softmax } from './rules/Softmax.ts';
import { Softplus } from './rules/Softplus.ts';
import { Sqrt } from './rules/Sqrt.ts';
import { Sub } from './rules/Sub.ts';
import { Sum } from './rules/Sum.ts';
import { Tanh } from './rules/Tanh.ts';
import { Where } from './rules/Where.ts';
import type { GradRule } from './types.ts';

/** Every rule shipped with XAI-QC. */
export const ALL_RULES: readonly GradRule[] = [
  Abs, Add, Cast, Clip, Cos, Div, Dropout, Elu, Erf, Exp, Gelu, Gemm, HardSigmoid, HardSwish, Identity,
  LeakyRelu, Log, LogSoftmax, MatMul, Max, Min, Mul, Neg, PRelu, Pow, Reciprocal, Relu, Sigmoid, Sin,
  Softmax, Softplus, Sqrt, Sub, Sum, Tanh, Where,
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
