/**
 * The registry of per-operator inference rules, keyed by ONNX op type (default domain).
 * Each family lives in its own file; this list is explicit so that a rule defined twice
 * is a start-up error rather than a silent override.
 */
import { XqcError } from '../../errors.ts';
import { CONTROL_RULES } from './ops-control.ts';
import { CONV_RULES } from './ops-conv.ts';
import { ELEMENTWISE_RULES } from './ops-elementwise.ts';
import { GENERATE_RULES } from './ops-generate.ts';
import { INDEX_RULES } from './ops-index.ts';
import { NN_RULES } from './ops-nn.ts';
import { REDUCE_RULES } from './ops-reduce.ts';
import { TENSOR_RULES } from './ops-tensor.ts';
import type { InferFn } from './types.ts';

const FAMILIES: Record<string, InferFn>[] = [ELEMENTWISE_RULES, CONV_RULES, NN_RULES, REDUCE_RULES, TENSOR_RULES, INDEX_RULES, GENERATE_RULES, CONTROL_RULES];

/** The inference rules. Ops missing here fall back to dtype-only inference. */
export const INFER_RULES: Readonly<Record<string, InferFn>> = Object.freeze(
  FAMILIES.reduce<Record<string, InferFn>>((all, family) => {
    for (const [op, fn] of Object.entries(family)) {
      if (op in all) throw new XqcError('XQC_SHAPE_INFERENCE', `inference rule for ${op} is defined twice`);
      all[op] = fn;
    }
    return all;
  }, {}),
);
