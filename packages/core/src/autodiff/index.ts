/** Reverse-mode autodiff that builds vector-Jacobian-product graphs in ONNX. */
export { buildGradient } from './vjp.ts';
export type { GradientModel, GradientOptions } from './vjp.ts';
export { GradientSession } from './gradient.ts';
export { GradRegistry, NON_DIFFERENTIABLE } from './registry.ts';
export { ALL_RULES, defaultRegistry, registerAll } from './register-all.ts';
export type { GradContext, GradRule } from './types.ts';
