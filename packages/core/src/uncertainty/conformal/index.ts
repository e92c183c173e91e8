/**
 * Conformal prediction sets (LAC, APS), the referral rule for the review queue, and
 * risk-coverage analysis of selective prediction.
 */
export type { ConformalScore } from './scores.ts';
export type { ConformalOptions, ConformalPredictor } from './split-conformal.ts';
export {
  averageSetSize,
  calibrateConformal,
  conformalQuantile,
  conformalScores,
  empiricalCoverage,
  predictionSets,
} from './split-conformal.ts';
export type { ReferralReason, ReferralRule, ReferralValidation } from './referral.ts';
export { fitReferralRule, referralReason } from './referral.ts';
export type { RiskCoverageCurve } from './risk-coverage.ts';
export { aurc, riskCoverageCurve } from './risk-coverage.ts';
export type { ConformalItems, HeldOutConformal } from './held-out-coverage.ts';
export { checkConformalLevel, heldOutConformal, minConformalCalibrationSize } from './held-out-coverage.ts';
