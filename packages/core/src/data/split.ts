/** Seeded, label-stratified train/val/test assignment. */
import { XqcError } from '../errors.ts';
import { createRng, hashSeed, shuffled } from '../util/random.ts';

/** The three splits. */
export type Split = 'train' | 'val' | 'test';

/** Fractions of each label that go to each split; they must sum to 1. */
export interface SplitRatios {
  train: number;
  val: number;
  test: number;
}

/** Default ratios, 70 / 15 / 15. */
export const DEFAULT_SPLIT_RATIOS: Readonly<SplitRatios> = Object.freeze({ train: 0.7, val: 0.15, test: 0.15 });

const ORDER: readonly Split[] = ['train', 'val', 'test'];

/** Throws `XQC_INVALID_ARGUMENT` unless ratios are non-negative and sum to 1 (within 1e-9). */
export function checkSplitRatios(ratios: SplitRatios): void {
  const values = ORDER.map((s) => ratios[s]);
  if (values.some((v) => !(v >= 0)) || Math.abs(values.reduce((a, b) => a + b, 0) - 1) > 1e-9) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `split ratios must be non-negative and sum to 1, got ${JSON.stringify(ratios)}`);
  }
}

/**
 * How many of `n` items each split receives: `floor(n * ratio)` each, and the remaining
 * items to the splits with the largest fractional parts (ties in train, val, test order),
 * so counts sum to n and differ from `n * ratio` by less than 1.
 */
export function splitCounts(n: number, ratios: SplitRatios): Record<Split, number> {
  const exact = ORDER.map((s) => n * ratios[s]);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const byFraction = ORDER.map((_, i) => i).sort((a, b) => exact[b] - counts[b] - (exact[a] - counts[a]) || a - b);
  for (const i of byFraction) {
    if (left === 0) break;
    counts[i]++;
    left--;
  }
  return { train: counts[0], val: counts[1], test: counts[2] };
}

/**
 * Assigns each key a split, stratified by label: within every label the keys are sorted,
 * shuffled by a generator seeded from `(seed, label)`, and cut by {@link splitCounts}.
 * The result depends only on the (key, label) pairs, the seed and the ratios, not on
 * input order; adding a label leaves the other labels' assignments unchanged.
 */
export function stratifiedSplit(items: readonly { key: string; label: string }[], seed: number, ratios: SplitRatios = DEFAULT_SPLIT_RATIOS): Map<string, Split> {
  checkSplitRatios(ratios);
  const byLabel = new Map<string, string[]>();
  for (const { key, label } of items) {
    const keys = byLabel.get(label) ?? [];
    keys.push(key);
    byLabel.set(label, keys);
  }
  const out = new Map<string, Split>();
  for (const [label, keys] of byLabel) {
    const order = shuffled([...new Set(keys)].sort(), createRng(hashSeed(seed, 'split', label)));
    const counts = splitCounts(order.length, ratios);
    let i = 0;
    for (const split of ORDER) for (let k = 0; k < counts[split]; k++) out.set(order[i++], split);
  }
  return out;
}

/**
 * Ratios with validation share `val` and test share `test`, the rest to train: a user with
 * a separate test folder passes `test = 0` and trains on everything but the validation share.
 * @throws XQC_INVALID_ARGUMENT unless 0 < val < 1, 0 <= test < 1 and val + test < 1
 */
export function splitRatiosFor(val: number, test: number): SplitRatios {
  if (!(val > 0 && val < 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `the validation share must be in (0, 1), got ${val}`);
  if (!(test >= 0 && test < 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `the test share must be in [0, 1), got ${test}`);
  if (!(val + test < 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `the validation and test shares (${val} + ${test}) must leave a training share`);
  // Rounded so that, say, 0.1 and 0.2 record a train share of 0.7, not 0.7000000000000001.
  return { train: Math.round((1 - val - test) * 1e12) / 1e12, val, test };
}

/**
 * The split a model was trained with, from its card's `training` record (`seed`, and
 * `splitRatios` since cards record them; the 70/15/15 default for older cards), so that
 * `evaluate` and `calibrate` see the same train/val/test items as training did.
 * @throws XQC_INVALID_ARGUMENT when recorded ratios are malformed
 */
export function recordedSplit(training: Readonly<Record<string, unknown>> | undefined): { seed: number; ratios: SplitRatios } {
  const seed = Number(training?.seed ?? 0);
  if (!Number.isInteger(seed)) throw new XqcError('XQC_INVALID_ARGUMENT', `the card's training.seed must be an integer, got ${String(training?.seed)}`);
  const raw = training?.splitRatios as Partial<SplitRatios> | undefined;
  if (raw === undefined) return { seed, ratios: { ...DEFAULT_SPLIT_RATIOS } };
  const ratios = { train: Number(raw.train), val: Number(raw.val), test: Number(raw.test) };
  checkSplitRatios(ratios);
  return { seed, ratios };
}
