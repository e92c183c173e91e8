/**
 * Per-operator inference rules, keyed by ONNX op type.
 */
import { dtypeFromOnnxCode } from '../tensor.ts';
import { broadcastShapes } from './broadcast.ts';
import type { InferFn, ValueType } from './types.ts';

const same: InferFn = (c) => [c.input(0) ? { ...c.input(0) } : undefined];

const broadcast: InferFn = (c) => {
  const ins = c.node.inputs.map((_, i) => c.input(i));
  return [{ dtype: ins.find((t) => t?.dtype)?.dtype, shape: broadcastShapes(ins.map((t) => t?.shape)) }];
};

const compare: InferFn = (c) => [{ dtype: 'bool', shape: broadcastShapes([c.input(0)?.shape, c.input(1)?.shape]) }];

const UNARY = [
  'Abs', 'Neg', 'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Reciprocal',
  'Clip', 'HardSigmoid', 'HardSwish', 'Softplus', 'Softsign', 'Erf', 'Gelu', 'Softmax', 'LogSoftmax', 'Identity',
  'Floor', 'Ceil', 'Round', 'Sign', 'Sin', 'Cos', 'Dropout', 'Celu', 'Mish', 'LayerNormalization',
  'InstanceNormalization', 'BatchNormalization', 'LRN',
];
const BINARY = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Where'];
const COMPARE = ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor'];

/** The inference rules. Ops missing here fall back to dtype-only inference. */
export const INFER_RULES: Record<string, InferFn> = {};
for (const op of UNARY) INFER_RULES[op] = same;
for (const op of BINARY) INFER_RULES[op] = broadcast;
for (const op of COMPARE) INFER_RULES[op] = compare;

INFER_RULES.Where = (c) => [{ dtype: c.input(1)?.dtype ?? c.input(2)?.dtype, shape: broadcastShapes([0, 1, 2].map((i) => c.input(i)?.shape)) }];
INFER_RULES.Not = (c) => [{ dtype: 'bool', shape: c.input(0)?.shape }];
INFER_RULES.Shape = (c): ValueType[] => {
  const s = c.input(0)?.shape;
  if (!s) return [{ dtype: 'int64' }];
  const r = s.length;
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = clamp(c.attrInt('start', 0));
  const end = clamp(c.attrInt('end', r));
  return [{ dtype: 'int64', shape: [Math.max(end - start, 0)] }];
};
INFER_RULES.Cast = (c) => [{ dtype: dtypeFromOnnxCode(c.attrInt('to', 1)), shape: c.input(0)?.shape }];
INFER_RULES.CastLike = (c) => [{ dtype: c.input(1)?.dtype, shape: c.input(0)?.shape }];
