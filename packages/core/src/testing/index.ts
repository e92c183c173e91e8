export { emptyModel, singleOpModel } from './model-factory.ts';
export type { InputSpec, SingleOpSpec } from './model-factory.ts';
export { expectGradientsClose, gradCheck, normalRng, randn } from './gradcheck.ts';
export type { GradCheckOptions, GradCheckResult } from './gradcheck.ts';
