/**
 * Inference rules of elementwise operators: unary maps keep their input's type,
 * binary and variadic ones broadcast (NumPy rules), comparisons give bool.
 */
import { dtypeFromOnnxCode } from '../tensor.ts';
import { broadcastShapes } from './broadcast.ts';
import { copyType, sameAsInput } from './ops-common.ts';
import type { InferFn } from './types.ts';

const UNARY = [
  'Abs', 'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'BitwiseNot', 'Ceil', 'Celu', 'Clip', 'Cos', 'Cosh',
  'CumSum', 'Elu', 'Erf', 'Exp', 'Floor', 'Gelu', 'Hardmax', 'HardSigmoid', 'HardSwish', 'Identity', 'LeakyRelu',
  'Log', 'LogSoftmax', 'LRN', 'MeanVarianceNormalization', 'Mish', 'Neg', 'PRelu', 'Reciprocal', 'Relu', 'Round',
  'Selu', 'Shrink', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Softmax', 'Softplus', 'Softsign', 'Sqrt', 'Tan', 'Tanh',
  'ThresholdedRelu', 'Trilu',
];
const VARIADIC = ['Add', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'Div', 'Max', 'Mean', 'Min', 'Mod', 'Mul', 'Pow', 'Sub', 'Sum'];
const COMPARE = ['And', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Or', 'Xor'];
const PREDICATE = ['IsInf', 'IsNaN', 'Not'];

/** Broadcast of all inputs; dtype of input 0 (Pow's exponent may differ, the result follows the base). */
const broadcast: InferFn = (c) => [
  { dtype: c.input(0)?.dtype, shape: broadcastShapes(c.node.inputs.map((_, i) => c.input(i)?.shape)) },
];

const compare: InferFn = (c) => [{ dtype: 'bool', shape: broadcastShapes([c.input(0)?.shape, c.input(1)?.shape]) }];

/** Rules of this family, keyed by op type. */
export const ELEMENTWISE_RULES: Record<string, InferFn> = {
  Where: (c) => [{ dtype: c.input(1)?.dtype ?? c.input(2)?.dtype, shape: broadcastShapes([0, 1, 2].map((i) => c.input(i)?.shape)) }],
  Cast: (c) => [{ dtype: dtypeFromOnnxCode(c.attrInt('to', 1)), shape: copyType(c.input(0))?.shape }],
  CastLike: (c) => [{ dtype: c.input(1)?.dtype, shape: copyType(c.input(0))?.shape }],
  /** Dropout: the output and the boolean mask, both shaped like the input. */
  Dropout: (c) => {
    const x = copyType(c.input(0));
    return [x, { dtype: 'bool', shape: x?.shape ? [...x.shape] : undefined }];
  },
  QuantizeLinear: (c) => [{ dtype: c.input(2)?.dtype ?? 'uint8', shape: copyType(c.input(0))?.shape }],
  DequantizeLinear: (c) => [{ dtype: c.input(1)?.dtype, shape: copyType(c.input(0))?.shape }],
};
for (const op of UNARY) ELEMENTWISE_RULES[op] = sameAsInput;
for (const op of VARIADIC) ELEMENTWISE_RULES[op] = broadcast;
for (const op of COMPARE) ELEMENTWISE_RULES[op] = compare;
for (const op of PREDICATE) ELEMENTWISE_RULES[op] = (c) => [{ dtype: 'bool', shape: copyType(c.input(0))?.shape }];
