/**
 * Streaming accumulators for AUROC and AP, fed batch by batch (one inspection, one day)
 * so that the caller never builds one giant array. The exact accumulator keeps every score
 * (9 bytes each) and gives the same figures as {@link auroc} on the concatenated data; the
 * binned accumulator keeps two counters per bin, whatever the stream length, and reports
 * how far its answer can be from the exact one.
 */
import {
  metricInputError,
  requireFinite,
  requireIntegerAtLeast,
  requireSameLength,
  type NumberArray,
} from './metric-input.ts';
import {
  aurocFromRanked,
  averagePrecisionFromRanked,
  auprcFromRanked,
  groupDescending,
  rankedFromGroups,
  type RankedScores,
} from './ranking.ts';
import { sortPairs } from './sort-pairs.ts';

function requireBinaryLabels(labels: NumberArray): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw metricInputError(`labels[${i}] = ${y} is not a binary label (0 or 1)`);
  }
}

/**
 * Exact streaming AUROC / AP / AUPRC: keeps all scores in growing typed arrays, sorts once
 * when a figure is asked for. Memory is 9 bytes per score, so it suits up to some tens of
 * millions of items; beyond that use {@link BinnedBinaryScoreAccumulator}.
 */
export class BinaryScoreAccumulator {
  private scores = new Float64Array(1024);
  private labels = new Uint8Array(1024);
  private size = 0;

  /** Number of items added so far. */
  get count(): number {
    return this.size;
  }

  /**
   * Adds one batch.
   * @param labels [B] 0/1 (1 = positive, e.g. defective)
   * @param scores [B] finite scores, higher = more likely positive
   */
  add(labels: NumberArray, scores: NumberArray): void {
    requireSameLength('labels', labels, 'scores', scores);
    requireBinaryLabels(labels);
    requireFinite('scores', scores);
    this.reserve(this.size + labels.length);
    for (let i = 0; i < labels.length; i++) {
      this.scores[this.size + i] = scores[i];
      this.labels[this.size + i] = labels[i];
    }
    this.size += labels.length;
  }

  /** Adds everything another accumulator holds (e.g. from another worker). */
  merge(other: BinaryScoreAccumulator): void {
    this.reserve(this.size + other.size);
    this.scores.set(other.scores.subarray(0, other.size), this.size);
    this.labels.set(other.labels.subarray(0, other.size), this.size);
    this.size += other.size;
  }

  /** Distinct-score groups of everything added; throws when nothing was added. */
  rank(): RankedScores {
    if (this.size === 0) throw metricInputError('the score accumulator is empty; add at least one item');
    const values = this.scores.slice(0, this.size);
    const flags = new Uint32Array(this.size);
    for (let i = 0; i < this.size; i++) flags[i] = this.labels[i];
    sortPairs(values, flags);
    return groupDescending(values, flags);
  }

  /** Exact AUROC of everything added. */
  auroc(): number {
    return aurocFromRanked(this.rank());
  }

  /** Exact average precision of everything added. */
  averagePrecision(): number {
    return averagePrecisionFromRanked(this.rank());
  }

  /** Exact trapezoidal AUPRC of everything added. */
  auprc(): number {
    return auprcFromRanked(this.rank());
  }

  private reserve(capacity: number): void {
    if (capacity <= this.scores.length) return;
    let next = this.scores.length;
    while (next < capacity) next *= 2;
    const scores = new Float64Array(next);
    scores.set(this.scores.subarray(0, this.size));
    const labels = new Uint8Array(next);
    labels.set(this.labels.subarray(0, this.size));
    this.scores = scores;
    this.labels = labels;
  }
}

/** An approximate figure with an interval that provably holds the exact one. */
export interface BoundedEstimate {
  /** The figure computed with each bin treated as one tied score. */
  estimate: number;
  /** Lowest value the exact figure can take given the bin counts. */
  lower: number;
  /** Highest value the exact figure can take given the bin counts. */
  upper: number;
}

/** Options of {@link BinnedBinaryScoreAccumulator}. */
export interface BinnedScoreOptions {
  /** Number of equal-width bins. Default 4096. */
  bins?: number;
  /** Lower edge of the first bin; lower scores are counted in the first bin. Default 0. */
  min?: number;
  /** Upper edge of the last bin; higher scores are counted in the last bin. Default 1. */
  max?: number;
}

/**
 * Fixed-memory streaming AUROC / AP for unbounded streams: two float64 counters per bin.
 * Each bin acts as one tied score, so only pairs that share a bin are uncertain. The error
 * is reported, not guessed: with `p_b, n_b` the positives and negatives in bin b,
 * `|AUROC_exact - AUROC_binned| <= sum_b p_b n_b / (2 P N)` (each such pair counts 1/2
 * instead of 0 or 1), and the exact AP lies between the AP with each bin's positives ranked
 * ahead of its negatives as one tie and the AP with its negatives first and its positives
 * one by one. For scores spread over the range this is about `1 / (2 * bins)` for AUROC.
 * Scores outside `[min, max]` are clamped into the edge bins; the bounds stay valid.
 */
export class BinnedBinaryScoreAccumulator {
  readonly bins: number;
  readonly min: number;
  readonly max: number;
  private readonly positives: Float64Array;
  private readonly negatives: Float64Array;

  constructor(options: BinnedScoreOptions = {}) {
    this.bins = options.bins ?? 4096;
    this.min = options.min ?? 0;
    this.max = options.max ?? 1;
    requireIntegerAtLeast('bins', this.bins, 1);
    if (!(Number.isFinite(this.min) && Number.isFinite(this.max) && this.max > this.min)) {
      throw metricInputError(`the score range must satisfy min < max, got [${this.min}, ${this.max}]`);
    }
    this.positives = new Float64Array(this.bins);
    this.negatives = new Float64Array(this.bins);
  }

  /** Number of items added so far. */
  get count(): number {
    let total = 0;
    for (let b = 0; b < this.bins; b++) total += this.positives[b] + this.negatives[b];
    return total;
  }

  /**
   * Adds one batch.
   * @param labels [B] 0/1
   * @param scores [B] finite scores
   */
  add(labels: NumberArray, scores: NumberArray): void {
    requireSameLength('labels', labels, 'scores', scores);
    requireBinaryLabels(labels);
    requireFinite('scores', scores);
    const scale = this.bins / (this.max - this.min);
    const last = this.bins - 1;
    for (let i = 0; i < labels.length; i++) {
      let b = Math.floor((scores[i] - this.min) * scale);
      b = b < 0 ? 0 : b > last ? last : b;
      if (labels[i] === 1) this.positives[b]++;
      else this.negatives[b]++;
    }
  }

  /** Adds the counts of an accumulator with the same bins, min and max. */
  merge(other: BinnedBinaryScoreAccumulator): void {
    if (other.bins !== this.bins || other.min !== this.min || other.max !== this.max) {
      throw metricInputError('binned accumulators can only be merged when bins, min and max agree');
    }
    for (let b = 0; b < this.bins; b++) {
      this.positives[b] += other.positives[b];
      this.negatives[b] += other.negatives[b];
    }
  }

  /** Non-empty bins as tied score groups, descending; the threshold is the bin's lower edge. */
  rank(): RankedScores {
    const used: number[] = [];
    for (let b = this.bins - 1; b >= 0; b--) if (this.positives[b] + this.negatives[b] > 0) used.push(b);
    if (used.length === 0) throw metricInputError('the score accumulator is empty; add at least one item');
    const width = (this.max - this.min) / this.bins;
    const thresholds = new Float64Array(used.length);
    const positives = new Float64Array(used.length);
    const negatives = new Float64Array(used.length);
    used.forEach((b, g) => {
      thresholds[g] = this.min + b * width;
      positives[g] = this.positives[b];
      negatives[g] = this.negatives[b];
    });
    return rankedFromGroups(thresholds, positives, negatives);
  }

  /** AUROC with its exact error interval; throws when only one class was seen. */
  auroc(): BoundedEstimate {
    const r = this.rank();
    const estimate = aurocFromRanked(r);
    let shared = 0;
    for (let g = 0; g < r.thresholds.length; g++) shared += r.positives[g] * r.negatives[g];
    const bound = shared / (2 * r.totalPositives * r.totalNegatives);
    return { estimate, lower: Math.max(0, estimate - bound), upper: Math.min(1, estimate + bound) };
  }

  /** Average precision with the interval that holds the exact AP; throws without positives. */
  averagePrecision(): BoundedEstimate {
    const r = this.rank();
    const estimate = averagePrecisionFromRanked(r);
    let tps = 0;
    let fps = 0;
    let upper = 0;
    let lower = 0;
    for (let g = 0; g < r.thresholds.length; g++) {
      const pos = r.positives[g];
      const neg = r.negatives[g];
      if (pos > 0) {
        upper += (pos * (tps + pos)) / (tps + fps + pos);
        lower += precisionSumNegativesFirst(tps, fps + neg, pos);
      }
      tps += pos;
      fps += neg;
    }
    return { estimate, lower: lower / r.totalPositives, upper: upper / r.totalPositives };
  }
}

/**
 * `sum_{j=1..p} (t + j) / (t + f + j)`: the precision credited to p positives ranked one
 * by one after t true and f false positives. Summed directly for small p, otherwise as
 * `p - f * (psi(t + f + p + 1) - psi(t + f + 1))` with psi the digamma function.
 */
function precisionSumNegativesFirst(t: number, f: number, p: number): number {
  if (p <= 256) {
    let s = 0;
    for (let j = 1; j <= p; j++) s += (t + j) / (t + f + j);
    return s;
  }
  return p - f * digammaDifference(t + f + 1, t + f + p + 1);
}

/**
 * `psi(b) - psi(a)` for `1 <= a < b`, accurate to ~1e-15 relative even when b/a is close
 * to 1: a is raised to 10 by `psi(a) = psi(a + 1) - 1/a`, then the asymptotic series is
 * differenced term by term with the log part as `log1p`.
 */
function digammaDifference(a: number, b: number): number {
  let diff = 0;
  while (a < 10) {
    diff += 1 / a;
    a += 1;
  }
  while (b < 10) {
    diff -= 1 / b;
    b += 1;
  }
  return diff + Math.log1p((b - a) / a) - 0.5 * (1 / b - 1 / a) - (digammaTail(b) - digammaTail(a));
}

/** The series part of `psi(x) ~ log x - 1/(2x) - tail(x)` for x >= 10 (error < 1e-14). */
function digammaTail(x: number): number {
  const inv2 = 1 / (x * x);
  return inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))));
}
