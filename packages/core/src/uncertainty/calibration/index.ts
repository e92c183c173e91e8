/**
 * Calibration: binned calibration errors, proper scores, temperature scaling and
 * reliability diagrams (data, SVG, PNG).
 */
export type { BinStrategy } from './binning.ts';
export { binEdges } from './binning.ts';
export type { BinningOptions, ReliabilityBin, ReliabilityDiagram, TopLabel } from './calibration-error.ts';
export {
  adaptiveCalibrationError,
  classwiseCalibrationError,
  expectedCalibrationError,
  maxCalibrationError,
  reliabilityDiagram,
  topLabel,
} from './calibration-error.ts';
export { binaryBrierScore, brierScore, logitsNegativeLogLikelihood, negativeLogLikelihood, softmax } from './proper-scores.ts';
export type { TemperatureFit, TemperatureOptions } from './temperature-scaling.ts';
export { applyTemperature, fitTemperature } from './temperature-scaling.ts';
export type { FitGuardOptions } from './fit-guard.ts';
export { checkTemperatureFit, MIN_CALIBRATION_ITEMS } from './fit-guard.ts';
export type { ReliabilitySvgOptions } from './reliability-svg.ts';
export { renderReliabilitySvg } from './reliability-svg.ts';
export { renderReliabilityPng } from './reliability-png.ts';
