/**
 * The three drift levels every monitoring statistic maps its result to, and the shared
 * p-value and band mappings.
 */

/** `none`: no evidence of change; `possible`: weak evidence, watch; `drift`: act. */
export type DriftLevel = 'none' | 'possible' | 'drift';

/** Two cut points on a statistic where larger means more drift: `value >= drift` is drift. */
export interface DriftBands {
  /** Values at or above this (and below `drift`) are `possible`. */
  possible: number;
  /** Values at or above this are `drift`. */
  drift: number;
}

/** Two cut points on a p-value where smaller means more drift: `p < drift` is drift. */
export interface PValueBands {
  /** p-values below this (and at or above `drift`) are `possible`. */
  possible: number;
  /** p-values below this are `drift`. */
  drift: number;
}

/** Default p-value bands of the hypothesis tests (KS, chi-squared, MMD): drift p < 0.05, possible p < 0.1. */
export const DEFAULT_P_VALUE_BANDS: Readonly<PValueBands> = Object.freeze({ possible: 0.1, drift: 0.05 });

/** The level of a statistic against upper bands (`value >= drift` -> drift, `>= possible` -> possible). */
export function levelFromBands(value: number, bands: DriftBands): DriftLevel {
  if (value >= bands.drift) return 'drift';
  if (value >= bands.possible) return 'possible';
  return 'none';
}

/** The level of a p-value against lower bands (`p < drift` -> drift, `p < possible` -> possible). */
export function levelFromPValue(p: number, bands: PValueBands = DEFAULT_P_VALUE_BANDS): DriftLevel {
  if (p < bands.drift) return 'drift';
  if (p < bands.possible) return 'possible';
  return 'none';
}

/** The most severe of several levels (`none` for an empty list). */
export function worstLevel(levels: Iterable<DriftLevel>): DriftLevel {
  let worst: DriftLevel = 'none';
  for (const level of levels) {
    if (level === 'drift') return 'drift';
    if (level === 'possible') worst = 'possible';
  }
  return worst;
}
