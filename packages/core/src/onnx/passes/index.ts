/** Graph passes: each a pure function of a model that returns a new model. */
export { enableDropout } from './enable-dropout.ts';
export type { EnableDropoutOptions, EnableDropoutResult } from './enable-dropout.ts';
export { exposeOutputs } from './expose-outputs.ts';
export type { ExposeOptions } from './expose-outputs.ts';
export { foldBatchNorm } from './fold-batchnorm.ts';
export type { FoldBatchNormResult } from './fold-batchnorm.ts';
export { foldConstants } from './fold-constants.ts';
export { initializersToInputs } from './initializers-to-inputs.ts';
export type { InitializerSelector } from './initializers-to-inputs.ts';
export { removeUnused } from './remove-unused.ts';
export { dropoutAsMask, drawMask } from './dropout-as-mask.ts';
export type { DropoutMask } from './dropout-as-mask.ts';
