/**
 * A drift report over many signals at once: per-image scalars (image statistics, the
 * defect score), the predicted-class mix and embeddings of a reference and a current
 * window, each tested, the hypothesis tests corrected together, one overall level.
 */
import { metricInputError, requireIntegerAtLeast, type NumberArray } from '../metrics/metric-input.ts';
import { chiSquaredClasses } from './chi-squared.ts';
import { domainClassifierTest, DOMAIN_AUC_THRESHOLD } from './domain-classifier.ts';
import { DEFAULT_P_VALUE_BANDS, levelFromPValue, worstLevel, type DriftLevel, type PValueBands } from './drift-level.ts';
import { ksTwoSample } from './ks.ts';
import { mmdRbf } from './mmd.ts';
import { adjustPValues, type PValueAdjustment } from './p-adjust.ts';
import { psi } from './psi.ts';
import { wasserstein1d } from './wasserstein.ts';

/** One window of inspections: per-image signals, all of the same length n. */
export interface DriftWindow {
  /** Scalar signals by name (e.g. `brightness`, `defectScore`), one value per image. */
  scalars: Record<string, NumberArray>;
  /** Predicted class index per image (0..classCount-1), for the class-mix test. */
  predictedClass?: NumberArray;
  /** Row-major embeddings [n x embeddingDim], for the domain-classifier (and MMD) test. */
  embeddings?: NumberArray;
}

/** Options of {@link driftReport}. */
export interface DriftReportOptions {
  /** Width d of the embedding rows (required when both windows carry embeddings). */
  embeddingDim?: number;
  /** Number of classes of `predictedClass` (default: 1 + the largest index seen). */
  classCount?: number;
  /** Correction across the hypothesis tests' p-values (default `holm`). */
  adjustment?: PValueAdjustment;
  /** Bands on the corrected p-values (default drift p < 0.05, possible p < 0.1). */
  bands?: PValueBands;
  /** Also run the RBF MMD permutation test on the embeddings (default false: O(n^2 d) per permutation). */
  mmd?: boolean;
  /** Folds of the domain classifier (default 5); the test is skipped when a window has fewer rows. */
  folds?: number;
  /** Bootstrap resamples of the domain classifier's AUC (default 200). */
  bootstrap?: number;
  /** Seed of the domain classifier and the MMD permutations (default 0). */
  seed?: number;
}

/** Which test produced a {@link DriftSignalResult}. */
export type DriftTest = 'ks' | 'chi-squared' | 'domain-classifier' | 'mmd';

/** One signal's test in a {@link DriftReport}. */
export interface DriftSignalResult {
  /** Signal name: a scalar's name, `predictedClass` or `embedding`. */
  signal: string;
  test: DriftTest;
  /** KS D, the chi-squared statistic, the domain classifier's AUC or MMD^2. */
  statistic: number;
  /** Raw p-value of a hypothesis test (absent for the domain classifier). */
  pValue?: number;
  /** p-value after the correction across all hypothesis tests of the report (absent for the domain classifier). */
  adjustedPValue?: number;
  /** AUC threshold of the domain classifier (absent for hypothesis tests). */
  threshold?: number;
  /** Level: of the corrected p-value, or of the AUC against the threshold. */
  level: DriftLevel;
  /** Scalars only, for information (not part of the level): PSI on reference deciles. */
  psi?: number;
  /** Scalars only, for information (not part of the level): Wasserstein distance divided by the reference's std. */
  wassersteinNormalized?: number;
}

/** Result of {@link driftReport}. */
export interface DriftReport {
  /** `drift` when any signal's level is drift, `possible` when any is possible, else `none`. */
  level: DriftLevel;
  /** Images in the reference and current windows. */
  referenceCount: number;
  currentCount: number;
  /** The correction applied across the hypothesis tests. */
  adjustment: PValueAdjustment;
  signals: DriftSignalResult[];
  /** Tests that could not run, and why. */
  notes: string[];
}

/** The window's image count, checked the same across its signals (embedding rows included when `d` is known). */
function windowSize(name: string, w: DriftWindow, d: number | undefined): number {
  const lengths = Object.entries(w.scalars).map(([k, v]) => [k, v.length] as const);
  if (w.predictedClass) lengths.push(['predictedClass', w.predictedClass.length]);
  if (w.embeddings && d !== undefined && Number.isInteger(d) && d >= 1) lengths.push(['embeddings rows', Math.floor(w.embeddings.length / d)]);
  if (w.embeddings && d === undefined) throw metricInputError('embeddingDim is required with embeddings');
  if (lengths.length === 0) throw metricInputError(`${name} has no signals`);
  const n = lengths[0][1];
  for (const [k, len] of lengths) {
    if (len !== n) throw metricInputError(`${name}.${k} has ${len} values, ${name}.${lengths[0][0]} has ${n}`);
  }
  return n;
}

function classCounts(name: string, classes: NumberArray, k: number): Float64Array {
  const counts = new Float64Array(k);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    if (!Number.isInteger(c) || c < 0 || c >= k) throw metricInputError(`${name}.predictedClass[${i}] = ${c} is not a class index in 0..${k - 1}`);
    counts[c]++;
  }
  return counts;
}

/**
 * Tests every signal both windows share. Scalars: two-sided two-sample KS (the level's
 * test), with PSI and the normalised Wasserstein distance for information. Predicted
 * classes: chi-squared on the class counts. Embeddings: the domain-classifier test (AUC
 * level against {@link DOMAIN_AUC_THRESHOLD}; skipped with a note when a window has fewer
 * rows than folds) and, with `mmd`, the RBF MMD permutation test. All p-values (KS,
 * chi-squared, MMD) are corrected together (Holm by default, which bounds the chance of
 * any false drift among them by the drift band, 5 %), and each level is the corrected
 * p-value's. The overall level is the worst signal's. A signal present in only one window
 * is skipped with a note. Windows whose signals differ in length, empty windows and bad
 * class indices throw `XQC_METRIC_INPUT`.
 */
export function driftReport(reference: DriftWindow, current: DriftWindow, options: DriftReportOptions = {}): DriftReport {
  const m = windowSize('reference', reference, options.embeddingDim);
  const n = windowSize('current', current, options.embeddingDim);
  const adjustment = options.adjustment ?? 'holm';
  const bands = options.bands ?? DEFAULT_P_VALUE_BANDS;
  const folds = options.folds ?? 5;
  requireIntegerAtLeast('folds', folds, 2);
  const notes: string[] = [];
  const signals: DriftSignalResult[] = [];
  const tested: number[] = [];
  for (const [name, ref] of Object.entries(reference.scalars)) {
    const cur = current.scalars[name];
    if (!cur) {
      notes.push(`${name}: only in the reference window, not tested`);
      continue;
    }
    const ks = ksTwoSample(ref, cur);
    tested.push(signals.length);
    signals.push({
      signal: name,
      test: 'ks',
      statistic: ks.statistic,
      pValue: ks.pValue,
      level: 'none',
      psi: psi(ref, cur).statistic,
      wassersteinNormalized: wasserstein1d(ref, cur).normalized,
    });
  }
  for (const name of Object.keys(current.scalars)) {
    if (!(name in reference.scalars)) notes.push(`${name}: only in the current window, not tested`);
  }
  if (reference.predictedClass && current.predictedClass) {
    let k = options.classCount ?? 0;
    if (options.classCount === undefined) {
      for (const w of [reference.predictedClass, current.predictedClass]) for (let i = 0; i < w.length; i++) k = Math.max(k, w[i] + 1);
    }
    const chi = chiSquaredClasses(classCounts('reference', reference.predictedClass, k), classCounts('current', current.predictedClass, k));
    tested.push(signals.length);
    signals.push({ signal: 'predictedClass', test: 'chi-squared', statistic: chi.statistic, pValue: chi.pValue, level: 'none' });
  }
  if (reference.embeddings && current.embeddings) {
    const d = options.embeddingDim;
    if (d === undefined) throw metricInputError('embeddingDim is required with embeddings');
    requireIntegerAtLeast('embeddingDim', d, 1);
    const rows = [reference.embeddings.length / d, current.embeddings.length / d];
    if (Math.min(...rows) < folds) {
      notes.push(`embedding: domain-classifier test skipped, a window has ${Math.min(...rows)} rows, fewer than ${folds} folds`);
    } else {
      const dc = domainClassifierTest(reference.embeddings, current.embeddings, d, { folds, bootstrap: options.bootstrap, seed: options.seed });
      signals.push({ signal: 'embedding', test: 'domain-classifier', statistic: dc.auc, threshold: DOMAIN_AUC_THRESHOLD, level: dc.level });
    }
    if (options.mmd) {
      const r = mmdRbf(reference.embeddings, current.embeddings, d, { seed: options.seed });
      tested.push(signals.length);
      signals.push({ signal: 'embedding', test: 'mmd', statistic: r.statistic, pValue: r.pValue, level: 'none' });
    }
  } else if (reference.embeddings || current.embeddings) {
    notes.push('embedding: only in one window, not tested');
  }
  if (tested.length) {
    const adjusted = adjustPValues(tested.map((i) => signals[i].pValue as number), adjustment);
    tested.forEach((i, j) => {
      signals[i].adjustedPValue = adjusted[j];
      signals[i].level = levelFromPValue(adjusted[j], bands);
    });
  }
  return { level: worstLevel(signals.map((s) => s.level)), referenceCount: m, currentCount: n, adjustment, signals, notes };
}
