/**
 * When a temperature fit is worth recording in a model card. A fit is refused, with
 * `XQC_CALIBRATION_REFUSED` and the reason on one line, when it saw fewer than
 * {@link MIN_CALIBRATION_ITEMS} items, when they are all of one class, or when the fit is
 * degenerate: T or the NLL is not finite, the model classifies every item correctly (the
 * NLL then falls all the way to T = 0, so no finite T is supported), T stopped at a bound
 * of its allowed range, Newton did not converge, or the fitted T does not lower the
 * validation NLL.
 *
 * Why 50 (docs/calibration.md has the figures): the same validation items calibrate the
 * conformal sets, whose coverage given the calibration set is Beta(n + 1 - l, l) with
 * l = floor((n + 1) alpha); at alpha = 0.1 its standard deviation is 0.059 at n = 15,
 * 0.041 at n = 50 and 0.030 at n = 100, and n >= 1/alpha - 1 is needed for any finite
 * threshold (alpha >= 0.02 at n = 50). The standard error of log T falls like 1/sqrt(n):
 * 0.22 for the shipped surface classifier on 60 generated validation images, so T is
 * known to about 25 % there and would be to about 45 % from 15.
 */
import { XqcError } from '../../errors.ts';
import type { TemperatureFit } from './temperature-scaling.ts';

/** The fewest validation items a recorded temperature may be fitted on. */
export const MIN_CALIBRATION_ITEMS = 50;

/** Options of {@link checkTemperatureFit}. */
export interface FitGuardOptions {
  /** Fewest items accepted; never below {@link MIN_CALIBRATION_ITEMS}. Default that minimum. */
  minItems?: number;
  /** What the items are called in messages. Default 'validation image'. */
  itemName?: string;
}

function refuse(message: string): never {
  throw new XqcError('XQC_CALIBRATION_REFUSED', message);
}

/**
 * Throws unless `fit` is a temperature worth recording (see the module comment).
 * @param fit the result of `fitTemperature` on the validation logits
 * @throws XQC_CALIBRATION_REFUSED naming the reason and, for too few items, the minimum
 */
export function checkTemperatureFit(fit: TemperatureFit, options: FitGuardOptions = {}): void {
  const min = Math.max(MIN_CALIBRATION_ITEMS, options.minItems ?? MIN_CALIBRATION_ITEMS);
  const item = options.itemName ?? 'validation image';
  if (fit.count < min) {
    refuse(`${fit.count} ${item}(s) are too few to calibrate on: at least ${min} are needed (see docs/calibration.md); use a dataset whose validation split holds ${min} or more`);
  }
  if (fit.classesPresent < 2) {
    refuse(`all ${fit.count} ${item}s are of one class: a temperature fitted on them only learns to be more confident; the validation split needs at least two classes`);
  }
  const { temperature: t, nllBefore, nllAfter } = fit;
  if (![t, nllBefore, nllAfter].every(Number.isFinite)) {
    refuse(`the fit is not finite (T = ${t}, validation NLL ${nllBefore} -> ${nllAfter}); check the model's logits for NaN or infinity`);
  }
  const [low, high] = fit.bounds;
  if (fit.separable) {
    refuse(`the model classifies all ${fit.count} ${item}s correctly, so the NLL keeps falling as T goes to 0 and they support no finite temperature (the fit stopped at T = ${t}); calibrate on images the model sometimes gets wrong`);
  }
  if (fit.atBound === 'lower') {
    refuse(`T stopped at the lower bound ${low} of [${low}, ${high}]: the NLL keeps falling as T goes to 0 on these ${fit.count} ${item}s, so they support no finite temperature`);
  }
  if (fit.atBound === 'upper') {
    refuse(`T stopped at the upper bound ${high} of [${low}, ${high}]: the logits carry almost no information about the labels of these ${fit.count} ${item}s`);
  }
  if (!fit.converged) refuse(`T = ${t} did not converge in ${fit.iterations} Newton steps`);
  if (nllAfter > nllBefore + 1e-12 * Math.max(1, Math.abs(nllBefore))) {
    refuse(`the fitted T = ${t} raises the validation NLL from ${nllBefore} to ${nllAfter}`);
  }
}
