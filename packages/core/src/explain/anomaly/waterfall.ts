/**
 * A SHAP waterfall as data: start at the base value E[f], add the features' contributions
 * one at a time, largest magnitude first, and arrive at f(x). Each step keeps its running
 * total before and after, which is all a chart (or a table in a report) needs.
 */
import { XqcError } from '../../errors.ts';

/** One bar of the waterfall. */
export interface WaterfallStep {
  /** Feature key. */
  name: string;
  /** Label shown in charts. */
  label: string;
  /** The feature's value for this image. */
  value: number;
  /** The value as displayed (unit applied). */
  valueText: string;
  /** Shapley contribution phi. */
  contribution: number;
  /** Running total before and after this step: end = start + contribution. */
  start: number;
  end: number;
}

/** The whole waterfall: base + sum of contributions = fx. */
export interface Waterfall {
  base: number;
  fx: number;
  /** Steps by decreasing |contribution| (ties keep the feature order). */
  steps: WaterfallStep[];
}

/** Input of {@link buildWaterfall}: per feature, in one order. */
export interface WaterfallInput {
  names: readonly string[];
  labels?: readonly string[];
  values: ArrayLike<number>;
  /** Display text of the values (default: {@link formatNumber} of each). */
  valueTexts?: readonly string[];
  phi: ArrayLike<number>;
  base: number;
}

/**
 * A number with about three significant digits and no trailing zeros; exponent form
 * below 1e-3 and from 1e5 in magnitude.
 */
export function formatNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

/** Orders the contributions and accumulates them from the base value. */
export function buildWaterfall(input: WaterfallInput): Waterfall {
  const d = input.names.length;
  if (input.values.length !== d || input.phi.length !== d || (input.labels && input.labels.length !== d) || (input.valueTexts && input.valueTexts.length !== d)) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `waterfall: ${d} names need as many values, contributions, labels and texts`);
  }
  if (!Number.isFinite(input.base)) throw new XqcError('XQC_INVALID_ARGUMENT', `waterfall base value must be finite, got ${input.base}`);
  const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => Math.abs(input.phi[b]) - Math.abs(input.phi[a]) || a - b);
  let total = input.base;
  const steps = order.map((i) => {
    const contribution = input.phi[i];
    if (!Number.isFinite(contribution)) throw new XqcError('XQC_INVALID_ARGUMENT', `contribution of '${input.names[i]}' is ${contribution}`);
    const start = total;
    total += contribution;
    return {
      name: input.names[i],
      label: input.labels?.[i] ?? input.names[i],
      value: input.values[i],
      valueText: input.valueTexts?.[i] ?? formatNumber(input.values[i]),
      contribution,
      start,
      end: total,
    };
  });
  return { base: input.base, fx: total, steps };
}
