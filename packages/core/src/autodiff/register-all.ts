/**
 * The explicit list of gradient rules. Add a rule here when you add its file; nothing
 * is discovered by globbing, and registering an op twice throws.
 */
import { GradRegistry } from './registry.ts';
import { Add } from './rules/Add.ts';
import { Gemm } from './rules/Gemm.ts';
import { Identity } from './rules/Identity.ts';
import { MatMul } from './rules/MatMul.ts';
import { Mul } from './rules/Mul.ts';
import { Relu } from './rules/Relu.ts';
import { Sub } from './rules/Sub.ts';
import type { GradRule } from './types.ts';

/** Every rule shipped with XAI-QC. */
export const ALL_RULES: readonly GradRule[] = [Add, Gemm, Identity, MatMul, Mul, Relu, Sub];

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
