/** Uncertainty: MC-Dropout, deep ensembles, measures, calibration and conformal prediction. */
export * from './calibration/index.ts';
export * from './conformal/index.ts';
export type { SampleShape, UncertaintyMeasures } from './measures.ts';
export { entropy, uncertaintyMeasures } from './measures.ts';
export type { StochasticPrediction } from './stochastic.ts';
export { classLastProbabilities, summariseSamples } from './stochastic.ts';
export type { McDropoutOptions } from './mc-dropout.ts';
export { mcDropout, mcDropoutImages } from './mc-dropout.ts';
export type { EnsembleMember, EnsembleOptions } from './ensemble.ts';
export { ensembleImages, ensemblePredict } from './ensemble.ts';
export type { CalibrateOptions, CalibrationFigures, CalibrationProgress, CalibrationReport, TrustFigures } from './calibrate-model.ts';
export { calibrateClassifier, calibrationFigures, classifierTrust } from './calibrate-model.ts';
