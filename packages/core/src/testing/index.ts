export { emptyModel, singleOpModel } from './model-factory.ts';
export type { InputSpec, SingleOpSpec } from './model-factory.ts';
export { expectGradientsClose, gradCheck, randn } from './gradcheck.ts';
export { normalRng } from '../util/random.ts';
export type { GradCheckOptions, GradCheckResult } from './gradcheck.ts';
export { benchSurfacePixels } from './bench-surface.ts';
export { scratchedSurface } from './scratched-surface.ts';
