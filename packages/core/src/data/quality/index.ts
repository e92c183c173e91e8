/** Dataset quality: content and perceptual duplicates, leakage across splits, outliers, balance. */
export type { DatasetImageSignals } from './image-signals.ts';
export { datasetImageSignals } from './image-signals.ts';
export { dHash, hammingDistance, pHash } from './perceptual-hash.ts';
export type { HashGroup } from './near-duplicates.ts';
export { groupByHammingDistance } from './near-duplicates.ts';
export { robustZScores, ROBUST_Z_THRESHOLD } from './robust-outliers.ts';
export type {
  BalanceFinding,
  CorruptFile,
  DatasetQualityReport,
  ExactDuplicateGroup,
  LeakageFinding,
  NearDuplicateGroup,
  OutlierFinding,
  OutlierMetric,
  QualityCheck,
  QualityItem,
  QualityLevel,
  QualityMember,
  QualityOptions,
  SizeSpread,
} from './quality.types.ts';
export { datasetQualityReport } from './quality-report.ts';
