/**
 * Temperature scaling (Guo et al. 2017): one scalar T > 0 divides the logits, fitted by
 * minimising the validation negative log-likelihood. Accuracy is unchanged (the arg-max
 * does not move); only the confidence is.
 *
 * The mean NLL is convex in beta = 1/T (a log-sum-exp of functions linear in beta minus a
 * linear term), hence unimodal in tau = log T, which is the variable optimised here so
 * that T stays positive and steps are scale-free. With p = softmax(beta z):
 *   f'(beta)  = mean_i (E_p[z_i] - z_{i,y_i}),   f''(beta) = mean_i Var_p[z_i] >= 0,
 *   g(tau) = f(e^-tau),  g' = -beta f',  g'' = beta^2 f'' + beta f'.
 * g'' can be negative far from the optimum, where a unit step in tau against the slope
 * is used instead of the Newton step; steps are guarded by Armijo backtracking until the
 * iterate is close enough for Newton's quadratic convergence.
 *
 * The fit also reports how well the data pin T down: the sandwich (robust) standard error
 * of tau = log T at the optimum, se^2 = mean_i(g_i'^2) / (n g''^2), where g_i' is item i's
 * contribution to the slope. It shrinks like 1/sqrt(n); docs/calibration.md uses it to
 * choose the minimum validation size of `xaiqc calibrate`.
 */
import { metricInputError, type NumberArray } from '../../metrics/metric-input.ts';
import { expectedCalibrationError } from './calibration-error.ts';
import { checkLogits, logitsNegativeLogLikelihood, softmax } from './proper-scores.ts';

/** Result of {@link fitTemperature}. */
export interface TemperatureFit {
  /** Fitted T; probabilities are softmax(logits / T). */
  temperature: number;
  /** Newton iterations taken. */
  iterations: number;
  /** True when the gradient vanished within tolerance strictly inside the allowed range of T. */
  converged: boolean;
  nllBefore: number;
  nllAfter: number;
  /** Top-label ECE (15 equal-width bins unless `bins` is given) at T = 1 and at the fitted T. */
  eceBefore: number;
  eceAfter: number;
  /** Items the fit saw. */
  count: number;
  /** Distinct labels among them. */
  classesPresent: number;
  /**
   * True when every item's label has the strictly largest logit. The NLL then falls
   * monotonically as T goes to 0 (its slope in 1/T, mean(E_p[z] - z_y), is negative), so
   * there is no finite optimum and the fitted T is only where the slope underflowed.
   */
  separable: boolean;
  /** The allowed range of T, and which end the fit stopped at (null when strictly inside). */
  bounds: [number, number];
  atBound: 'lower' | 'upper' | null;
  /** Sandwich standard error of log T at the fitted T; Infinity when the NLL is flat there. */
  logTemperatureStdError: number;
}

/** Options of {@link fitTemperature}. */
export interface TemperatureOptions {
  /** Iteration cap. Default 100. */
  maxIterations?: number;
  /** Stop when |dNLL/dlogT| falls below this. Default 1e-10. */
  tolerance?: number;
  /** Allowed range of T. Default [1e-2, 1e2]. */
  minTemperature?: number;
  maxTemperature?: number;
  /** Bins of the reported ECE. Default 15. */
  bins?: number;
}

/** NLL and its first two derivatives in tau at beta = e^-tau. */
function evaluate(logits: NumberArray, labels: NumberArray, k: number, beta: number): { g: number; dg: number; d2g: number; dgSquares: number } {
  const n = labels.length;
  const exps = new Float64Array(k);
  let f = 0;
  let df = 0;
  let d2f = 0;
  let dfSquares = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, beta * logits[row + j]);
    let sum = 0;
    let mean = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(beta * logits[row + j] - max);
      exps[j] = e;
      sum += e;
      mean += e * logits[row + j];
    }
    mean /= sum;
    // Variance about the mean (two passes) to avoid cancellation with large logits.
    let variance = 0;
    for (let j = 0; j < k; j++) {
      const d = logits[row + j] - mean;
      variance += exps[j] * d * d;
    }
    const zy = logits[row + labels[i]];
    f += max + Math.log(sum) - beta * zy;
    df += mean - zy;
    dfSquares += (mean - zy) * (mean - zy);
    d2f += variance / sum;
  }
  f /= n;
  df /= n;
  d2f /= n;
  return { g: f, dg: -beta * df, d2g: beta * beta * d2f + beta * df, dgSquares: (beta * beta * dfSquares) / n };
}

/**
 * Fits T on validation logits by Newton's method in log T with backtracking.
 * @param logits [N*K] row-major validation logits
 * @param labels [N] validation classes
 */
export function fitTemperature(logits: NumberArray, labels: NumberArray, options: TemperatureOptions = {}): TemperatureFit {
  const k = checkLogits(logits, labels);
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  const lowTau = Math.log(options.minTemperature ?? 1e-2);
  const highTau = Math.log(options.maxTemperature ?? 1e2);
  if (!(lowTau < highTau)) throw metricInputError('minTemperature must be below maxTemperature');
  let tau = Math.min(highTau, Math.max(lowTau, 0));
  const count = labels.length;
  const classesPresent = new Set(Array.from(labels as ArrayLike<number>)).size;
  let separable = true;
  for (let i = 0; i < count && separable; i++) {
    const y = labels[i];
    for (let j = 0; j < k; j++) if (j !== y && logits[i * k + j] >= logits[i * k + y]) separable = false;
  }
  let at = evaluate(logits, labels, k, Math.exp(-tau));
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    if (Math.abs(at.dg) < tolerance) {
      converged = tau > lowTau && tau < highTau;
      break;
    }
    iterations++;
    const step = at.d2g > 0 ? -at.dg / at.d2g : -Math.sign(at.dg);
    let t = 1;
    let next = Math.min(highTau, Math.max(lowTau, tau + step));
    let trial = evaluate(logits, labels, k, Math.exp(-next));
    // Backtracking guards the global phase. Once the decrease a Newton step predicts,
    // g'^2 / (2 g''), is below what the rounding of g can resolve, comparing values of g is
    // comparing noise, so the local phase takes full Newton steps (g'' > 0 there).
    const local = at.d2g > 0 && (0.5 * at.dg * at.dg) / at.d2g < 1e-12 * Math.max(1, Math.abs(at.g));
    while (!local && trial.g > at.g + 1e-4 * at.dg * (next - tau) && t > 1e-12) {
      t *= 0.5;
      next = Math.min(highTau, Math.max(lowTau, tau + t * step));
      trial = evaluate(logits, labels, k, Math.exp(-next));
    }
    if (next === tau) break;
    tau = next;
    at = trial;
  }
  const temperature = Math.exp(tau);
  const bins = options.bins ?? 15;
  const atBound = tau <= lowTau ? 'lower' : tau >= highTau ? 'upper' : null;
  const logTemperatureStdError = at.d2g > 0 ? Math.sqrt(at.dgSquares / count) / at.d2g : Number.POSITIVE_INFINITY;
  return {
    temperature,
    iterations,
    converged,
    count,
    classesPresent,
    separable,
    bounds: [options.minTemperature ?? 1e-2, options.maxTemperature ?? 1e2],
    atBound,
    logTemperatureStdError,
    nllBefore: logitsNegativeLogLikelihood(logits, labels, 1),
    nllAfter: logitsNegativeLogLikelihood(logits, labels, temperature),
    eceBefore: expectedCalibrationError(softmax(logits, k, 1), labels, { bins }),
    eceAfter: expectedCalibrationError(softmax(logits, k, temperature), labels, { bins }),
  };
}

/**
 * Calibrated probabilities `softmax(logits / T)`.
 * @param logits [N*K] row-major
 * @returns [N*K] float64
 */
export function applyTemperature(logits: NumberArray, numClasses: number, temperature: number): Float64Array {
  return softmax(logits, numClasses, temperature);
}
