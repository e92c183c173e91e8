/** Inputs, options and the report of {@link datasetQualityReport} (quality-report.ts). */
import type { Split, SplitRatios } from '../split.ts';
import type { DatasetImageSignals } from './image-signals.ts';

/** One decoded image of a dataset. */
export interface QualityItem {
  /** Path relative to the dataset root, `/`-separated. */
  path: string;
  label: string;
  /** SHA-256 of the file bytes, hex. */
  sha256: string;
  /** Decoded format (png, jpeg, ...). */
  format: string;
  signals: DatasetImageSignals;
  /** The dataset's own split (split folders); when any item lacks one, every split is drawn by the core's `stratifiedSplit`. */
  split?: Split;
}

/** A file the decoder refused. */
export interface CorruptFile {
  path: string;
  reason: string;
}

/** Options of the report, defaults beside them. */
export interface QualityOptions {
  /** Files the decoder refused (reported as they are). */
  corrupt?: readonly CorruptFile[];
  /** Every label of the dataset, so an empty class is reported (default: the items' labels). */
  classes?: readonly string[];
  /** Seed and ratios of the drawn split, as training draws it (default 0 and 70/15/15). */
  seed?: number;
  ratios?: SplitRatios;
  /** Hash grouping near duplicates (default `phash`). */
  hash?: 'phash' | 'dhash';
  /** Largest Hamming distance (of 64 bits) of near duplicates (default 6). */
  maxHashDistance?: number;
  /** Outlier threshold on |robust z| (default 3.5). */
  outlierZ?: number;
  /** Classes with fewer images get no outlier check (default 5). */
  minClassSizeForOutliers?: number;
  /** Balance warning when the smallest class has fewer than this share of the largest (default 0.1). */
  balanceRatio?: number;
  /** Balance warning for a class with fewer images (default 10). */
  minImagesPerClass?: number;
}

/** ok, warning or error. */
export type QualityLevel = 'ok' | 'warning' | 'error';

/** The checks of the summary. */
export type QualityCheck = 'exactDuplicates' | 'nearDuplicates' | 'leakage' | 'corrupt' | 'outliers' | 'balance';

/** An image named by a finding. */
export interface QualityMember {
  path: string;
  label: string;
  split: Split;
}

/** Files with identical bytes. */
export interface ExactDuplicateGroup {
  sha256: string;
  members: QualityMember[];
  /** Distinct labels of the copies; more than one is a label conflict. */
  labels: string[];
  splits: Split[];
}

/** Files whose perceptual hashes are within the distance (byte-identical pairs excluded). */
export interface NearDuplicateGroup {
  hash: 'phash' | 'dhash';
  /** `distance`: the member's smallest Hamming distance to another member. */
  members: (QualityMember & { distance: number })[];
  labels: string[];
  splits: Split[];
}

/** A duplicate group whose members sit in more than one split. */
export interface LeakageFinding {
  kind: 'exact' | 'near';
  splits: Split[];
  members: QualityMember[];
}

/** The measured figures of the outlier check. */
export type OutlierMetric = 'brightness' | 'blur' | 'size';

/** An image far from its class on one figure. */
export interface OutlierFinding extends QualityMember {
  metric: OutlierMetric;
  /** brightness: mean gray 0..255; blur: variance of the Laplacian; size: pixels. */
  value: number;
  /** The class median of the figure. */
  median: number;
  /** Robust z-score (blur: of log10(1 + variance)). */
  z: number;
  direction: 'low' | 'high';
}

/** A label-balance warning. */
export interface BalanceFinding {
  rule: 'ratio' | 'minimum' | 'empty';
  label: string;
  count: number;
  message: string;
}

/** Min, max and median of a size in pixels. */
export interface SizeSpread {
  min: number;
  max: number;
  median: number;
}

/** The whole report. */
export interface DatasetQualityReport {
  images: number;
  classes: string[];
  split: { source: 'dataset' | 'drawn'; seed: number | null; ratios: SplitRatios | null };
  countsPerClass: Record<string, number>;
  countsPerSplit: Record<Split, number>;
  countsPerClassAndSplit: Record<string, Record<Split, number>>;
  sizes: { width: SizeSpread; height: SizeSpread; distinct: { width: number; height: number; count: number }[] };
  formats: Record<string, number>;
  exactDuplicates: ExactDuplicateGroup[];
  nearDuplicates: NearDuplicateGroup[];
  leakage: LeakageFinding[];
  corrupt: CorruptFile[];
  outliers: OutlierFinding[];
  balance: BalanceFinding[];
  thresholds: { hash: 'phash' | 'dhash'; maxHashDistance: number; outlierZ: number; minClassSizeForOutliers: number; balanceRatio: number; minImagesPerClass: number };
  summary: { level: QualityLevel; checks: Record<QualityCheck, { level: QualityLevel; count: number }> };
}
