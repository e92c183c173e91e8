/**
 * Drift statistics for monitoring, pure functions with no IO: PSI, two-sample KS and
 * Wasserstein distance for scalars, chi-squared for class mixes, RBF MMD and a
 * domain-classifier test for embeddings, multiple-test correction, the three drift
 * levels each result maps to, and confidence-based performance estimation (CBPE).
 */
export type { DriftBands, DriftLevel, PValueBands } from './drift-level.ts';
export { DEFAULT_P_VALUE_BANDS, levelFromBands, levelFromPValue, worstLevel } from './drift-level.ts';
export type { PsiOptions, PsiResult } from './psi.ts';
export { psi, PSI_BANDS, PSI_EPSILON, quantileSorted } from './psi.ts';
export type { KsResult } from './ks.ts';
export { KS_MAX_EXACT_N, ksTwoSample } from './ks.ts';
export type { WassersteinResult } from './wasserstein.ts';
export { WASSERSTEIN_BANDS, wasserstein1d } from './wasserstein.ts';
export type { ChiSquaredResult } from './chi-squared.ts';
export { chiSquaredClasses } from './chi-squared.ts';
export type { MmdOptions, MmdResult } from './mmd.ts';
export { medianPairwiseDistance, mmdRbf } from './mmd.ts';
export type { DomainClassifierOptions, DomainClassifierResult } from './domain-classifier.ts';
export { DOMAIN_AUC_THRESHOLD, domainClassifierTest } from './domain-classifier.ts';
export type { PValueAdjustment } from './p-adjust.ts';
export { adjustPValues } from './p-adjust.ts';
export { chiSquaredSf, gammaP, gammaQ, kolmogorovSf, logGamma } from './special.ts';
export type { ImageSignals } from './image-signals.ts';
export { IMAGE_SIGNAL_NAMES, imageSignals } from './image-signals.ts';
export type { DriftReport, DriftReportOptions, DriftSignalResult, DriftTest, DriftWindow } from './drift-report.ts';
export { driftReport } from './drift-report.ts';
export type { PerformanceEstimate } from './cbpe.ts';
export { estimatePerformance } from './cbpe.ts';
